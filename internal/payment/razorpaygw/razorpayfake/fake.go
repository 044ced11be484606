// Package razorpayfake is a local, in-memory Razorpay: the REST endpoints
// Bazaar's Razorpay driver uses, with Razorpay's documented request and
// response shapes, Basic auth, amount and currency checks, and Razorpay's
// error body ({"error":{"code":"BAD_REQUEST_ERROR","description":...}}).
//
// Endpoints (under /v1):
//
//	POST /orders                    GET /orders?receipt=&count=&skip=
//	GET  /orders/{id}               GET /orders/{id}/payments
//	GET  /payments/{id}             POST /payments/{id}/capture
//	POST /payments/{id}/refund      GET /payments/{id}/refunds
//
// Fake is an http.Handler, so a server can mount it in process; NewServer
// runs it on a local port for tests. Tests drive it: Pay plays the
// customer's Checkout step, Inject makes requests fail (500, 429) or stall,
// Webhooks lists the signed webhooks it would have sent and Send posts them.
//
// One thing a real Razorpay does not do: an order created with the note
// TestMethodNote (set by the driver's test method tokens, which refuse to
// run against the real API) is paid at once with the outcome the token
// names, so scripts can pay without a browser.
package razorpayfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/payment"
)

// TestMethodNote is the order note that makes the fake pay an order at once
// (see the package doc). Its values are the driver's method tokens.
const TestMethodNote = "bazaar_test_method"

// Default credentials, used when Options leaves them empty.
const (
	DefaultKeyID         = "rzp_test_fakeKeyId0001"
	DefaultKeySecret     = "fake_key_secret_0001"
	DefaultWebhookSecret = "fake_webhook_secret_0001"
)

// Options configures a Fake. The zero value is usable.
type Options struct {
	KeyID, KeySecret string           // Basic auth; the defaults above when empty
	WebhookSecret    string           // signs webhooks; DefaultWebhookSecret when empty
	Now              func() time.Time // clock; time.Now when nil
	// PendingRefunds leaves refunds pending until SettleRefund, as Razorpay
	// does with normal-speed refunds; by default they are processed at once.
	PendingRefunds bool
}

// Fake is an in-memory Razorpay. It is safe for concurrent use.
type Fake struct {
	keyID, keySecret string
	now              func() time.Time
	pendingRefunds   bool
	mux              *http.ServeMux
	account          string

	sendMu sync.Mutex // one Deliver at a time: each webhook is handed on once

	mu            sync.Mutex
	webhookSecret string
	orders        map[string]*Order
	orderList     []string // oldest first
	payments      map[string]*Payment
	paymentList   []string
	refunds       map[string]*Refund
	refundList    []string
	autoCapture   map[string]bool // order ID -> payment_capture
	hooks         []Webhook
	sent          int // hooks[:sent] were delivered by Send
	faults        []*Fault
	calls         map[string]int
}

// New returns a Fake.
func New(opts Options) *Fake {
	f := &Fake{keyID: opts.KeyID, keySecret: opts.KeySecret, webhookSecret: opts.WebhookSecret, now: opts.Now,
		pendingRefunds: opts.PendingRefunds, account: "acc_" + newID(),
		orders: map[string]*Order{}, payments: map[string]*Payment{}, refunds: map[string]*Refund{},
		autoCapture: map[string]bool{}, calls: map[string]int{}}
	if f.keyID == "" {
		f.keyID = DefaultKeyID
	}
	if f.keySecret == "" {
		f.keySecret = DefaultKeySecret
	}
	if f.webhookSecret == "" {
		f.webhookSecret = DefaultWebhookSecret
	}
	if f.now == nil {
		f.now = time.Now
	}
	m := http.NewServeMux()
	m.HandleFunc("POST /v1/orders", f.createOrder)
	m.HandleFunc("GET /v1/orders", f.listOrders)
	m.HandleFunc("GET /v1/orders/{id}", f.getOrder)
	m.HandleFunc("GET /v1/orders/{id}/payments", f.orderPayments)
	m.HandleFunc("GET /v1/payments/{id}", f.getPayment)
	m.HandleFunc("POST /v1/payments/{id}/capture", f.capture)
	m.HandleFunc("POST /v1/payments/{id}/refund", f.refund)
	m.HandleFunc("GET /v1/payments/{id}/refunds", f.paymentRefunds)
	f.mux = m
	return f
}

