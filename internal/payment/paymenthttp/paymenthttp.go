// Package paymenthttp is the payment module's REST API: reading a payment,
// refunds, and the gateways' webhooks. POST /api/v1/payment belongs to the
// order module, which answers with this package's Payment shape.
package paymenthttp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Payment is the client-visible JSON of a payment. It never carries
// secrets, idempotency keys or gateway payloads.
type Payment struct {
	ID             id.Payment          `json:"id"`
	OrderID        id.Order            `json:"order_id"`
	Status         payment.Status      `json:"status"`
	Amount         money.Money         `json:"amount"`
	Method         string              `json:"method"`
	Gateway        string              `json:"gateway"`
	FailureCode    string              `json:"failure_code,omitempty"`
	FailureMessage string              `json:"failure_message,omitempty"`
	NextAction     *payment.NextAction `json:"next_action,omitempty"`
	RefundedAmount money.Money         `json:"refunded_amount"`
	Refunds        []Refund            `json:"refunds"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
}

// Refund is the client-visible JSON of a refund.
type Refund struct {
	ID          id.Refund            `json:"id"`
	Amount      money.Money          `json:"amount"`
	Reason      string               `json:"reason"`
	Status      payment.RefundStatus `json:"status"`
	FailureCode string               `json:"failure_code,omitempty"`
	CreatedAt   time.Time            `json:"created_at"`
}

// View returns p's client-visible JSON.
func View(p payment.Payment) Payment {
	v := Payment{ID: p.ID, OrderID: p.OrderID, Status: p.Status, Amount: p.Amount, Method: p.Method, Gateway: p.Gateway,
		FailureCode: p.FailureCode, FailureMessage: p.FailureMessage, NextAction: p.NextAction,
		RefundedAmount: p.Refunded, Refunds: make([]Refund, 0, len(p.Refunds)),
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	for _, r := range p.Refunds {
		v.Refunds = append(v.Refunds, Refund{ID: r.ID, Amount: r.Amount, Reason: r.Reason, Status: r.Status,
			FailureCode: r.FailureCode, CreatedAt: r.CreatedAt.UTC()})
	}
	return v
}

// Handler serves the payment routes.
type Handler struct{ svc *payment.Service }

// New returns the payment routes over svc.
func New(svc *payment.Service) *Handler { return &Handler{svc: svc} }

// WebhookPath is where a gateway's webhooks arrive.
func WebhookPath(gateway string) string { return "/api/v1/payment/webhook/" + gateway }

// Routes registers the payment routes. The webhook route is registered per
// gateway by name (POST /api/v1/payment/webhook/test): a {gateway} wildcard
// would collide with POST /api/v1/payment/{id}/refund in ServeMux.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/payment/checkout", h.checkout)
	r.Handle("GET /api/v1/seller/cod", h.sellerCOD)
	r.Handle("PUT /api/v1/seller/cod", h.setSellerCOD)
	r.Handle("GET /api/v1/payment/{id}", h.payment)
	r.Handle("POST /api/v1/payment/{id}/refund", h.refund)
	r.Handle("POST /api/v1/payment/{id}/confirm", h.confirm)
	r.Handle("POST /api/v1/payment/{id}/capture", h.capture)
	for _, g := range h.svc.Gateways() {
		r.Handle("POST "+WebhookPath(g), h.webhook(g))
	}
}

func (h *Handler) checkout(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := payment.CheckoutQuery{Currency: v.Get("currency")}
	if a := v.Get("amount"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return apperr.Invalid("validation_failed", "the request has invalid fields",
				apperr.FieldError{Field: "amount", Message: "must be an amount in minor units, such as 4599"})
		}
		q.Amount = n
	}
	for _, sel := range v["seller"] {
		q.Sellers = append(q.Sellers, id.Seller(sel))
	}
	c, err := h.svc.CheckoutFor(r.Context(), q)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) sellerCOD(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.SellerCOD(r.Context())
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) setSellerCOD(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Enabled *bool `json:"enabled"`
	}
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	if in.Enabled == nil {
		return apperr.Invalid("validation_failed", "the request has invalid fields", apperr.FieldError{Field: "enabled", Message: "is required: true or false"})
	}
	c, err := h.svc.SetSellerCOD(r.Context(), payment.SellerCOD{Enabled: *in.Enabled})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, c)
	return nil
}

// confirm takes what the gateway's browser SDK returned (Razorpay
// Checkout: razorpay_payment_id, razorpay_order_id, razorpay_signature).
func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) error {
	var in map[string]string
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc.Confirm(r.Context(), id.Payment(r.PathValue("id")), payment.ClientProof(in))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, View(p))
	return nil
}

func (h *Handler) capture(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Capture(r.Context(), id.Payment(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, View(p))
	return nil
}

func (h *Handler) payment(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Payment(r.Context(), id.Payment(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, View(p))
	return nil
}

func (h *Handler) refund(w http.ResponseWriter, r *http.Request) error {
	var in payment.RefundRequest
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc.Refund(r.Context(), id.Payment(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, View(p))
	return nil
}

// webhook takes a gateway's signed webhook. The signature is the
// authentication; a bad one is 400, and anything accepted is 200 at once.
func (h *Handler) webhook(gateway string) rest.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rest.MaxBody))
		if err != nil {
			return apperr.New(apperr.KindTooLarge, "body_too_large", "the request body is over %d bytes", rest.MaxBody)
		}
		if err := h.svc.HandleWebhook(r.Context(), gateway, r.Header, body); err != nil {
			return err
		}
		rest.JSON(w, http.StatusOK, map[string]bool{"received": true})
		return nil
	}
}

// Loopback returns a delivery function for an in-process gateway (the test
// gateway's Options.Deliver): it posts each webhook to handler, the whole
// API, at gateway's webhook path, exactly as an HTTP delivery would arrive.
// A non-2xx answer is an error, so the gateway sends it again later.
func Loopback(handler http.Handler, gateway string) func(ctx context.Context, header http.Header, body []byte) error {
	return func(ctx context.Context, header http.Header, body []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, WebhookPath(gateway), bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header = header.Clone()
		req.RemoteAddr = "127.0.0.1:0"
		rec := &recorder{header: http.Header{}}
		handler.ServeHTTP(rec, req)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		if rec.status/100 != 2 {
			return fmt.Errorf("webhook answered %d: %s", rec.status, bytes.TrimSpace(rec.body.Bytes()))
		}
		return nil
	}
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.body.Len() < 4096 {
		r.body.Write(b)
	}
	return len(b), nil
}
