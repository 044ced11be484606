package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw/razorpayfake"
	"github.com/bazaar-market/bazaar/internal/payment/stripegw/stripemock"
	"github.com/bazaar-market/bazaar/internal/server"
)

// TestCurlJourney runs scripts/journey.sh and scripts/support.sh, the order
// and the support and returns journeys by curl that the README shows,
// against a real server with the demo data, on both engines.
func TestCurlJourney(t *testing.T) {
	needTools(t)
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		if _, err := s.Seed(context.Background(), server.SeedOptions{PerCategory: 2, ImageSize: 16}); err != nil {
			t.Fatal(err)
		}
		// support.sh first: its return's pickup then goes to the demo
		// delivery partner, the only one, and the script acts as that
		// partner (journey.sh adds a second, idle partner, who would get
		// it).
		for _, script := range []string{"support.sh", "journey.sh"} {
			out, err := exec.Command("bash", "../../scripts/"+script, base).CombinedOutput()
			if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "journey ok") {
				t.Fatalf("%s: %v\n%s", script, err, out)
			}
		}
		checkPayloads(t, s)
		checkGatewayFees(t, s, "test")
	})
}

// checkGatewayFees checks that the ledger booked the gateway's fee of every
// payment it captured, once: the gateway reports it with the capture.
func checkGatewayFees(t *testing.T, s *server.Server, gateway string) {
	t.Helper()
	q := s.DB().Read()
	var captured, booked, wrong int
	if err := q.QueryRow(`SELECT COUNT(*) FROM payment_payments WHERE gateway = $1 AND status IN ('succeeded', 'partially_refunded', 'refunded')`, gateway).Scan(&captured); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := q.QueryRow(`SELECT COUNT(*) FROM ledger_txn t JOIN payment_payments p ON p.id = t.payment_id
			WHERE t.kind = 'gateway_fee' AND p.gateway = $1`, gateway).Scan(&booked); err != nil {
			t.Fatal(err)
		}
		if booked >= captured || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Each fee is the gateway's expense to the platform and leaves the gateway's account.
	if err := q.QueryRow(`SELECT COUNT(*) FROM ledger_txn t WHERE t.kind = 'gateway_fee' AND NOT EXISTS (
			SELECT 1 FROM ledger_entry e WHERE e.txn_id = t.id AND e.account_kind = 'gateway_fees' AND e.amount > 0)`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if captured == 0 || booked != captured || wrong != 0 {
		t.Errorf("%s: %d captured payments, %d gateway fees booked (%d not to the platform's fees); want one each", gateway, captured, booked, wrong)
	}
}

// needTools skips a test of the curl scripts where bash, curl or jq is
// missing (and fails it in CI).
func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required in CI: %v", tool, err)
			}
			t.Skipf("the curl journeys need %s: %v", tool, err)
		}
	}
}

