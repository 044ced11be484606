package razorpayfake_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw/razorpayfake"
)

// TestSite: the script is served, Checkout's endpoint pays and declines as
// Checkout would report it, and the webhooks go to Deliver.
func TestSite(t *testing.T) {
	f := razorpayfake.New(razorpayfake.Options{})
	var delivered []string
	srv := httptest.NewServer(f.Site(razorpayfake.SiteOptions{Deliver: func(_ context.Context, h http.Header, body []byte) error {
		if h.Get("X-Razorpay-Signature") != razorpayfake.Sign(razorpayfake.DefaultWebhookSecret, string(body)) {
			t.Errorf("webhook signature %q does not sign its body", h.Get("X-Razorpay-Signature"))
		}
		var e struct{ Event string }
		_ = json.Unmarshal(body, &e)
		delivered = append(delivered, e.Event)
		return nil
	}}))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/checkout.js")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || !strings.Contains(string(js), "window.Razorpay") {
		t.Fatalf("GET /checkout.js = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	// The API, through the in-process transport, whatever the host.
	api := &http.Client{Transport: f.Transport()}
	req, _ := http.NewRequest("POST", "http://razorpay-fake.invalid/v1/orders", strings.NewReader(`{"amount":49900,"currency":"INR","receipt":"r1"}`))
	req.SetBasicAuth(f.KeyID(), f.KeySecret())
	req.Header.Set("Content-Type", "application/json")
	res, err = api.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var order razorpayfake.Order
	_ = json.NewDecoder(res.Body).Decode(&order)
	res.Body.Close()
	if res.StatusCode != 200 || order.ID == "" {
		t.Fatalf("POST /v1/orders through the transport = %d %+v", res.StatusCode, order)
	}

	pay := func(outcome string) (int, map[string]any) {
		res, err := http.Post(srv.URL+"/checkout/"+order.ID, "application/json", strings.NewReader(`{"outcome":"`+outcome+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	if status, _ := pay("maybe"); status != 400 {
		t.Errorf("outcome maybe = %d, want 400", status)
	}
	status, out := pay("failure")
	e, _ := out["error"].(map[string]any)
	if status != 200 || e["reason"] != "payment_declined" || e["metadata"].(map[string]any)["order_id"] != order.ID {
		t.Fatalf("failure = %d %v; want Checkout's error object", status, out)
	}
	status, out = pay("success")
	want := razorpayfake.Sign(f.KeySecret(), order.ID+"|"+out["razorpay_payment_id"].(string))
	if status != 200 || out["razorpay_order_id"] != order.ID || out["razorpay_signature"] != want {
		t.Fatalf("success = %d %v; want the proof signed with the key secret", status, out)
	}
	if status, _ := pay("success"); status != 400 {
		t.Errorf("paying a paid order = %d, want 400", status)
	}
	if got := strings.Join(delivered, ","); got != "payment.failed,payment.authorized,payment.captured,order.paid" {
		t.Errorf("delivered webhooks = %s, want payment.failed,payment.authorized,payment.captured,order.paid", got)
	}
}