// KeyID is the key ID the fake accepts.
func (f *Fake) KeyID() string { return f.keyID }

// KeySecret is the key secret the fake accepts (and signs Checkout with).
func (f *Fake) KeySecret() string { return f.keySecret }

// Server is a Fake listening on a local port.
type Server struct {
	*Fake
	APIBase string // the URL to give the driver: "http://127.0.0.1:<port>/v1"
	srv     *httptest.Server
}

// NewServer starts a Fake on a local port. Close it when done.
func NewServer(opts Options) *Server {
	f := New(opts)
	srv := httptest.NewServer(f)
	return &Server{Fake: f, APIBase: srv.URL + "/v1", srv: srv}
}

// Close shuts the server down.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Order is Razorpay's order entity.
type Order struct {
	ID         string  `json:"id"`
	Entity     string  `json:"entity"`
	Amount     int64   `json:"amount"`
	AmountPaid int64   `json:"amount_paid"`
	AmountDue  int64   `json:"amount_due"`
	Currency   string  `json:"currency"`
	Receipt    *string `json:"receipt"`
	OfferID    *string `json:"offer_id"`
	Status     string  `json:"status"` // created, attempted, paid
	Attempts   int     `json:"attempts"`
	Notes      Notes   `json:"notes"`
	CreatedAt  int64   `json:"created_at"`
}

// Payment is Razorpay's payment entity.
type Payment struct {
	ID               string  `json:"id"`
	Entity           string  `json:"entity"`
	Amount           int64   `json:"amount"`
	Currency         string  `json:"currency"`
	Status           string  `json:"status"` // created, authorized, captured, refunded, failed
	OrderID          *string `json:"order_id"`
	InvoiceID        *string `json:"invoice_id"`
	International    bool    `json:"international"`
	Method           string  `json:"method"`
	AmountRefunded   int64   `json:"amount_refunded"`
	RefundStatus     *string `json:"refund_status"` // null, partial, full
	Captured         bool    `json:"captured"`
	Description      *string `json:"description"`
	CardID           *string `json:"card_id"`
	Bank             *string `json:"bank"`
	Wallet           *string `json:"wallet"`
	VPA              *string `json:"vpa"`
	Email            string  `json:"email"`
	Contact          string  `json:"contact"`
	Notes            Notes   `json:"notes"`
	Fee              *int64  `json:"fee"`
	Tax              *int64  `json:"tax"`
	ErrorCode        *string `json:"error_code"`
	ErrorDescription *string `json:"error_description"`
	ErrorSource      *string `json:"error_source"`
	ErrorStep        *string `json:"error_step"`
	ErrorReason      *string `json:"error_reason"`
	CreatedAt        int64   `json:"created_at"`
}

// Refund is Razorpay's refund entity.
type Refund struct {
	ID             string         `json:"id"`
	Entity         string         `json:"entity"`
	Amount         int64          `json:"amount"`
	Currency       string         `json:"currency"`
	PaymentID      string         `json:"payment_id"`
	Notes          Notes          `json:"notes"`
	Receipt        *string        `json:"receipt"`
	AcquirerData   map[string]any `json:"acquirer_data"`
	CreatedAt      int64          `json:"created_at"`
	BatchID        *string        `json:"batch_id"`
	Status         string         `json:"status"` // pending, processed, failed
	SpeedProcessed string         `json:"speed_processed"`
	SpeedRequested string         `json:"speed_requested"`
}

// Notes are an entity's key-value notes. Like Razorpay, empty notes are
// written as [] rather than {}.
type Notes map[string]string

// MarshalJSON writes [] for empty notes, as Razorpay does.
func (n Notes) MarshalJSON() ([]byte, error) {
	if len(n) == 0 {
		return []byte("[]"), nil
	}
	return json.Marshal(map[string]string(n))
}

// UnmarshalJSON reads an object, or [] for none.
func (n *Notes) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); bytes.Equal(t, []byte("[]")) || bytes.Equal(t, []byte("null")) {
		*n = nil
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*n = m
	return nil
}

type collection[T any] struct {
	Entity string `json:"entity"`
	Count  int    `json:"count"`
	Items  []T    `json:"items"`
}

func strp(s string) *string { return &s }

func clone[T any](p *T) T { return *p }

// Order returns an order's current state.
func (f *Fake) Order(id string) (Order, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return Order{}, false
	}
	return clone(o), true
}

