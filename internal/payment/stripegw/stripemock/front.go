package stripemock

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v86"
	"github.com/stripe/stripe-go/v86/webhook"
)

// Front is a test double of Stripe's test mode: an HTTP server in front of
// stripe-mock that keeps the little state stripe-mock lacks. It is not
// Stripe and models only what Bazaar uses; where it models something it
// follows Stripe's documented behaviour.
//
// Every request is forwarded to stripe-mock first, so each one is still
// checked against Stripe's OpenAPI spec: a request stripe-mock refuses is
// answered with stripe-mock's refusal, unchanged and unrecorded. An
// accepted request on a modelled route is answered with stripe-mock's
// fixture, its stateful fields overwritten (so the JSON is Stripe's shape):
//
//   - POST /v1/payment_intents: amount, currency, metadata and
//     capture_method are kept. With confirm=true the outcome follows
//     Stripe's test payment methods (Methods): pm_card_visa and
//     pm_card_mastercard succeed (requires_capture for manual capture),
//     pm_card_chargeDeclined and its kin answer 402 card_error with the
//     intent, now requires_payment_method with last_payment_error, as
//     Stripe does; a method it does not know is 400 resource_missing.
//     Without confirmation the intent waits for the browser
//     (requires_payment_method, no error).
//   - POST /v1/payment_intents/{id}/confirm, /capture and /cancel move a
//     known intent as Stripe does and refuse it (400
//     payment_intent_unexpected_state) in the wrong status.
//   - POST /v1/refunds refunds a succeeded intent: at most what was
//     captured and not yet refunded (else 400 amount_too_large, or
//     charge_already_refunded), all of what is left when no amount is
//     given; refunds come back succeeded.
//   - GET /v1/payment_intents/{id} and /v1/refunds/{id}; an unknown ID is
//     404 resource_missing.
//
// Other routes (transfers, ...) are stripe-mock's fixtures as they are.
// Every POST with an Idempotency-Key is idempotent as with Stripe: the
// same key and parameters replay the first answer (Idempotent-Replayed:
// true), other parameters or another endpoint are 400 idempotency_error,
// and a key whose first request is still running is 409.
//
// Each change makes the events Stripe would send (payment_intent.created,
// .succeeded, .payment_failed, .requires_action,
// .amount_capturable_updated, .canceled; refund.created), signed with the
// webhook secret. They are recorded (Events) and, once a Deliver function
// is set, delivered in order after the answer (retried on failure, as
// Stripe retries), or before the answer with DeliverFirst.
type Front struct {
	// URL is the front's base URL: the driver's APIBase.
	URL string

	mock   string
	hc     *http.Client
	secret string

	mu         sync.Mutex
	deliver    func(h http.Header, body []byte) error
	first      bool
	stall      int
	keys       map[string]*saved
	intents    map[string]*Intent
	order      []string // intent IDs, oldest first
	refunds    map[string]*Refund
	refundIDs  []string
	events     []Event
	eventAt    map[string]int // index in events by ID
	requests   map[string]int
	deliveries sync.WaitGroup
}

// FrontOptions configures a Front.
type FrontOptions struct {
	// WebhookSecret signs the events (DefaultWebhookSecret when empty).
	WebhookSecret string
	// Deliver, when set, receives each event's Stripe-Signature header and
	// body; an error makes the front retry. SetDeliver sets it later.
	Deliver func(h http.Header, body []byte) error
	// DeliverFirst delivers a request's events before its answer is sent,
	// as happens when Stripe's webhook overtakes the API's answer.
	DeliverFirst bool
}

// DefaultWebhookSecret signs a Front's events unless told otherwise.
const DefaultWebhookSecret = "whsec_stripemock_front"

// Methods are the test payment methods a Front knows, with their outcome
// when an intent is confirmed with them: "" succeeds, "requires_action"
// asks for 3-D Secure, anything else is the decline ("code/decline_code").
var Methods = map[string]string{
	"pm_card_visa":                            "",
	"pm_card_visa_debit":                      "",
	"pm_card_mastercard":                      "",
	"pm_card_amex":                            "",
	"pm_card_threeDSecure2Required":           "requires_action",
	"pm_card_authenticationRequired":          "requires_action",
	"pm_card_chargeDeclined":                  "card_declined/generic_decline",
	"pm_card_chargeDeclinedInsufficientFunds": "card_declined/insufficient_funds",
	"pm_card_chargeDeclinedLostCard":          "card_declined/lost_card",
	"pm_card_chargeDeclinedStolenCard":        "card_declined/stolen_card",
	"pm_card_chargeDeclinedFraudulent":        "card_declined/fraudulent",
	"pm_card_chargeDeclinedExpiredCard":       "expired_card/",
	"pm_card_chargeDeclinedIncorrectCvc":      "incorrect_cvc/",
	"pm_card_chargeDeclinedProcessingError":   "processing_error/",
}