// checkPayloads decodes every event the journey published into the payload
// type of every consumer subscribed to its topic (unknown fields refused),
// so a publisher and a consumer can never drift apart unseen.
func checkPayloads(t *testing.T, s *server.Server) {
	t.Helper()
	rows, err := s.DB().Read().Query(`SELECT id, topic, aggregate, payload FROM event_outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	decoded := map[string]bool{} // topic -> decoded by some consumer
	for rows.Next() {
		var e event.Event
		var payload string
		if err := rows.Scan(&e.ID, &e.Topic, &e.Aggregate, &payload); err != nil {
			t.Fatal(err)
		}
		e.Payload = json.RawMessage(payload)
		consumers, err := event.CheckPayload(e)
		if err != nil {
			t.Error(err)
		}
		if len(consumers) > 0 {
			decoded[e.Topic] = true
		}
	}
	// The check can fail: a payload with a field no consumer knows.
	if _, err := event.CheckPayload(event.Event{ID: "evt_x", Topic: "order.paid.v1", Payload: json.RawMessage(`{"order_id":"o","bogus":1}`)}); err == nil {
		t.Error("CheckPayload accepted order.paid.v1 with an unknown field")
	}
	// The journey publishes every topic a module consumes.
	for _, topic := range []string{"account.seller.created.v1", "catalog.product.created.v1", "inventory.stock.changed.v1",
		"order.placed.v1", "order.paid.v1", "order.cancelled.v1", "payment.succeeded.v1", "payment.failed.v1",
		"payment.refunded.v1", "shipment.created.v1", "shipment.status_changed.v1", "search.signals_changed.v1",
		"return.received.v1", "return.refunded.v1"} {
		if topic == "account.seller.created.v1" {
			continue // nobody consumes it (yet): published for the record
		}
		if !decoded[topic] {
			t.Errorf("no %s event was decoded by a consumer", topic)
		}
	}
}

// TestCurlJourneyRazorpay runs the order journey with dollars routed to
// Razorpay (the local fake, with its test method tokens): the order is paid,
// a payment is declined, a paid order is cancelled and refunded, all
// through the Razorpay driver, on both engines.
func TestCurlJourneyRazorpay(t *testing.T) {
	needTools(t)
	engines(t, func(t *testing.T, dbURL string) {
		rzp := razorpayfake.NewServer(razorpayfake.Options{})
		defer rzp.Close()
		s, base := bootConfig(t, server.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, Payments: server.Payments{
			Gateways: "USD:razorpay",
			Razorpay: server.RazorpayConfig{KeyID: rzp.KeyID(), KeySecret: rzp.KeySecret(), APIBase: rzp.APIBase, TestTokens: true,
				WebhookSecrets: []string{razorpayfake.DefaultWebhookSecret}},
		}})
		if _, err := s.Seed(context.Background(), server.SeedOptions{PerCategory: 2, ImageSize: 16}); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			var n int
			if err := s.DB().Read().QueryRow(`SELECT count(*) FROM payment_payments WHERE gateway = 'razorpay'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		seeded, orders := count(), len(rzp.Orders()) // the demo customer's paid orders
		if seeded == 0 {
			t.Error("the demo orders were not paid through razorpay")
		}
		cmd := exec.Command("bash", "../../scripts/journey.sh", base)
		cmd.Env = append(os.Environ(), "PAY_METHOD=rzp_test_success", "DECLINE_METHOD=rzp_test_failure")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "journey ok") {
			t.Fatalf("journey.sh through razorpay: %v\n%s", err, out)
		}
		// Every payment of the journey's four orders went through Razorpay.
		if n := count() - seeded; n != 4 {
			t.Errorf("the journey made %d payments through razorpay, want 4", n)
		}
		if n := len(rzp.Orders()) - orders; n != 4 {
			t.Errorf("the journey made %d orders in the fake, want 4", n)
		}
		checkGatewayFees(t, s, "razorpay")
	})
}