// Orders returns every order, oldest first.
func (f *Fake) Orders() []Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Order, 0, len(f.orderList))
	for _, id := range f.orderList {
		out = append(out, clone(f.orders[id]))
	}
	return out
}

// Payment returns a payment's current state.
func (f *Fake) Payment(id string) (Payment, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.payments[id]
	if !ok {
		return Payment{}, false
	}
	return clone(p), true
}

// Payments returns an order's payments, oldest first.
func (f *Fake) Payments(orderID string) []Payment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Payment
	for _, id := range f.paymentList {
		if p := f.payments[id]; p.OrderID != nil && *p.OrderID == orderID {
			out = append(out, clone(p))
		}
	}
	return out
}

// Refunds returns a payment's refunds, oldest first.
func (f *Fake) Refunds(paymentID string) []Refund {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Refund
	for _, id := range f.refundList {
		if r := f.refunds[id]; r.PaymentID == paymentID {
			out = append(out, clone(r))
		}
	}
	return out
}

// Calls returns how many requests reached route, a pattern such as
// "POST /v1/orders" (also counting those a fault answered).
func (f *Fake) Calls(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[route]
}

const idChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID returns 14 base62 characters, the shape of Razorpay's IDs after
// their prefix ("order_EKwxwAgItmmXdp").
func newID() string {
	b := make([]byte, 14)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idChars[int(b[i])%len(idChars)]
	}
	return string(b)
}

