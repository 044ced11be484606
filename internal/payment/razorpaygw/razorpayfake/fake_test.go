package razorpayfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw/razorpayfake"
)

// TestShapes checks the fake against Razorpay's documented wire format.
func TestShapes(t *testing.T) {
	s := razorpayfake.NewServer(razorpayfake.Options{})
	defer s.Close()
	do := func(method, path, body string, auth bool) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, s.APIBase+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.SetBasicAuth(s.KeyID(), s.KeySecret())
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: body %q is not a JSON object", method, path, b)
		}
		return resp.StatusCode, m
	}
	// errCode is the error body's "code field".
	errCode := func(m map[string]any) string {
		e, _ := m["error"].(map[string]any)
		code, _ := e["code"].(string)
		field, _ := e["field"].(string)
		return strings.TrimSpace(code + " " + field)
	}
	if st, m := do("POST", "/orders", `{"amount":50000,"currency":"INR"}`, false); st != 401 || errCode(m) != "BAD_REQUEST_ERROR" {
		t.Errorf("POST /orders without auth = %d %v, want 401 BAD_REQUEST_ERROR", st, m)
	}
	st, o := do("POST", "/orders", `{"amount":50000,"currency":"INR","receipt":"r1"}`, true)
	if st != 200 || !regexp.MustCompile(`^order_[0-9A-Za-z]{14}$`).MatchString(o["id"].(string)) || o["entity"] != "order" ||
		o["status"] != "created" || o["amount_due"] != 50000.0 || o["amount_paid"] != 0.0 {
		t.Errorf("POST /orders = %d %v, want a created order_... with amount_due 50000", st, o)
	}
	if notes, ok := o["notes"].([]any); !ok || len(notes) != 0 {
		t.Errorf("empty notes = %#v, want [] as Razorpay writes them", o["notes"])
	}
	for _, tt := range []struct{ body, want string }{
		{`{"amount":50000,"currency":"INR","bookingId":"b1"}`, "BAD_REQUEST_ERROR bookingId"},
		{`{"amount":99,"currency":"INR"}`, "BAD_REQUEST_ERROR amount"},
		{`{"amount":50000,"currency":"XAU"}`, "BAD_REQUEST_ERROR currency"},
		{`{"amount":50000,"currency":"INR","receipt":"` + strings.Repeat("r", 41) + `"}`, "BAD_REQUEST_ERROR receipt"},
	} {
		if st, m := do("POST", "/orders", tt.body, true); st != 400 || errCode(m) != tt.want {
			t.Errorf("POST /orders %s = %d %v, want 400 %s", tt.body, st, m, tt.want)
		}
	}
	if st, m := do("GET", "/orders?receipt=r1", "", true); st != 200 || m["entity"] != "collection" || m["count"] != 1.0 {
		t.Errorf("GET /orders?receipt=r1 = %d %v, want a collection of 1", st, m)
	}
	if st, m := do("GET", "/orders/order_Missing0000000", "", true); st != 400 || errCode(m) != "BAD_REQUEST_ERROR id" {
		t.Errorf("GET unknown order = %d %v, want 400 BAD_REQUEST_ERROR id", st, m)
	}
	c, err := s.Pay(o["id"].(string), razorpayfake.Success)
	if err != nil {
		t.Fatal(err)
	}
	if c.Signature != razorpayfake.Sign(s.KeySecret(), c.OrderID+"|"+c.PaymentID) {
		t.Errorf("Checkout signature %s is not HMAC(order_id|payment_id)", c.Signature)
	}
	if st, p := do("GET", "/payments/"+c.PaymentID, "", true); st != 200 || p["status"] != "captured" || p["captured"] != true || p["order_id"] != c.OrderID {
		t.Errorf("GET payment = %d %v, want captured for %s", st, p, c.OrderID)
	}
	if st, m := do("POST", "/payments/"+c.PaymentID+"/refund", `{"amount":60000}`, true); st != 400 || errCode(m) != "BAD_REQUEST_ERROR amount" {
		t.Errorf("refund over the capture = %d %v, want 400 BAD_REQUEST_ERROR amount", st, m)
	}
	if st, r := do("POST", "/payments/"+c.PaymentID+"/refund", `{"amount":10000,"receipt":"rf1"}`, true); st != 200 ||
		!strings.HasPrefix(r["id"].(string), "rfnd_") || r["status"] != "processed" || r["receipt"] != "rf1" {
		t.Errorf("refund = %d %v, want a processed rfnd_", st, r)
	}
	var events []string
	for _, w := range s.Webhooks() {
		events = append(events, w.Event)
	}
	if got := strings.Join(events, " "); got != "payment.authorized payment.captured order.paid refund.created refund.processed" {
		t.Errorf("webhooks = %s", got)
	}
}
