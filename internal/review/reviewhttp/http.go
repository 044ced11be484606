// Package reviewhttp is the REST door to ratings and reviews.
package reviewhttp

import (
	"net/http"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/review"
)

// Handler serves the review routes.
type Handler struct{ svc *review.Service }

// New returns a Handler over svc.
func New(svc *review.Service) *Handler { return &Handler{svc: svc} }

// Routes registers the review routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/product/{id}/review", h.reviews)
	r.Handle("GET /api/v1/product/{id}/review/mine", h.mine)
	r.Handle("POST /api/v1/product/{id}/review", h.create)
	r.Handle("GET /api/v1/review", h.moderation)
	r.Handle("GET /api/v1/review/{id}", h.review)
	r.Handle("PUT /api/v1/review/{id}", h.update)
	r.Handle("DELETE /api/v1/review/{id}", h.delete)
	r.Handle("PUT /api/v1/review/{id}/moderate", h.moderate)
}

func (h *Handler) reviews(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	page, err := h.svc.Reviews(r.Context(), id.Product(r.PathValue("id")), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, page)
	return nil
}

func (h *Handler) mine(w http.ResponseWriter, r *http.Request) error {
	rv, err := h.svc.Mine(r.Context(), id.Product(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, rv)
	return nil
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	var in review.Input
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	rv, err := h.svc.Create(r.Context(), id.Product(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusCreated, rv)
	return nil
}

func (h *Handler) moderation(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := h.svc.Moderation(r.Context(), review.Filter{Status: review.Status(q.Get("status")), ProductID: id.Product(q.Get("product"))},
		q.Get("cursor"), limit)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, page)
	return nil
}

func (h *Handler) review(w http.ResponseWriter, r *http.Request) error {
	rv, err := h.svc.Review(r.Context(), id.Review(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, rv)
	return nil
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) error {
	var in review.Input
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	rv, err := h.svc.Update(r.Context(), id.Review(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, rv)
	return nil
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Delete(r.Context(), id.Review(r.PathValue("id"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) moderate(w http.ResponseWriter, r *http.Request) error {
	var in review.ModerationInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	rv, err := h.svc.Moderate(r.Context(), id.Review(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, rv)
	return nil
}