// apiError is Razorpay's error body.
type apiError struct {
	Code        string         `json:"code"`
	Description string         `json:"description"`
	Source      string         `json:"source,omitempty"`
	Step        string         `json:"step,omitempty"`
	Reason      string         `json:"reason,omitempty"`
	Metadata    map[string]any `json:"metadata"`
	Field       string         `json:"field,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	if e.Metadata == nil {
		e.Metadata = map[string]any{}
	}
	writeJSON(w, status, map[string]apiError{"error": e})
}

// badRequest is a 400 BAD_REQUEST_ERROR. field may be "".
func badRequest(w http.ResponseWriter, reason, field, format string, args ...any) {
	writeError(w, http.StatusBadRequest, apiError{Code: "BAD_REQUEST_ERROR", Description: fmt.Sprintf(format, args...),
		Source: "business", Step: "payment_initiation", Reason: reason, Field: field})
}

func noSuchID(w http.ResponseWriter) {
	badRequest(w, "input_validation_failed", "id", "The id provided does not exist")
}

// ServeHTTP answers the Razorpay API.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, route := f.mux.Handler(r)
	f.mu.Lock()
	f.calls[route]++
	fault := f.takeFault(route)
	f.mu.Unlock()

	user, pass, ok := r.BasicAuth()
	switch {
	case !ok:
		writeError(w, http.StatusUnauthorized, apiError{Code: "BAD_REQUEST_ERROR",
			Description: "Please provide your api key for authentication purposes."})
		return
	case !hmac.Equal([]byte(user), []byte(f.keyID)) || !hmac.Equal([]byte(pass), []byte(f.keySecret)):
		writeError(w, http.StatusUnauthorized, apiError{Code: "BAD_REQUEST_ERROR", Description: "Authentication failed"})
		return
	}
	if fault == nil {
		f.mux.ServeHTTP(w, r)
		return
	}
	if fault.After {
		f.mux.ServeHTTP(httptest.NewRecorder(), r) // the work is done; its answer is lost
	}
	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case fault.Status == http.StatusTooManyRequests:
		writeError(w, fault.Status, apiError{Code: "BAD_REQUEST_ERROR", Description: "Too many requests"})
	case fault.Status >= 500:
		writeError(w, fault.Status, apiError{Code: "SERVER_ERROR",
			Description: "The server encountered an error. The incident has been reported to admins."})
	case fault.Status != 0:
		writeError(w, fault.Status, apiError{Code: "BAD_REQUEST_ERROR", Description: "Injected failure"})
	case !fault.After:
		f.mux.ServeHTTP(w, r)
	default:
		// After without a status: the work was done, the answer stalled and
		// then lost, as behind a proxy that gave up.
		writeJSON(w, http.StatusGatewayTimeout, map[string]apiError{"error": {Code: "SERVER_ERROR",
			Description: "The server did not answer in time.", Metadata: map[string]any{}}})
	}
}

// Fault makes requests to a route fail or stall.
type Fault struct {
	// Route is a pattern such as "POST /v1/orders"; "" matches every request.
	Route string
	// Status answers with this status and Razorpay's error body instead of
	// doing the work (500 and up: SERVER_ERROR; 429: rate limited).
	Status int
	// Delay stalls this long before answering (or until the client gives up).
	Delay time.Duration
	// After does the work first: the change is made and the answer is lost
	// (replaced by Status, or by a 504 after Delay).
	After bool
	// Times is how many requests the fault applies to: 0 means 1, a negative
	// number every request until ClearFaults.
	Times int
}

// Inject adds a fault. Faults apply in the order they were added.
func (f *Fake) Inject(flt Fault) {
	if flt.Times == 0 {
		flt.Times = 1
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &flt)
}

// ClearFaults removes every fault.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// takeFault returns the first fault matching route and uses it up. f.mu is held.
func (f *Fake) takeFault(route string) *Fault {
	for i, flt := range f.faults {
		if flt.Route != "" && flt.Route != route {
			continue
		}
		if flt.Times > 0 {
			flt.Times--
			if flt.Times == 0 {
				f.faults = slices.Delete(f.faults, i, i+1)
			}
		}
		return flt
	}
	return nil
}

// decode reads a JSON object body into fields, refusing fields not in allowed
// with Razorpay's extra_field_sent error. It has answered when it returns false.
func decode(w http.ResponseWriter, r *http.Request, allowed ...string) (map[string]json.RawMessage, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		badRequest(w, "input_validation_failed", "", "The request body could not be read")
		return nil, false
	}
	fields := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &fields); err != nil {
			badRequest(w, "input_validation_failed", "", "The request body is not a valid JSON object")
			return nil, false
		}
	}
	for k := range fields {
		if !slices.Contains(allowed, k) {
			badRequest(w, "extra_field_sent", k, "%s is/are not required and should not be sent", k)
			return nil, false
		}
	}
	return fields, true
}

// amountField reads an integer amount; ok is false (and answered) when it
// is missing (unless optional) or not an integer.
func amountField(w http.ResponseWriter, fields map[string]json.RawMessage, optional bool) (amount int64, present, ok bool) {
	raw, present := fields["amount"]
	if !present {
		if optional {
			return 0, false, true
		}
		badRequest(w, "input_validation_failed", "amount", "The amount field is required.")
		return 0, false, false
	}
	if err := json.Unmarshal(raw, &amount); err != nil {
		badRequest(w, "input_validation_failed", "amount", "The amount must be an integer.")
		return 0, true, false
	}
	return amount, true, true
}

func stringField(w http.ResponseWriter, fields map[string]json.RawMessage, name string, max int) (string, bool) {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		badRequest(w, "input_validation_failed", name, "The %s must be a string.", name)
		return "", false
	}
	if max > 0 && len(s) > max {
		badRequest(w, "input_validation_failed", name, "The %s may not be greater than %d characters.", name, max)
		return "", false
	}
	return s, true
}

func notesField(w http.ResponseWriter, fields map[string]json.RawMessage) (Notes, bool) {
	raw, ok := fields["notes"]
	if !ok {
		return nil, true
	}
	var n Notes
	if err := json.Unmarshal(raw, &n); err != nil {
		badRequest(w, "input_validation_failed", "notes", "The notes must be an object of strings.")
		return nil, false
	}
	if len(n) > 15 {
		badRequest(w, "input_validation_failed", "notes", "Number of fields in notes should be less than or equal to 15")
		return nil, false
	}
	for k, v := range n {
		if len(v) > 256 {
			badRequest(w, "input_validation_failed", "notes", "notes.%s may not be greater than 256 characters.", k)
			return nil, false
		}
	}
	return n, true
}

// currencies Razorpay accepts (a selection of its international list).
var currencies = map[string]bool{"INR": true, "USD": true, "EUR": true, "GBP": true, "SGD": true, "AED": true,
	"AUD": true, "CAD": true, "CHF": true, "HKD": true, "JPY": true, "MYR": true, "NZD": true, "SAR": true, "SEK": true}

// minAmount is Razorpay's smallest order and refund amount: 1.00 in the
// currency (100 in its smallest unit).
const minAmount = 100

func (f *Fake) createOrder(w http.ResponseWriter, r *http.Request) {
	fields, ok := decode(w, r, "amount", "currency", "receipt", "notes", "partial_payment", "payment_capture", "first_payment_min_amount")
	if !ok {
		return
	}
	amount, _, ok := amountField(w, fields, false)
	if !ok {
		return
	}
	currency, ok := stringField(w, fields, "currency", 3)
	if !ok {
		return
	}
	receipt, ok := stringField(w, fields, "receipt", 40)
	if !ok {
		return
	}
	notes, ok := notesField(w, fields)
	if !ok {
		return
	}
	switch {
	case currency == "":
		badRequest(w, "input_validation_failed", "currency", "The currency field is required.")
		return
	case !currencies[currency]:
		badRequest(w, "input_validation_failed", "currency", "Currency is not supported")
		return
	case amount < minAmount:
		badRequest(w, "input_validation_failed", "amount", "The amount must be atleast %s 1.00", currency)
		return
	}
	auto := true // the account default
	if raw, ok := fields["payment_capture"]; ok {
		switch string(raw) {
		case "true", "1":
			auto = true
		case "false", "0":
			auto = false
		default:
			badRequest(w, "input_validation_failed", "payment_capture", "The payment capture field must be true or false.")
			return
		}
	}
	f.mu.Lock()
	o := &Order{ID: "order_" + newID(), Entity: "order", Amount: amount, AmountDue: amount, Currency: currency,
		Status: "created", Notes: notes, CreatedAt: f.now().Unix()}
	if receipt != "" {
		o.Receipt = strp(receipt)
	}
	f.orders[o.ID] = o
	f.orderList = append(f.orderList, o.ID)
	f.autoCapture[o.ID] = auto
	if token := notes[TestMethodNote]; token != "" {
		out, known := tokenOutcomes[token]
		if !known {
			out = Declined
		}
		f.pay(o, out)
	}
	out := clone(o)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// tokenOutcomes are the driver's method tokens.
var tokenOutcomes = map[string]Outcome{
	"rzp_test_success":            Success,
	"rzp_test_failure":            Declined,
	"rzp_test_insufficient_funds": InsufficientFunds,
}

func (f *Fake) listOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	count, skip := 10, 0
	if s := q.Get("count"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			badRequest(w, "input_validation_failed", "count", "The count must be between 1 and 100.")
			return
		}
		count = n
	}
	if s := q.Get("skip"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			badRequest(w, "input_validation_failed", "skip", "The skip must be at least 0.")
			return
		}
		skip = n
	}
	receipt, hasReceipt := q.Get("receipt"), q.Has("receipt")
	f.mu.Lock()
	var items []Order
	for i := len(f.orderList) - 1; i >= 0; i-- { // newest first
		o := f.orders[f.orderList[i]]
		if hasReceipt && (o.Receipt == nil || *o.Receipt != receipt) {
			continue
		}
		items = append(items, clone(o))
	}
	f.mu.Unlock()
	items = items[min(skip, len(items)):]
	items = items[:min(count, len(items))]
	if items == nil {
		items = []Order{}
	}
	writeJSON(w, http.StatusOK, collection[Order]{Entity: "collection", Count: len(items), Items: items})
}

func (f *Fake) getOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := f.Order(r.PathValue("id"))
	if !ok {
		noSuchID(w)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (f *Fake) orderPayments(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f.mu.Lock()
	_, ok := f.orders[id]
	items := []Payment{}
	for i := len(f.paymentList) - 1; i >= 0; i-- {
		if p := f.payments[f.paymentList[i]]; p.OrderID != nil && *p.OrderID == id {
			items = append(items, clone(p))
		}
	}
	f.mu.Unlock()
	if !ok {
		noSuchID(w)
		return
	}
	writeJSON(w, http.StatusOK, collection[Payment]{Entity: "collection", Count: len(items), Items: items})
}

func (f *Fake) getPayment(w http.ResponseWriter, r *http.Request) {
	p, ok := f.Payment(r.PathValue("id"))
	if !ok {
		noSuchID(w)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (f *Fake) capture(w http.ResponseWriter, r *http.Request) {
	fields, ok := decode(w, r, "amount", "currency")
	if !ok {
		return
	}
	amount, _, ok := amountField(w, fields, false)
	if !ok {
		return
	}
	currency, ok := stringField(w, fields, "currency", 3)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.payments[r.PathValue("id")]
	switch {
	case !ok:
		noSuchID(w)
	case p.Status == "captured" || p.Status == "refunded":
		badRequest(w, "input_validation_failed", "", "This payment has already been captured")
	case p.Status != "authorized":
		badRequest(w, "input_validation_failed", "", "Only payments which have been authorized and not yet captured can be captured")
	case currency != p.Currency:
		badRequest(w, "input_validation_failed", "currency", "The currency should be same as the payment currency")
	case amount != p.Amount:
		badRequest(w, "input_validation_failed", "amount", "Capture amount must be equal to the amount authorized")
	default:
		f.captureLocked(p)
		writeJSON(w, http.StatusOK, clone(p))
	}
}

// captureLocked captures an authorised payment and marks its order paid.
func (f *Fake) captureLocked(p *Payment) {
	p.Status, p.Captured = "captured", true
	fee, tax := p.Amount*2/100, p.Amount*2/100*18/100
	p.Fee, p.Tax = &fee, &tax
	f.event("payment.captured", map[string]any{"payment": entity(clone(p))})
	if p.OrderID == nil {
		return
	}
	o := f.orders[*p.OrderID]
	o.AmountPaid, o.AmountDue, o.Status = p.Amount, o.Amount-p.Amount, "paid"
	f.event("order.paid", map[string]any{"payment": entity(clone(p)), "order": entity(clone(o))})
}

func entity(v any) map[string]any { return map[string]any{"entity": v} }

func (f *Fake) refund(w http.ResponseWriter, r *http.Request) {
	fields, ok := decode(w, r, "amount", "speed", "notes", "receipt")
	if !ok {
		return
	}
	amount, hasAmount, ok := amountField(w, fields, true)
	if !ok {
		return
	}
	receipt, ok := stringField(w, fields, "receipt", 40)
	if !ok {
		return
	}
	speed, ok := stringField(w, fields, "speed", 0)
	if !ok {
		return
	}
	notes, ok := notesField(w, fields)
	if !ok {
		return
	}
	if speed == "" {
		speed = "normal"
	}
	if speed != "normal" && speed != "optimum" {
		badRequest(w, "input_validation_failed", "speed", "The selected speed is invalid.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.payments[r.PathValue("id")]
	if !ok {
		noSuchID(w)
		return
	}
	left := p.Amount - p.AmountRefunded
	if !hasAmount {
		amount = left
	}
	switch {
	case !p.Captured:
		badRequest(w, "input_validation_failed", "", "The payment has not been captured")
		return
	case left == 0:
		badRequest(w, "input_validation_failed", "", "The payment has been fully refunded already")
		return
	case amount < minAmount:
		badRequest(w, "input_validation_failed", "amount", "The amount must be atleast %s 1.00", p.Currency)
		return
	case amount > left:
		badRequest(w, "input_validation_failed", "amount", "The refund amount provided is greater than amount captured")
		return
	}
	rf := &Refund{ID: "rfnd_" + newID(), Entity: "refund", Amount: amount, Currency: p.Currency, PaymentID: p.ID,
		Notes: notes, AcquirerData: map[string]any{"arn": nil}, CreatedAt: f.now().Unix(), Status: "pending",
		SpeedProcessed: "normal", SpeedRequested: speed}
	if receipt != "" {
		rf.Receipt = strp(receipt)
	}
	f.refunds[rf.ID] = rf
	f.refundList = append(f.refundList, rf.ID)
	p.AmountRefunded += amount
	p.RefundStatus = strp("partial")
	if p.AmountRefunded == p.Amount {
		p.RefundStatus, p.Status = strp("full"), "refunded"
	}
	f.event("refund.created", map[string]any{"refund": entity(clone(rf)), "payment": entity(clone(p))})
	if !f.pendingRefunds {
		f.settleRefundLocked(rf, true)
	}
	writeJSON(w, http.StatusOK, clone(rf))
}

// SettleRefund processes (ok) or fails a pending refund, sending
// refund.processed or refund.failed. A failed refund's amount can be
// refunded again.
func (f *Fake) SettleRefund(refundID string, ok bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	rf, found := f.refunds[refundID]
	if !found {
		return fmt.Errorf("razorpayfake: no refund %s", refundID)
	}
	if rf.Status != "pending" {
		return fmt.Errorf("razorpayfake: refund %s is %s, not pending", refundID, rf.Status)
	}
	f.settleRefundLocked(rf, ok)
	return nil
}

func (f *Fake) settleRefundLocked(rf *Refund, ok bool) {
	p := f.payments[rf.PaymentID]
	if ok {
		rf.Status = "processed"
		f.event("refund.processed", map[string]any{"refund": entity(clone(rf)), "payment": entity(clone(p))})
		return
	}
	rf.Status = "failed"
	p.AmountRefunded -= rf.Amount
	p.Status = "captured"
	p.RefundStatus = nil
	if p.AmountRefunded > 0 {
		p.RefundStatus = strp("partial")
	}
	f.event("refund.failed", map[string]any{"refund": entity(clone(rf)), "payment": entity(clone(p))})
}

func (f *Fake) paymentRefunds(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	q := r.URL.Query()
	count, skip := 10, 0
	if n, err := strconv.Atoi(q.Get("count")); err == nil && n >= 1 && n <= 100 {
		count = n
	}
	if n, err := strconv.Atoi(q.Get("skip")); err == nil && n >= 0 {
		skip = n
	}
	f.mu.Lock()
	_, ok := f.payments[id]
	items := []Refund{}
	for i := len(f.refundList) - 1; i >= 0; i-- {
		if rf := f.refunds[f.refundList[i]]; rf.PaymentID == id {
			items = append(items, clone(rf))
		}
	}
	f.mu.Unlock()
	if !ok {
		noSuchID(w)
		return
	}
	items = items[min(skip, len(items)):]
	items = items[:min(count, len(items))]
	writeJSON(w, http.StatusOK, collection[Refund]{Entity: "collection", Count: len(items), Items: items})
}

// Outcome is how the customer's Checkout step ends.
type Outcome int

const (
	// Success authorises the payment; it is captured at once when the
	// order asked for automatic capture (payment_capture true, the default).
	Success Outcome = iota
	// Authorized authorises the payment and leaves it uncaptured whatever
	// the order asked (a late authorisation).
	Authorized
	// Declined fails the payment: the bank declined it.
	Declined
	// InsufficientFunds fails the payment for lack of funds.
	InsufficientFunds
)

// Checkout is what Razorpay Checkout hands the page after a payment.
type Checkout struct {
	OrderID   string
	PaymentID string
	Signature string // "" when the payment failed
	// For a failed payment, Checkout's error object.
	ErrorCode, ErrorDescription, ErrorReason string
}

// Proof is the Checkout result as the browser posts it to Bazaar.
func (c Checkout) Proof() payment.ClientProof {
	return payment.ClientProof{"razorpay_order_id": c.OrderID, "razorpay_payment_id": c.PaymentID, "razorpay_signature": c.Signature}
}

// Pay plays the customer paying orderID in Razorpay Checkout.
func (f *Fake) Pay(orderID string, out Outcome) (Checkout, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[orderID]
	if !ok {
		return Checkout{}, fmt.Errorf("razorpayfake: no order %s", orderID)
	}
	if o.Status == "paid" {
		return Checkout{}, fmt.Errorf("razorpayfake: order %s is paid already", orderID)
	}
	return f.pay(o, out), nil
}

// pay makes a payment for o. f.mu is held.
func (f *Fake) pay(o *Order, out Outcome) Checkout {
	p := &Payment{ID: "pay_" + newID(), Entity: "payment", Amount: o.AmountDue, Currency: o.Currency, Status: "created",
		OrderID: strp(o.ID), Method: "card", CardID: strp("card_" + newID()), Email: "gaurav.kumar@example.com",
		Contact: "+919000090000", Notes: o.Notes, CreatedAt: f.now().Unix()}
	f.payments[p.ID] = p
	f.paymentList = append(f.paymentList, p.ID)
	o.Attempts++
	o.Status = "attempted"
	c := Checkout{OrderID: o.ID, PaymentID: p.ID}
	switch out {
	case Declined, InsufficientFunds:
		p.Status = "failed"
		p.ErrorCode, p.ErrorSource, p.ErrorStep = strp("BAD_REQUEST_ERROR"), strp("bank"), strp("payment_authorization")
		p.ErrorReason = strp("payment_declined")
		p.ErrorDescription = strp("Your payment didn't go through as it was declined by the bank. Try another payment method or contact your bank.")
		if out == InsufficientFunds {
			p.ErrorReason = strp("insufficient_funds")
			p.ErrorDescription = strp("Payment failed due to insufficient balance in customer's account.")
		}
		c.ErrorCode, c.ErrorDescription, c.ErrorReason = *p.ErrorCode, *p.ErrorDescription, *p.ErrorReason
		f.event("payment.failed", map[string]any{"payment": entity(clone(p))})
		return c
	}
	p.Status = "authorized"
	f.event("payment.authorized", map[string]any{"payment": entity(clone(p))})
	if out == Success && f.autoCapture[o.ID] {
		f.captureLocked(p)
	}
	c.Signature = Sign(f.keySecret, o.ID+"|"+p.ID)
	return c
}

// Sign returns the hex HMAC-SHA256 of msg with secret: Checkout's signature
// (msg "order_id|payment_id", the key secret) and the webhook signature
// (msg the body, the webhook secret).
func Sign(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// Webhook is one webhook the fake sent or would send.
type Webhook struct {
	ID    string // the X-Razorpay-Event-Id
	Event string // "payment.captured", ...
	Body  []byte
}

// event records a webhook of type typ. f.mu is held.
func (f *Fake) event(typ string, payload map[string]any) {
	f.hooks = append(f.hooks, f.newWebhook(typ, f.now(), payload))
}

func (f *Fake) newWebhook(typ string, created time.Time, payload map[string]any) Webhook {
	contains := make([]string, 0, len(payload))
	for k := range payload {
		contains = append(contains, k)
	}
	slices.Sort(contains)
	body, err := json.Marshal(map[string]any{"entity": "event", "account_id": f.account, "event": typ,
		"contains": contains, "payload": payload, "created_at": created.Unix()})
	if err != nil {
		panic(err) // only our own entities are marshalled
	}
	return Webhook{ID: newID(), Event: typ, Body: body}
}

// NewWebhook makes a webhook of any type, created at t, for tests that
// forge unknown or stale events. payload maps "payment", "order" or
// "refund" to an entity (Order, Payment, Refund). It is not queued.
func (f *Fake) NewWebhook(typ string, t time.Time, payload map[string]any) Webhook {
	p := make(map[string]any, len(payload))
	for k, v := range payload {
		p[k] = entity(v)
	}
	return f.newWebhook(typ, t, p)
}

// Webhooks returns every webhook the fake has made, oldest first.
func (f *Fake) Webhooks() []Webhook {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.hooks)
}

// SetWebhookSecret changes the secret webhooks are signed with from now on
// (as rotating it in Razorpay's dashboard does).
func (f *Fake) SetWebhookSecret(secret string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.webhookSecret = secret
}

// Header returns the headers Razorpay sends w with, signed with the
// current webhook secret.
func (f *Fake) Header(w Webhook) http.Header {
	f.mu.Lock()
	secret := f.webhookSecret
	f.mu.Unlock()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Razorpay-Signature", Sign(secret, string(w.Body)))
	h.Set("X-Razorpay-Event-Id", w.ID)
	return h
}

// Request returns the signed POST of w to url, for a test to send.
func (f *Fake) Request(ctx context.Context, url string, w Webhook) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(w.Body))
	if err != nil {
		return nil, err
	}
	req.Header = f.Header(w)
	return req, nil
}

// Send posts every webhook not yet delivered to url, oldest first, and
// returns how many were delivered. It stops at the first that is not
// answered with a 2xx; a later Send tries it again.
func (f *Fake) Send(ctx context.Context, url string) (int, error) {
	return f.Deliver(ctx, func(ctx context.Context, h http.Header, body []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s", resp.Status)
		}
		return nil
	})
}

// Deliver hands every webhook not yet delivered to deliver (with its
// signed headers), oldest first, and returns how many were delivered. It
// stops at the first deliver refuses; a later Deliver or Send tries it again.
func (f *Fake) Deliver(ctx context.Context, deliver func(ctx context.Context, h http.Header, body []byte) error) (int, error) {
	f.sendMu.Lock()
	defer f.sendMu.Unlock()
	n := 0
	for {
		f.mu.Lock()
		if f.sent >= len(f.hooks) {
			f.mu.Unlock()
			return n, nil
		}
		w := f.hooks[f.sent]
		f.mu.Unlock()
		if err := deliver(ctx, f.Header(w), w.Body); err != nil {
			return n, fmt.Errorf("razorpayfake: send %s %s: %w", w.Event, w.ID, err)
		}
		f.mu.Lock()
		f.sent++
		f.mu.Unlock()
		n++
	}
}

// String keeps the fake's secrets out of logs.
func (f *Fake) String() string { return "razorpayfake(" + f.keyID + ")" }
