// Package supporthttp is the REST door to tickets, returns and uploads.
//
//	POST /api/v1/ticket                         open a ticket (customer) -> 201
//	GET  /api/v1/ticket                         own tickets, a seller's, or the staff queue
//	GET  /api/v1/ticket/{id}                    a ticket with its thread
//	PUT  /api/v1/ticket/{id}                    priority, assignee, status (staff)
//	POST /api/v1/ticket/{id}/message            reply or internal note -> 201
//	PUT  /api/v1/ticket/{id}/resolve|reopen     customer or staff
//	POST /api/v1/attachment                     upload a file (raw body or multipart "file") -> 201
//	GET  /api/v1/attachment/{id}                its bytes, to those who may see it
//	POST /api/v1/return                         request a return (customer) -> 201
//	GET  /api/v1/return                         returns as the caller's role sees them
//	GET  /api/v1/return/eligibility/{id}        what of a seller order may be returned
//	GET  /api/v1/return/{id}                    one return with its timeline
//	PUT  /api/v1/return/{id}/approve|reject|cancel|receive|refund|pickup
//	GET|PUT /api/v1/seller/return-policy        a seller's return window and auto-approval
//	GET  /api/v1/admin/return-policy/category   non-returnable categories
//	PUT  /api/v1/admin/return-policy/category/{id}
package supporthttp

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/support"
)

// Handler serves the support routes.
type Handler struct{ svc *support.Service }

// New returns a Handler over svc.
func New(svc *support.Service) *Handler { return &Handler{svc: svc} }

// Routes registers the support routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("POST /api/v1/ticket", h.openTicket)
	r.Handle("GET /api/v1/ticket", h.tickets)
	r.Handle("GET /api/v1/ticket/{id}", h.ticket)
	r.Handle("PUT /api/v1/ticket/{id}", h.updateTicket)
	r.Handle("POST /api/v1/ticket/{id}/message", h.reply)
	r.Handle("PUT /api/v1/ticket/{id}/resolve", h.resolve)
	r.Handle("PUT /api/v1/ticket/{id}/reopen", h.reopen)
	r.Handle("POST /api/v1/attachment", h.upload)
	r.Handle("GET /api/v1/attachment/{id}", h.attachment)
	r.Handle("POST /api/v1/return", h.requestReturn)
	r.Handle("GET /api/v1/return", h.returns)
	r.Handle("GET /api/v1/return/eligibility/{id}", h.eligibility)
	r.Handle("GET /api/v1/return/{id}", h.ret)
	r.Handle("PUT /api/v1/return/{id}/approve", h.approve)
	r.Handle("PUT /api/v1/return/{id}/reject", h.reject)
	r.Handle("PUT /api/v1/return/{id}/cancel", h.cancel)
	r.Handle("PUT /api/v1/return/{id}/receive", h.receive)
	r.Handle("PUT /api/v1/return/{id}/refund", h.refund)
	r.Handle("PUT /api/v1/return/{id}/pickup", h.pickup)
	r.Handle("GET /api/v1/seller/return-policy", h.policy)
	r.Handle("PUT /api/v1/seller/return-policy", h.setPolicy)
	r.Handle("GET /api/v1/admin/return-policy/category", h.categories)
	r.Handle("PUT /api/v1/admin/return-policy/category/{id}", h.setCategory)
}

// body decodes the JSON body into a new T.
func body[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	err := rest.Decode(w, r, &v)
	return v, err
}

func (h *Handler) openTicket(w http.ResponseWriter, r *http.Request) error {
	in, err := body[support.TicketInput](w, r)
	if err != nil {
		return err
	}
	t, err := h.svc.OpenTicket(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", string("/api/v1/ticket/"+t.ID))
	rest.JSON(w, http.StatusCreated, t)
	return nil
}

func flag(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: name, Message: "must be true or false"})
	}
	return b, nil
}

