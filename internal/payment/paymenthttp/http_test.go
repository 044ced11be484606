package paymenthttp_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymenthttp"
	"github.com/bazaar-market/bazaar/internal/payment/paymentsql"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw/razorpayfake"
	"github.com/bazaar-market/bazaar/internal/payment/testgateway"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestRoutes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for _, m := range []func(context.Context, *sqldb.DB) error{event.Migrate, paymentsql.Migrate, testgateway.Migrate} {
			if err := m(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		tokens := auth.NewTokens(key, 15*time.Minute)
		router := rest.NewRouter()
		api := tokens.Middleware(nil, rest.Error)(router)
		gw := testgateway.New(db, testgateway.Options{Logger: quiet, Deliver: paymenthttp.Loopback(api, testgateway.Name)})
		rzp := razorpayfake.NewServer(razorpayfake.Options{})
		defer rzp.Close()
		rgw, err := razorpaygw.New(razorpaygw.Options{KeyID: rzp.KeyID(), KeySecret: rzp.KeySecret(),
			WebhookSecrets: []string{razorpayfake.DefaultWebhookSecret}, APIBase: rzp.APIBase, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		svc := payment.New(paymentsql.New(db), gw, payment.Options{Logger: quiet, Route: map[string]payment.Gateway{"INR": rgw}})
		paymenthttp.New(svc).Routes(router)
		srv := httptest.NewServer(api)
		defer srv.Close()

		if diff := cmp.Diff([]string{
			"GET /api/v1/payment/checkout",
			"GET /api/v1/payment/{id}",
			"GET /api/v1/seller/cod",
			"POST /api/v1/payment/webhook/razorpay",
			"POST /api/v1/payment/webhook/test",
			"POST /api/v1/payment/{id}/capture",
			"POST /api/v1/payment/{id}/confirm",
			"POST /api/v1/payment/{id}/refund",
			"PUT /api/v1/seller/cod",
		}, router.Routes()); diff != "" {
			t.Errorf("routes (-want +got):\n%s", diff)
		}

		pay := func(order, customer, method string) payment.Payment {
			p, err := svc.Start(ctx, payment.Start{OrderID: id.Order(order), CustomerID: id.User(customer), Amount: money.New(1000, "USD"), Method: method})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := gw.Flush(ctx); err != nil { // delivered through the real webhook route
				t.Fatal(err)
			}
			return p
		}
		mine := pay("ord_a", "usr_a", "tok_visa")
		declined := pay("ord_d", "usr_a", "tok_insufficientFunds")
		// A payment in rupees goes through Razorpay, confirmed by Checkout
		// in the browser: no method, and the next action says so.
		rupees, err := svc.Start(ctx, payment.Start{OrderID: "ord_r", CustomerID: "usr_a", Amount: money.New(49900, "INR")})
		if err != nil {
			t.Fatal(err)
		}
		if rupees.Gateway != "razorpay" || rupees.Status != payment.Processing || rupees.NextAction == nil ||
			rupees.NextAction.Type != "use_sdk" || rupees.NextAction.GatewayOrderID != rupees.GatewayIntentID {
			t.Fatalf("INR payment = %+v (next action %+v); want processing through razorpay awaiting Checkout", rupees, rupees.NextAction)
		}
		paid, err := rzp.Pay(rupees.GatewayIntentID, razorpayfake.Success)
		if err != nil {
			t.Fatal(err)
		}
		proof, _ := json.Marshal(paid.Proof())
		forged := paid.Proof()
		forged["razorpay_signature"] = strings.Repeat("0", 64)
		forgedJSON, _ := json.Marshal(forged)
		rzpHook := []byte(`{"entity":"event","event":"payment.captured","created_at":1}`)

		who := map[string]auth.Principal{
			"owner":   {UserID: "usr_a", Role: auth.Customer},
			"other":   {UserID: "usr_b", Role: auth.Customer},
			"seller":  {UserID: "usr_s", Role: auth.Seller},
			"support": {UserID: "usr_sup", Role: auth.Support},
			"admin":   {UserID: "usr_adm", Role: auth.Admin},
		}
		webhook := []byte(`{"id":"evt_x","type":"payment_intent.succeeded","data":{"object":{"object":"payment_intent","id":"pi_x","status":"succeeded","amount":1,"currency":"USD","metadata":{}}}}`)
		tests := []struct {
			name, method, path, body, who string
			header                        http.Header
			status                        int
			want, not                     []string
		}{
			{name: "owner reads", method: "GET", path: "/api/v1/payment/" + string(mine.ID), who: "owner", status: 200,
				want: []string{`"id":"` + string(mine.ID) + `"`, `"order_id":"ord_a"`, `"status":"succeeded"`, `"amount":{"amount":1000,"currency":"USD"}`,
					`"method":"tok_visa"`, `"gateway":"test"`, `"refunded_amount":{"amount":0,"currency":"USD"}`, `"refunds":[]`, `"created_at":`, `"updated_at":`},
				not: []string{"idempotency", "order:ord_a", "customer_id", "version", "secret", "failure_code"}},
			{name: "declined shows why", method: "GET", path: "/api/v1/payment/" + string(declined.ID), who: "owner", status: 200,
				want: []string{`"status":"failed"`, `"failure_code":"insufficient_funds"`, `"failure_message":"Your card has insufficient funds."`}},
			{name: "another customer", method: "GET", path: "/api/v1/payment/" + string(mine.ID), who: "other", status: 404, want: []string{`"code":"not_found"`}},
			{name: "a seller", method: "GET", path: "/api/v1/payment/" + string(mine.ID), who: "seller", status: 404},
			{name: "support reads", method: "GET", path: "/api/v1/payment/" + string(mine.ID), who: "support", status: 200},
			{name: "admin reads", method: "GET", path: "/api/v1/payment/" + string(mine.ID), who: "admin", status: 200},
			{name: "anonymous", method: "GET", path: "/api/v1/payment/" + string(mine.ID), status: 401},
			{name: "missing", method: "GET", path: "/api/v1/payment/pay_missing", who: "admin", status: 404},

			{name: "owner cannot refund", method: "POST", path: "/api/v1/payment/" + string(mine.ID) + "/refund", body: `{"reason":"x"}`, who: "owner", status: 403},
			{name: "anonymous cannot refund", method: "POST", path: "/api/v1/payment/" + string(mine.ID) + "/refund", body: `{"reason":"x"}`, status: 401},
			{name: "unknown field", method: "POST", path: "/api/v1/payment/" + string(mine.ID) + "/refund", body: `{"reason":"x","status":"refunded"}`, who: "admin", status: 400,
				want: []string{`"code":"unknown_field"`}},
			{name: "support refunds part", method: "POST", path: "/api/v1/payment/" + string(mine.ID) + "/refund",
				body: `{"amount":{"amount":400,"currency":"USD"},"reason":"damaged"}`, who: "support", status: 200,
				want: []string{`"status":"partially_refunded"`, `"refunded_amount":{"amount":400,"currency":"USD"}`, `"reason":"damaged"`, `"status":"succeeded"`},
				not:  []string{"usr_sup"}},
			{name: "over the limit", method: "POST", path: "/api/v1/payment/" + string(mine.ID) + "/refund",
				body: `{"amount":{"amount":601,"currency":"USD"},"reason":"x"}`, who: "admin", status: 422, want: []string{`"code":"refund_exceeds_captured"`}},
			{name: "admin refunds the rest", method: "POST", path: "/api/v1/payment/" + string(mine.ID) + "/refund", body: `{"reason":"cancelled"}`, who: "admin", status: 200,
				want: []string{`"status":"refunded"`, `"refunded_amount":{"amount":1000,"currency":"USD"}`}},
			{name: "nothing left", method: "POST", path: "/api/v1/payment/" + string(mine.ID) + "/refund", body: `{"reason":"x"}`, who: "admin", status: 409,
				want: []string{`"code":"payment_fully_refunded"`}},
			{name: "declined cannot be refunded", method: "POST", path: "/api/v1/payment/" + string(declined.ID) + "/refund", body: `{"reason":"x"}`, who: "admin", status: 409,
				want: []string{`"code":"payment_not_captured"`}},

			{name: "checkout in dollars", method: "GET", path: "/api/v1/payment/checkout?currency=USD", status: 200,
				want: []string{`"gateway":"test"`, `"client_side":false`}, not: []string{"publishable_key"}},
			{name: "checkout in rupees", method: "GET", path: "/api/v1/payment/checkout?currency=INR", status: 200,
				want: []string{`"gateway":"razorpay"`, `"client_side":true`, `"publishable_key":"` + rzp.KeyID() + `"`}, not: []string{rzp.KeySecret()}},
			{name: "checkout without currency", method: "GET", path: "/api/v1/payment/checkout", status: 400},
			{name: "next action for Checkout", method: "GET", path: "/api/v1/payment/" + string(rupees.ID), who: "owner", status: 200,
				want: []string{`"status":"processing"`, `"type":"use_sdk"`, `"gateway":"razorpay"`, `"gateway_order_id":"` + rupees.GatewayIntentID + `"`}},
			{name: "another customer cannot confirm", method: "POST", path: "/api/v1/payment/" + string(rupees.ID) + "/confirm", body: string(proof), who: "other", status: 404},
			{name: "forged proof", method: "POST", path: "/api/v1/payment/" + string(rupees.ID) + "/confirm", body: string(forgedJSON), who: "owner", status: 400,
				want: []string{`"code":"invalid_signature"`}},
			{name: "still open after a forged proof", method: "GET", path: "/api/v1/payment/" + string(rupees.ID), who: "owner", status: 200,
				want: []string{`"status":"processing"`}},
			{name: "owner confirms", method: "POST", path: "/api/v1/payment/" + string(rupees.ID) + "/confirm", body: string(proof), who: "owner", status: 200,
				want: []string{`"status":"succeeded"`, `"gateway":"razorpay"`, `"amount":{"amount":49900,"currency":"INR"}`}, not: []string{"next_action"}},
			{name: "confirming again changes nothing", method: "POST", path: "/api/v1/payment/" + string(rupees.ID) + "/confirm", body: string(proof), who: "owner", status: 200,
				want: []string{`"status":"succeeded"`}},
			{name: "customer cannot capture", method: "POST", path: "/api/v1/payment/" + string(rupees.ID) + "/capture", who: "owner", status: 403},
			{name: "captured already", method: "POST", path: "/api/v1/payment/" + string(rupees.ID) + "/capture", who: "admin", status: 409,
				want: []string{`"code":"not_capturable"`}},
			{name: "test gateway payment is not confirmable", method: "POST", path: "/api/v1/payment/" + string(declined.ID) + "/confirm", body: `{}`, who: "owner", status: 200,
				want: []string{`"status":"failed"`}},
			{name: "unsigned razorpay webhook", method: "POST", path: "/api/v1/payment/webhook/razorpay", body: string(rzpHook), status: 400,
				want: []string{`"code":"invalid_signature"`}},

			{name: "unsigned webhook", method: "POST", path: "/api/v1/payment/webhook/test", body: string(webhook), status: 400,
				want: []string{`"code":"invalid_signature"`}},
			{name: "signed webhook", method: "POST", path: "/api/v1/payment/webhook/test", body: string(webhook), header: gw.Sign(webhook), status: 200,
				want: []string{`"received":true`}},
			{name: "same webhook again", method: "POST", path: "/api/v1/payment/webhook/test", body: string(webhook), header: gw.Sign(webhook), status: 200},
			{name: "unknown gateway", method: "POST", path: "/api/v1/payment/webhook/paypal", body: string(webhook), header: gw.Sign(webhook), status: 404},
		}
		for _, tt := range tests {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header[k] = v
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if tt.who != "" {
				tok, _, err := tokens.Issue(who[tt.who])
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Errorf("%s: %s %s = %d, want %d\n%s", tt.name, tt.method, tt.path, res.StatusCode, tt.status, b)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("%s: body lacks %s\n%s", tt.name, w, b)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(string(b), w) {
					t.Errorf("%s: body contains %s\n%s", tt.name, w, b)
				}
			}
		}
	})
}