// TestCurlJourneyStripe runs the order journey with dollars routed to Stripe
// (stripe-mock behind stripemock.Front, which keeps test mode's state and
// sends its signed webhooks to the server): the demo orders and the
// journey's are paid with pm_card_visa, one is declined with
// pm_card_chargeDeclined, a paid order is cancelled and refunded, all
// through the Stripe driver, on both engines.
func TestCurlJourneyStripe(t *testing.T) {
	needTools(t)
	mock := stripemock.Start(t)
	engines(t, func(t *testing.T, dbURL string) {
		front := stripemock.NewFront(t, mock, stripemock.FrontOptions{})
		s, base := bootConfig(t, server.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, Payments: server.Payments{
			Gateways: "USD:stripe",
			Stripe: server.StripeConfig{SecretKey: stripemock.Key, PublishableKey: "pk_test_123", APIBase: front.URL,
				WebhookSecrets: []string{front.WebhookSecret()}},
		}})
		front.SetDeliver(stripemock.PostTo(base+"/api/v1/payment/webhook/stripe"), false)
		if _, err := s.Seed(context.Background(), server.SeedOptions{PerCategory: 2, ImageSize: 16, PayMethod: "pm_card_visa"}); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			var n int
			if err := s.DB().Read().QueryRow(`SELECT count(*) FROM payment_payments WHERE gateway = 'stripe'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// The demo customer's paid orders, and a return's refund.
		seeded, intents, refunds := count(), len(front.Intents()), len(front.Refunds())
		if seeded == 0 || intents != seeded {
			t.Errorf("the demo orders made %d stripe payments and %d intents, want some, as many", seeded, intents)
		}
		cmd := exec.Command("bash", "../../scripts/journey.sh", base)
		cmd.Env = append(os.Environ(), "PAY_METHOD=pm_card_visa", "DECLINE_METHOD=pm_card_chargeDeclined")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "journey ok") {
			t.Fatalf("journey.sh through stripe: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "payment failed: generic_decline") {
			t.Errorf("journey.sh did not show Stripe's decline code:\n%s", out)
		}
		// The journey's four payments went through Stripe: three succeeded,
		// one declined, and the money of the cancelled order and of the
		// parcel refused at the door went back.
		if n := count() - seeded; n != 4 {
			t.Errorf("the journey made %d payments through stripe, want 4", n)
		}
		var paid, declined int
		for _, in := range front.Intents()[intents:] {
			switch {
			case in.Status == "succeeded" && in.Method == "pm_card_visa":
				paid++
			case in.Status == "requires_payment_method" && in.DeclineCode == "generic_decline":
				declined++
			}
		}
		if paid != 3 || declined != 1 {
			t.Errorf("the journey's intents: %d paid, %d declined; want 3, 1: %+v", paid, declined, front.Intents()[intents:])
		}
		if rs := front.Refunds()[refunds:]; len(rs) != 2 || rs[0].Status != "succeeded" || rs[1].Status != "succeeded" {
			t.Errorf("refunds at Stripe = %+v, want two, succeeded", rs)
		}
		// Stripe's webhooks reached the server and were accepted (each
		// repeating what the API's answer had already said).
		front.Wait()
		for _, ev := range front.Events() {
			if ev.Delivered != 1 || ev.Err != nil {
				t.Errorf("webhook %s %s delivered %d times (%v), want once", ev.Type, ev.ID, ev.Delivered, ev.Err)
			}
		}
		checkPayloads(t, s)
	})
}

// TestCurlJourneyCOD runs the order journey paid in cash on delivery: each
// delivery partner records the cash collected with the delivered event
// (refused without it or short of it), the payment is captured then, the
// admin sees the cash the partner holds and records its handover, and the
// order cancelled before dispatch has its payment voided and its stock
// back, on both engines. Afterwards every cash payment of the journey is
// settled: captured for the delivered order, voided for the cancelled one.
func TestCurlJourneyCOD(t *testing.T) {
	needTools(t)
	engines(t, func(t *testing.T, dbURL string) {
		// The journey's first order (two demo products) is above the
		// default limit of 500 dollars.
		s, base := bootConfig(t, server.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, Payments: server.Payments{CODLimits: "USD:5000"}})
		if _, err := s.Seed(context.Background(), server.SeedOptions{PerCategory: 2, ImageSize: 16}); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "../../scripts/journey.sh", base)
		cmd.Env = append(os.Environ(), "PAY_METHOD=cod")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "journey ok") {
			t.Fatalf("journey.sh with cash on delivery: %v\n%s", err, out)
		}
		rows, err := s.DB().Read().Query(`SELECT status, captured FROM payment_payments WHERE gateway = 'cod' ORDER BY created_at`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var status string
			var captured int64
			if err := rows.Scan(&status, &captured); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s:%t", status, captured > 0))
		}
		if want := []string{"succeeded:true", "voided:false", "voided:false"}; !slices.Equal(got, want) {
			t.Errorf("cash payments = %v, want %v", got, want)
		}
		checkPayloads(t, s)
	})
}

// TestCurlJourneyManualCapture runs the order journey with card payments
// authorised at checkout and captured at handover
// (BAZAAR_PAYMENT_CAPTURE=manual): the journey passes unchanged, every
// card payment is authorised for manual capture, none is left authorised,
// and the ones captured were captured by the handovers (journey.sh checks
// that the order cancelled before shipping has its authorisation voided).
func TestCurlJourneyManualCapture(t *testing.T) {
	needTools(t)
	engines(t, func(t *testing.T, dbURL string) {
		s, base := bootConfig(t, server.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, Payments: server.Payments{Capture: "manual"}})
		if _, err := s.Seed(context.Background(), server.SeedOptions{PerCategory: 2, ImageSize: 16}); err != nil {
			t.Fatal(err)
		}
		start := time.Now().UnixMicro() // the seeded demo orders before it may still await their handover
		cmd := exec.Command("bash", "../../scripts/journey.sh", base)
		cmd.Env = append(os.Environ(), "PAY_CAPTURE=manual")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "journey ok") {
			t.Fatalf("journey.sh with manual capture: %v\n%s", err, out)
		}
		rows, err := s.DB().Read().Query(`SELECT status, manual_capture, captured FROM payment_payments
			WHERE gateway = 'test' AND created_at >= $1 ORDER BY created_at`, start)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		captured := 0
		for rows.Next() {
			var status string
			var manual bool
			var amount int64
			if err := rows.Scan(&status, &manual, &amount); err != nil {
				t.Fatal(err)
			}
			if !manual || status == "authorized" || status == "pending" || status == "processing" {
				t.Errorf("payment %s (manual capture %v) after the journey", status, manual)
			}
			if amount > 0 {
				captured++
			}
		}
		if captured == 0 {
			t.Errorf("no card payment was captured at handover")
		}
		checkPayloads(t, s)
	})
}
