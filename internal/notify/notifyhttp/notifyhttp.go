// Package notifyhttp is the REST door to the in-app inbox, the
// notification preferences and, for admins, the mail outbox.
//
//	GET /api/v1/notification              the caller's notifications, newest first, with the unread count
//	PUT /api/v1/notification/{id}/read    mark one read
//	PUT /api/v1/notification/read         mark all read
//	GET|PUT /api/v1/notification/preference   channels per category
//	GET /api/v1/admin/mail                the mail outbox (admin), newest first
//	GET /api/v1/admin/mail/{id}           one mail with both parts (admin)
package notifyhttp

import (
	"net/http"

	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Handler serves the notify routes.
type Handler struct{ svc *notify.Service }

// New returns a Handler over svc.
func New(svc *notify.Service) *Handler { return &Handler{svc: svc} }

// Routes registers the notify routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/notification", h.inbox)
	r.Handle("PUT /api/v1/notification/read", h.readAll)
	r.Handle("PUT /api/v1/notification/{id}/read", h.read)
	r.Handle("GET /api/v1/notification/preference", h.preferences)
	r.Handle("PUT /api/v1/notification/preference", h.setPreferences)
	r.Handle("GET /api/v1/admin/mail", h.mails)
	r.Handle("GET /api/v1/admin/mail/{id}", h.mail)
}

// noBody accepts an empty body or an empty JSON object for bodiless verbs.
func noBody(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength == 0 {
		return nil
	}
	var v struct{}
	return rest.Decode(w, r, &v)
}

func (h *Handler) inbox(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	in, err := h.svc.Inbox(r.Context(), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, in)
	return nil
}

func (h *Handler) read(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(w, r); err != nil {
		return err
	}
	n, err := h.svc.MarkRead(r.Context(), notify.ID(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, n)
	return nil
}

// readAllResponse says how many notifications were marked read.
type readAllResponse struct {
	Marked int `json:"marked"`
}

func (h *Handler) readAll(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(w, r); err != nil {
		return err
	}
	n, err := h.svc.MarkAllRead(r.Context())
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, readAllResponse{Marked: n})
	return nil
}

func (h *Handler) preferences(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Preferences(r.Context())
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

// preferenceInput is one category's channels as a client sets them.
type preferenceInput struct {
	Category notify.Category `json:"category"`
	InApp    bool            `json:"in_app"`
	Email    bool            `json:"email"`
}

// preferencesInput lists the categories to set; others keep theirs.
type preferencesInput struct {
	Items []preferenceInput `json:"items"`
}

func (h *Handler) setPreferences(w http.ResponseWriter, r *http.Request) error {
	var in preferencesInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	var ps notify.Preferences
	for _, p := range in.Items {
		ps.Items = append(ps.Items, notify.Preference{Category: p.Category, InApp: p.InApp, Email: p.Email})
	}
	out, err := h.svc.SetPreferences(r.Context(), ps)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) mails(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p, err := h.svc.Mails(r.Context(), notify.MailQuery{Status: notify.MailStatus(q.Get("status")), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) mail(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.Mail(r.Context(), notify.MailID(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, m)
	return nil
}
