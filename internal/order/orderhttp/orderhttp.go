// Package orderhttp is the order module's REST API: placing, reading,
// listing and cancelling orders, a seller's queue, and POST /api/v1/payment,
// which starts paying for an order (the payment module does the gateway
// work and this package answers with its Payment shape).
package orderhttp

import (
	"bytes"
	"io"
	"net/http"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/payment/paymenthttp"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Order is the JSON of GET /api/v1/order/{id}: the order with its payment
// attempts (empty for a seller, who sees only its own part).
type Order struct {
	order.Order
	Payments []paymenthttp.Payment `json:"payments"`
}

// Handler serves the order routes.
type Handler struct{ svc *order.Service }

// New returns the order routes over svc.
func New(svc *order.Service) *Handler { return &Handler{svc: svc} }

// Routes registers the order routes.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("POST /api/v1/order", h.place)
	r.Handle("GET /api/v1/order", h.orders)
	r.Handle("GET /api/v1/order/{id}", h.order)
	r.Handle("PUT /api/v1/order/{id}/cancel", h.cancel)
	r.Handle("POST /api/v1/payment", h.pay)
	r.Handle("GET /api/v1/seller/order", h.sellerOrders)
	r.Handle("PUT /api/v1/seller/order/{id}/cancel", h.cancelSellerOrder)
}

func (h *Handler) place(w http.ResponseWriter, r *http.Request) error {
	var in order.PlaceInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	o, err := h.svc.Place(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", string("/api/v1/order/"+o.ID))
	rest.JSON(w, http.StatusCreated, o)
	return nil
}

func (h *Handler) order(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.Order(r.Context(), id.Order(r.PathValue("id")))
	if err != nil {
		return err
	}
	out := Order{Order: d.Order, Payments: make([]paymenthttp.Payment, 0, len(d.Payments))}
	for _, p := range d.Payments {
		out.Payments = append(out.Payments, paymenthttp.View(p))
	}
	rest.JSON(w, http.StatusOK, out)
	return nil
}

func query(r *http.Request) (order.Query, error) {
	limit, err := rest.Limit(r)
	if err != nil {
		return order.Query{}, err
	}
	q := r.URL.Query()
	return order.Query{Status: q.Get("status"), Cursor: q.Get("cursor"), Limit: limit}, nil
}

func (h *Handler) orders(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	p, err := h.svc.Orders(r.Context(), q)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) sellerOrders(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	p, err := h.svc.SellerOrders(r.Context(), q)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

// optional decodes an optional JSON body: none (or only white space) leaves
// v as it is.
func optional(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, rest.MaxBody+1))
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return rest.Decode(w, r, v)
}

func (h *Handler) cancel(w http.ResponseWriter, r *http.Request) error {
	var in order.CancelInput
	if err := optional(w, r, &in); err != nil {
		return err
	}
	o, err := h.svc.Cancel(r.Context(), id.Order(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, o)
	return nil
}

func (h *Handler) cancelSellerOrder(w http.ResponseWriter, r *http.Request) error {
	var in order.CancelInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	o, err := h.svc.CancelSellerOrder(r.Context(), id.SellerOrder(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, o)
	return nil
}

func (h *Handler) pay(w http.ResponseWriter, r *http.Request) error {
	var in order.PayInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc.Pay(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", string("/api/v1/payment/"+p.ID))
	rest.JSON(w, http.StatusCreated, paymenthttp.View(p))
	return nil
}