// declineMessages are Stripe's messages for the decline codes above.
var declineMessages = map[string]string{
	"generic_decline":    "Your card was declined.",
	"insufficient_funds": "Your card has insufficient funds.",
	"lost_card":          "Your card was declined.",
	"stolen_card":        "Your card was declined.",
	"fraudulent":         "Your card was declined.",
	"expired_card":       "Your card has expired.",
	"incorrect_cvc":      "Your card's security code is incorrect.",
	"processing_error":   "An error occurred while processing your card. Try again in a little bit.",
}

// Intent is a PaymentIntent as the front keeps it.
type Intent struct {
	ID            string
	Amount        int64
	Currency      string // lower case, as Stripe
	Metadata      map[string]string
	CaptureMethod string // "automatic", "manual"
	Status        string // Stripe's: "succeeded", "requires_payment_method", ...
	Method        string // the payment method it was confirmed with
	Received      int64  // amount_received
	Capturable    int64  // amount_capturable
	Refunded      int64  // succeeded refunds
	DeclineCode   string // last_payment_error.decline_code (or .code when it has none)
	Charge        string // latest_charge
	ClientSecret  string
	Created       int64
	Canceled      string // cancellation_reason
}

// Refund is a refund as the front keeps it.
type Refund struct {
	ID, Intent, Charge, Currency, Status string
	Amount                               int64
	Metadata                             map[string]string
	Created                              int64
}

// Event is an event the front made, and how its deliveries went.
type Event struct {
	ID, Type  string
	Body      []byte
	Delivered int   // deliveries that succeeded
	Err       error // the last failed delivery's error
}

// saved is an idempotency key's first request and its answer.
type saved struct {
	endpoint string
	form     url.Values
	done     bool
	status   int
	body     []byte
}

// NewFront starts a front to stripe-mock at mockURL (see Start) for the
// rest of the test.
func NewFront(t testing.TB, mockURL string, opts FrontOptions) *Front {
	t.Helper()
	f := &Front{mock: strings.TrimRight(mockURL, "/"), hc: &http.Client{Timeout: 30 * time.Second},
		secret: opts.WebhookSecret, deliver: opts.Deliver, first: opts.DeliverFirst,
		keys: map[string]*saved{}, intents: map[string]*Intent{}, refunds: map[string]*Refund{}, requests: map[string]int{},
		eventAt: map[string]int{}}
	if f.secret == "" {
		f.secret = DefaultWebhookSecret
	}
	srv := httptest.NewServer(f)
	f.URL = srv.URL
	t.Cleanup(func() {
		srv.Close()
		f.deliveries.Wait()
	})
	return f
}

// WebhookSecret is the secret the front signs events with.
func (f *Front) WebhookSecret() string { return f.secret }

// SetDeliver sets where events go from now on (nil: recorded only).
func (f *Front) SetDeliver(deliver func(h http.Header, body []byte) error, first bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deliver, f.first = deliver, first
}

// PostTo returns a Deliver function that POSTs events to url, as Stripe
// does; an answer other than 2xx is an error.
func PostTo(url string) func(h http.Header, body []byte) error {
	return func(h http.Header, body []byte) error {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header = h.Clone()
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 1<<10))
		if res.StatusCode/100 != 2 {
			return fmt.Errorf("webhook to %s: %s: %s", url, res.Status, msg)
		}
		return nil
	}
}

// Sign returns the Stripe-Signature header for body, signed now.
func (f *Front) Sign(body []byte) http.Header {
	p := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: f.secret, Timestamp: time.Now()})
	return http.Header{"Stripe-Signature": {p.Header}}
}

// Stall makes the next n POST requests be carried out (state changed, the
// idempotent answer saved, events sent) and their answers withheld until
// the client gives up: a gateway that did the work but whose answer was
// lost on the way.
func (f *Front) Stall(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stall = n
}