func (h *Handler) tickets(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	overdue, err := flag(q, "overdue")
	if err != nil {
		return err
	}
	open, err := flag(q, "open")
	if err != nil {
		return err
	}
	p, err := h.svc.Tickets(r.Context(), support.TicketQuery{
		Status: support.TicketStatus(q.Get("status")), Open: open, Assignee: q.Get("assignee"),
		Priority: support.Priority(q.Get("priority")), Overdue: overdue, SellerID: id.Seller(q.Get("seller")),
		OrderID: id.Order(q.Get("order")), ReturnID: id.Return(q.Get("return")), Sort: support.TicketSort(q.Get("sort")),
		Cursor: q.Get("cursor"), Limit: limit,
	})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) ticket(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.Ticket(r.Context(), id.Ticket(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) updateTicket(w http.ResponseWriter, r *http.Request) error {
	in, err := body[support.TicketUpdate](w, r)
	if err != nil {
		return err
	}
	t, err := h.svc.UpdateTicket(r.Context(), id.Ticket(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) reply(w http.ResponseWriter, r *http.Request) error {
	in, err := body[support.MessageInput](w, r)
	if err != nil {
		return err
	}
	m, err := h.svc.Reply(r.Context(), id.Ticket(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusCreated, m)
	return nil
}

func (h *Handler) resolve(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.Resolve(r.Context(), id.Ticket(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) reopen(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.Reopen(r.Context(), id.Ticket(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, t)
	return nil
}

// upload takes the file as the raw body (with its Content-Type and an
// optional ?name=) or as the multipart/form-data field "file".
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) error {
	up, err := rest.ReadUpload(w, r, rest.UploadRules{MaxSize: support.MaxAttachmentSize, Types: support.AttachmentTypes,
		TooLarge: support.TooLarge(), Unsupported: support.UnsupportedType()})
	if err != nil {
		return err
	}
	a, err := h.svc.Upload(r.Context(), up.Name, up.Declared, up.Data)
	if err != nil {
		return err
	}
	w.Header().Set("Location", a.URL)
	rest.JSON(w, http.StatusCreated, a)
	return nil
}

// attachment serves a file's bytes. Files never change, but they are
// private: caches may keep them for their one user only.
func (h *Handler) attachment(w http.ResponseWriter, r *http.Request) error {
	a, f, err := h.svc.OpenAttachment(r.Context(), id.Attachment(r.PathValue("id")))
	if err != nil {
		return err
	}
	defer f.Close()
	hd := w.Header()
	hd.Set("Content-Type", a.ContentType)
	hd.Set("Cache-Control", "private, max-age=86400")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	disp := "inline"
	if a.ContentType == "application/pdf" {
		disp = "attachment"
	}
	hd.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": a.Name}))
	http.ServeContent(w, r, "", a.CreatedAt, f)
	return nil
}

func (h *Handler) requestReturn(w http.ResponseWriter, r *http.Request) error {
	in, err := body[support.ReturnInput](w, r)
	if err != nil {
		return err
	}
	ret, err := h.svc.RequestReturn(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", string("/api/v1/return/"+ret.ID))
	rest.JSON(w, http.StatusCreated, ret)
	return nil
}

func (h *Handler) returns(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p, err := h.svc.Returns(r.Context(), support.ReturnQuery{Status: support.ReturnStatus(q.Get("status")),
		SellerOrderID: id.SellerOrder(q.Get("seller_order")), OrderID: id.Order(q.Get("order")), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) eligibility(w http.ResponseWriter, r *http.Request) error {
	e, err := h.svc.Eligibility(r.Context(), id.SellerOrder(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, e)
	return nil
}

func (h *Handler) ret(w http.ResponseWriter, r *http.Request) error {
	ret, err := h.svc.Return(r.Context(), id.Return(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, ret)
	return nil
}

// noBody accepts an empty body or an empty JSON object for bodiless verbs.
func noBody(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength == 0 {
		return nil
	}
	var v struct{}
	return rest.Decode(w, r, &v)
}

func (h *Handler) approve(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(w, r); err != nil {
		return err
	}
	ret, err := h.svc.Approve(r.Context(), id.Return(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, ret)
	return nil
}

func (h *Handler) reject(w http.ResponseWriter, r *http.Request) error {
	in, err := body[support.RejectInput](w, r)
	if err != nil {
		return err
	}
	ret, err := h.svc.Reject(r.Context(), id.Return(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, ret)
	return nil
}

func (h *Handler) cancel(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(w, r); err != nil {
		return err
	}
	ret, err := h.svc.Cancel(r.Context(), id.Return(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, ret)
	return nil
}

func (h *Handler) receive(w http.ResponseWriter, r *http.Request) error {
	in, err := body[support.ReceiveInput](w, r)
	if err != nil {
		return err
	}
	ret, err := h.svc.Receive(r.Context(), id.Return(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, ret)
	return nil
}

func (h *Handler) refund(w http.ResponseWriter, r *http.Request) error {
	in, err := body[support.RefundInput](w, r)
	if err != nil {
		return err
	}
	ret, err := h.svc.RefundWithoutReceipt(r.Context(), id.Return(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, ret)
	return nil
}

func (h *Handler) pickup(w http.ResponseWriter, r *http.Request) error {
	in, err := body[support.PickupInput](w, r)
	if err != nil {
		return err
	}
	ret, err := h.svc.UpdatePickup(r.Context(), id.Return(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, ret)
	return nil
}

func (h *Handler) policy(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Policy(r.Context(), id.Seller(r.URL.Query().Get("seller")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) setPolicy(w http.ResponseWriter, r *http.Request) error {
	in, err := body[support.PolicyInput](w, r)
	if err != nil {
		return err
	}
	p, err := h.svc.SetPolicy(r.Context(), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

// NonReturnable lists the categories marked non-returnable.
type NonReturnable struct {
	Categories []string `json:"categories"`
}

func (h *Handler) categories(w http.ResponseWriter, r *http.Request) error {
	ids, err := h.svc.NonReturnableCategories(r.Context())
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, NonReturnable{Categories: ids})
	return nil
}

// Returnable is the body of PUT /api/v1/admin/return-policy/category/{id}.
type Returnable struct {
	Returnable bool `json:"returnable"`
}

func (h *Handler) setCategory(w http.ResponseWriter, r *http.Request) error {
	in, err := body[Returnable](w, r)
	if err != nil {
		return err
	}
	c, err := h.svc.SetReturnable(r.Context(), id.Category(r.PathValue("id")), in.Returnable)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, c)
	return nil
}