// Intents returns every intent made, oldest first.
func (f *Front) Intents() []Intent {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Intent, 0, len(f.order))
	for _, id := range f.order {
		in := *f.intents[id]
		in.Metadata = maps.Clone(in.Metadata)
		out = append(out, in)
	}
	return out
}

// Refunds returns every refund made, oldest first.
func (f *Front) Refunds() []Refund {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Refund, 0, len(f.refundIDs))
	for _, id := range f.refundIDs {
		r := *f.refunds[id]
		r.Metadata = maps.Clone(r.Metadata)
		out = append(out, r)
	}
	return out
}

// Events returns every event made, oldest first.
func (f *Front) Events() []Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.events)
}

// Requests is how many requests the front received for an endpoint such as
// "POST /v1/payment_intents" or "POST /v1/refunds", replays included.
func (f *Front) Requests(endpoint string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[endpoint]
}

// Wait waits for the deliveries under way.
func (f *Front) Wait() { f.deliveries.Wait() }

// route is what a request is to the front.
type route struct {
	endpoint string // "POST /v1/payment_intents/{id}/capture": the idempotency scope
	kind     string // "create", "retrieve", "capture", "confirm", "cancel", "refund", "refund_get", "other"
	id       string
}

func routeOf(r *http.Request) route {
	p := strings.TrimSuffix(r.URL.Path, "/")
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	rt := route{endpoint: r.Method + " " + p, kind: "other"}
	if len(parts) < 2 || parts[0] != "v1" {
		return rt
	}
	switch {
	case parts[1] == "payment_intents" && len(parts) == 2 && r.Method == http.MethodPost:
		rt.kind = "create"
	case parts[1] == "payment_intents" && len(parts) == 3 && r.Method == http.MethodGet:
		rt.kind, rt.id = "retrieve", parts[2]
	case parts[1] == "payment_intents" && len(parts) == 4 && r.Method == http.MethodPost &&
		(parts[3] == "capture" || parts[3] == "confirm" || parts[3] == "cancel"):
		rt.kind, rt.id = parts[3], parts[2]
	case parts[1] == "payment_intents" && len(parts) >= 3:
		rt.kind, rt.id = "intent_other", parts[2]
	case parts[1] == "refunds" && len(parts) == 2 && r.Method == http.MethodPost:
		rt.kind = "refund"
	case parts[1] == "refunds" && len(parts) == 3 && r.Method == http.MethodGet:
		rt.kind, rt.id = "refund_get", parts[2]
	case parts[1] == "refunds" && len(parts) >= 3:
		rt.kind, rt.id = "refund_other", parts[2]
	}
	if rt.id != "" {
		rt.endpoint = strings.Replace(rt.endpoint, "/"+rt.id, "/{id}", 1)
	}
	return rt
}

// expand writes a succeeded intent's latest charge, with its balance
// transaction and Stripe's fee, into an answer that asked for
// "latest_charge.balance_transaction" (f.mu held). stripe-mock has
// validated the expansion; its expanded fixture is the base of the charge.
// Webhook events are never expanded, as at Stripe. The fee is Stripe's
// standard card pricing: 2.9 % of the amount received (rounded half up)
// plus 30 minor units.
func (f *Front) expand(a answer, fixture []byte, expand []string) answer {
	if a.status != 200 || !slices.Contains(expand, "latest_charge.balance_transaction") {
		return a
	}
	var o map[string]any
	if err := json.Unmarshal(a.body, &o); err != nil || o["object"] != "payment_intent" {
		return a
	}
	id, _ := o["id"].(string)
	in, ok := f.intents[id]
	if !ok || in.Charge == "" {
		return a
	}
	var fx struct {
		LatestCharge map[string]any `json:"latest_charge"`
	}
	_ = json.Unmarshal(fixture, &fx)
	ch := maps.Clone(fx.LatestCharge)
	if ch == nil {
		ch = map[string]any{}
	}
	ch["id"], ch["object"], ch["amount"], ch["currency"], ch["payment_intent"] = in.Charge, "charge", in.Amount, in.Currency, in.ID
	ch["balance_transaction"] = nil
	if in.Status == "succeeded" {
		fee := (in.Received*29+500)/1000 + 30
		bt, _ := ch["balance_transaction"].(map[string]any)
		if orig, ok := fx.LatestCharge["balance_transaction"].(map[string]any); ok {
			bt = maps.Clone(orig)
		}
		if bt == nil {
			bt = map[string]any{}
		}
		bt["id"], bt["object"], bt["amount"], bt["currency"] = "txn_"+strings.TrimPrefix(in.Charge, "ch_"), "balance_transaction", in.Received, in.Currency
		bt["fee"], bt["net"], bt["source"], bt["type"] = fee, in.Received-fee, in.Charge, "charge"
		bt["fee_details"] = []any{map[string]any{"amount": fee, "currency": in.Currency, "type": "stripe_fee", "description": "Stripe processing fees"}}
		ch["balance_transaction"], ch["amount_captured"], ch["captured"], ch["paid"], ch["status"] = bt, in.Received, true, true, "succeeded"
	}
	o["latest_charge"] = ch
	a.body = mustJSON(o)
	return a
}

// answer is what the front replies and the events the change made.
type answer struct {
	status int
	body   []byte
	events []Event
}

func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, 400, "invalid_request_error", "", "", "the request body could not be read")
		return
	}
	form, _ := url.ParseQuery(string(body))
	rt := routeOf(r)
	key := r.Header.Get("Idempotency-Key")
	if r.Method != http.MethodPost {
		key = ""
	}
	f.mu.Lock()
	f.requests[rt.endpoint]++
	if key != "" {
		if s, ok := f.keys[key]; ok {
			f.mu.Unlock()
			f.replay(w, key, s, rt, form)
			return
		}
		f.keys[key] = &saved{endpoint: rt.endpoint, form: form}
	}
	f.mu.Unlock()

	status, fixture, header, err := f.forward(r, body)
	if err != nil || status/100 != 2 {
		// Refused by stripe-mock (or it is unreachable): nothing was done,
		// and nothing is saved under the key.
		f.forget(key)
		if err != nil {
			writeError(w, 500, "api_error", "", "", "stripemock front: "+err.Error())
			return
		}
		copyHeader(w.Header(), header)
		w.WriteHeader(status)
		_, _ = w.Write(fixture)
		return
	}

	f.mu.Lock()
	a := f.apply(rt, form, fixture, key)
	a = f.expand(a, fixture, append(form["expand[]"], append(form["expand[0]"], r.URL.Query()["expand[0]"]...)...))
	if key != "" {
		s := f.keys[key]
		s.done, s.status, s.body = true, a.status, a.body
	}
	stall := r.Method == http.MethodPost && f.stall > 0
	if stall {
		f.stall--
	}
	deliver, first := f.deliver, f.first
	f.mu.Unlock()

	if deliver != nil && first {
		f.send(deliver, a.events)
	} else if deliver != nil && len(a.events) > 0 {
		f.deliveries.Add(1)
		go func() {
			defer f.deliveries.Done()
			f.send(deliver, a.events)
		}()
	}
	if stall {
		<-r.Context().Done()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_front_"+randomID(12))
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// replay answers a request whose key was seen, as Stripe does.
func (f *Front) replay(w http.ResponseWriter, key string, s *saved, rt route, form url.Values) {
	f.mu.Lock()
	done, endpoint, first, status, body := s.done, s.endpoint, s.form, s.status, s.body
	f.mu.Unlock()
	switch {
	case !done:
		writeError(w, 409, "idempotency_error", "", "", "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): "+key+". Please try again later.")
	case endpoint != rt.endpoint:
		writeError(w, 400, "idempotency_error", "", "", "Keys for idempotent requests can only be used for the same endpoint they were first used for ('"+endpoint+"' vs '"+rt.endpoint+"'). Try using a key other than '"+key+"' if you meant to execute a different request.")
	case !equalForms(first, form):
		writeError(w, 400, "idempotency_error", "", "", "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '"+key+"' if you meant to execute a different request.")
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Idempotent-Replayed", "true")
		w.Header().Set("Request-Id", "req_front_"+randomID(12))
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

func (f *Front) forget(key string) {
	if key == "" {
		return
	}
	f.mu.Lock()
	delete(f.keys, key)
	f.mu.Unlock()
}

func equalForms(a, b url.Values) bool {
	return maps.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

// forward sends the request to stripe-mock.
func (f *Front) forward(r *http.Request, body []byte) (int, []byte, http.Header, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, f.mock+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for _, h := range []string{"Authorization", "Content-Type", "Stripe-Version", "Stripe-Account", "Idempotency-Key", "User-Agent"} {
		if v := r.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	res, err := f.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header, err
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		if k != "Content-Length" {
			dst[k] = v
		}
	}
}

// apply carries out an accepted request on the state (f.mu held).
func (f *Front) apply(rt route, form url.Values, fixture []byte, key string) answer {
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(fixture))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil && rt.kind != "other" {
		return errorAnswer(500, "api_error", "", "", "stripemock front: stripe-mock's answer is not JSON: "+err.Error())
	}
	now := time.Now().Unix()
	switch rt.kind {
	case "create":
		return f.create(obj, form, now, key)
	case "retrieve", "capture", "confirm", "cancel", "intent_other":
		in, ok := f.intents[rt.id]
		if !ok {
			return errorAnswer(404, "invalid_request_error", "resource_missing", "intent", "No such payment_intent: '"+rt.id+"'")
		}
		switch rt.kind {
		case "retrieve":
			return answer{status: 200, body: mustJSON(in.object(obj))}
		case "capture":
			return f.capture(in, obj, form, key)
		case "confirm":
			if in.Status != "requires_payment_method" && in.Status != "requires_confirmation" {
				return unexpectedState(in, "confirm")
			}
			return f.confirm(in, obj, form.Get("payment_method"), key)
		case "cancel":
			switch in.Status {
			case "succeeded", "canceled", "processing":
				return unexpectedState(in, "cancel")
			}
			in.Status, in.Capturable = "canceled", 0
			in.Canceled = form.Get("cancellation_reason")
			o := in.object(obj)
			return answer{status: 200, body: mustJSON(o), events: []Event{f.event("payment_intent.canceled", o, key)}}
		}
		return errorAnswer(400, "invalid_request_error", "", "", "the stripemock front does not model "+rt.endpoint)
	case "refund":
		return f.refund(obj, form, now, key)
	case "refund_get", "refund_other":
		r, ok := f.refunds[rt.id]
		if !ok {
			return errorAnswer(404, "invalid_request_error", "resource_missing", "id", "No such refund: '"+rt.id+"'")
		}
		if rt.kind == "refund_other" {
			return errorAnswer(400, "invalid_request_error", "", "", "the stripemock front does not model "+rt.endpoint)
		}
		return answer{status: 200, body: mustJSON(r.object(obj))}
	}
	return answer{status: 200, body: fixture}
}

func (f *Front) create(obj map[string]any, form url.Values, now int64, key string) answer {
	amount, err := strconv.ParseInt(form.Get("amount"), 10, 64)
	if err != nil || amount <= 0 {
		return errorAnswer(400, "invalid_request_error", "parameter_invalid_integer", "amount", "Invalid positive integer")
	}
	in := &Intent{ID: "pi_" + randomID(24), Amount: amount, Currency: strings.ToLower(form.Get("currency")),
		Metadata: map[string]string{}, CaptureMethod: "automatic", Status: "requires_payment_method", Created: now}
	in.ClientSecret = in.ID + "_secret_" + randomID(24)
	if cm := form.Get("capture_method"); cm != "" {
		in.CaptureMethod = cm
	}
	for k, v := range form {
		if name, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(name, "]") && len(v) > 0 && v[0] != "" {
			in.Metadata[strings.TrimSuffix(name, "]")] = v[0]
		}
	}
	method := form.Get("payment_method")
	confirm := form.Get("confirm") == "true"
	if _, ok := Methods[method]; confirm && !ok {
		// Stripe made nothing: the method does not exist.
		return errorAnswer(400, "invalid_request_error", "resource_missing", "payment_method",
			"No such PaymentMethod: '"+method+"' (the stripemock front knows Stripe's test methods only)")
	}
	if !confirm && method != "" {
		in.Method, in.Status = method, "requires_confirmation"
	}
	f.intents[in.ID] = in
	f.order = append(f.order, in.ID)
	created := f.event("payment_intent.created", in.object(obj), key)
	if !confirm {
		return answer{status: 200, body: mustJSON(in.object(obj)), events: []Event{created}}
	}
	a := f.confirm(in, obj, method, key)
	a.events = append([]Event{created}, a.events...)
	return a
}

// confirm confirms in with method: the outcome of Stripe's test method.
func (f *Front) confirm(in *Intent, obj map[string]any, method, key string) answer {
	outcome, ok := Methods[method]
	if !ok {
		return errorAnswer(400, "invalid_request_error", "resource_missing", "payment_method",
			"No such PaymentMethod: '"+method+"' (the stripemock front knows Stripe's test methods only)")
	}
	in.Method, in.DeclineCode = method, ""
	switch {
	case outcome == "":
		in.Charge = "ch_" + randomID(24)
		if in.CaptureMethod == "manual" {
			in.Status, in.Capturable = "requires_capture", in.Amount
			o := in.object(obj)
			return answer{status: 200, body: mustJSON(o), events: []Event{f.event("payment_intent.amount_capturable_updated", o, key)}}
		}
		in.Status, in.Received = "succeeded", in.Amount
		o := in.object(obj)
		return answer{status: 200, body: mustJSON(o), events: []Event{f.event("payment_intent.succeeded", o, key)}}
	case outcome == "requires_action":
		in.Status = "requires_action"
		o := in.object(obj)
		return answer{status: 200, body: mustJSON(o), events: []Event{f.event("payment_intent.requires_action", o, key)}}
	}
	code, declineCode, _ := strings.Cut(outcome, "/")
	in.Status, in.Charge = "requires_payment_method", "ch_"+randomID(24)
	in.DeclineCode = cmp.Or(declineCode, code)
	o := in.object(obj)
	ev := f.event("payment_intent.payment_failed", o, key)
	e := map[string]any{"type": "card_error", "code": code, "message": declineMessages[in.DeclineCode],
		"charge": in.Charge, "doc_url": "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(code, "_", "-"), "payment_intent": o}
	if declineCode != "" {
		e["decline_code"] = declineCode
	}
	return answer{status: 402, body: mustJSON(map[string]any{"error": e}), events: []Event{ev}}
}

func (f *Front) capture(in *Intent, obj map[string]any, form url.Values, key string) answer {
	if in.Status != "requires_capture" {
		return unexpectedState(in, "capture")
	}
	amount := in.Capturable
	if s := form.Get("amount_to_capture"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || n > in.Capturable {
			return errorAnswer(400, "invalid_request_error", "amount_too_large", "amount_to_capture",
				fmt.Sprintf("The amount to capture must be at most %d, the amount capturable.", in.Capturable))
		}
		amount = n
	}
	in.Status, in.Received, in.Capturable = "succeeded", amount, 0
	o := in.object(obj)
	return answer{status: 200, body: mustJSON(o), events: []Event{f.event("payment_intent.succeeded", o, key)}}
}

func (f *Front) refund(obj map[string]any, form url.Values, now int64, key string) answer {
	id := form.Get("payment_intent")
	in, ok := f.intents[id]
	if !ok {
		return errorAnswer(400, "invalid_request_error", "resource_missing", "payment_intent", "No such payment_intent: '"+id+"'")
	}
	if in.Status != "succeeded" {
		return errorAnswer(400, "invalid_request_error", "", "payment_intent",
			"This PaymentIntent ("+id+") does not have a successful charge to refund.")
	}
	left := in.Received - in.Refunded
	if left <= 0 {
		return errorAnswer(400, "invalid_request_error", "charge_already_refunded", "",
			"Charge "+in.Charge+" has already been refunded.")
	}
	amount := left
	if s := form.Get("amount"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return errorAnswer(400, "invalid_request_error", "parameter_invalid_integer", "amount", "Invalid positive integer")
		}
		if n > left {
			return errorAnswer(400, "invalid_request_error", "amount_too_large", "amount",
				fmt.Sprintf("Refund amount (%d) is greater than unrefunded amount on charge (%d)", n, left))
		}
		amount = n
	}
	r := &Refund{ID: "re_" + randomID(24), Intent: id, Charge: in.Charge, Currency: in.Currency, Status: "succeeded",
		Amount: amount, Metadata: map[string]string{}, Created: now}
	for k, v := range form {
		if name, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(name, "]") && len(v) > 0 && v[0] != "" {
			r.Metadata[strings.TrimSuffix(name, "]")] = v[0]
		}
	}
	in.Refunded += amount
	f.refunds[r.ID] = r
	f.refundIDs = append(f.refundIDs, r.ID)
	o := r.object(obj)
	return answer{status: 200, body: mustJSON(o), events: []Event{f.event("refund.created", o, key)}}
}

func unexpectedState(in *Intent, action string) answer {
	return errorAnswer(400, "invalid_request_error", "payment_intent_unexpected_state", "",
		"This PaymentIntent's "+action+" could not be performed because it has a status of "+in.Status+".")
}

// object is stripe-mock's fixture with in's state written over it.
func (in *Intent) object(fixture map[string]any) map[string]any {
	o := maps.Clone(fixture)
	if o == nil {
		o = map[string]any{}
	}
	meta := map[string]any{}
	for k, v := range in.Metadata {
		meta[k] = v
	}
	o["id"], o["object"], o["amount"], o["currency"], o["metadata"] = in.ID, "payment_intent", in.Amount, in.Currency, meta
	o["capture_method"], o["status"], o["client_secret"], o["created"] = in.CaptureMethod, in.Status, in.ClientSecret, in.Created
	o["amount_received"], o["amount_capturable"] = in.Received, in.Capturable
	o["livemode"], o["transfer_data"], o["processing"], o["canceled_at"], o["cancellation_reason"] = false, nil, nil, nil, nil
	o["next_action"], o["last_payment_error"], o["latest_charge"], o["payment_method"] = nil, nil, nil, nil
	if in.Method != "" {
		o["payment_method"] = in.Method
	}
	if in.Charge != "" {
		o["latest_charge"] = in.Charge
	}
	switch in.Status {
	case "requires_action":
		o["next_action"] = map[string]any{"type": "use_stripe_sdk", "use_stripe_sdk": map[string]any{}}
	case "canceled":
		o["canceled_at"] = time.Now().Unix()
		if in.Canceled != "" {
			o["cancellation_reason"] = in.Canceled
		}
	}
	if in.DeclineCode != "" && in.Status == "requires_payment_method" {
		code, declineCode, _ := strings.Cut(Methods[in.Method], "/")
		e := map[string]any{"type": "card_error", "code": code, "message": declineMessages[in.DeclineCode], "charge": in.Charge}
		if declineCode != "" {
			e["decline_code"] = declineCode
		}
		o["last_payment_error"] = e
	}
	return o
}

// object is stripe-mock's fixture with r's state written over it.
func (r *Refund) object(fixture map[string]any) map[string]any {
	o := maps.Clone(fixture)
	if o == nil {
		o = map[string]any{}
	}
	meta := map[string]any{}
	for k, v := range r.Metadata {
		meta[k] = v
	}
	o["id"], o["object"], o["amount"], o["currency"], o["status"] = r.ID, "refund", r.Amount, r.Currency, r.Status
	o["payment_intent"], o["charge"], o["metadata"], o["created"] = r.Intent, r.Charge, meta, r.Created
	return o
}

// event records a Stripe event about obj (f.mu held).
func (f *Front) event(typ string, obj map[string]any, key string) Event {
	req := map[string]any{"id": nil, "idempotency_key": nil}
	if key != "" {
		req = map[string]any{"id": "req_front_" + randomID(12), "idempotency_key": key}
	}
	ev := Event{ID: "evt_" + randomID(24), Type: typ}
	ev.Body = mustJSON(map[string]any{"id": ev.ID, "object": "event", "api_version": stripe.APIVersion, "created": time.Now().Unix(),
		"data": map[string]any{"object": obj}, "livemode": false, "pending_webhooks": 1, "request": req, "type": typ})
	f.eventAt[ev.ID] = len(f.events)
	f.events = append(f.events, ev)
	return ev
}

// send delivers events in order, each retried a few times on failure.
func (f *Front) send(deliver func(http.Header, []byte) error, evs []Event) {
	for _, ev := range evs {
		var err error
		for try := range 5 {
			if try > 0 {
				time.Sleep(time.Duration(25<<try) * time.Millisecond)
			}
			if err = deliver(f.Sign(ev.Body), ev.Body); err == nil {
				break
			}
		}
		f.mu.Lock()
		if i, ok := f.eventAt[ev.ID]; ok && err == nil {
			f.events[i].Delivered++
		} else if ok {
			f.events[i].Err = err
		}
		f.mu.Unlock()
	}
}

func errorAnswer(status int, typ, code, param, msg string) answer {
	e := map[string]any{"type": typ, "message": msg}
	if code != "" {
		e["code"] = code
	}
	if param != "" {
		e["param"] = param
	}
	return answer{status: status, body: mustJSON(map[string]any{"error": e})}
}

func writeError(w http.ResponseWriter, status int, typ, code, param, msg string) {
	a := errorAnswer(status, typ, code, param, msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(a.body)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}
