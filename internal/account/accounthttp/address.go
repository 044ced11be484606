package accounthttp

import (
	"net/http"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rest"
)

type addressRequest struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
	Phone      string `json:"phone"`
	IsDefault  bool   `json:"is_default"`
}

func (h *Handler) addresses(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	items, err := h.svc.Addresses(r.Context(), account.AddressFilter{After: pg.after, Limit: pg.limit + 1})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, pageOf(items, pg.limit, func(a account.Address) string { return string(a.ID) }))
	return nil
}

func (h *Handler) address(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.Address(r.Context(), id.Address(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, a)
	return nil
}

func (h *Handler) createAddress(w http.ResponseWriter, r *http.Request) error {
	var req addressRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	a, err := h.svc.CreateAddress(r.Context(), account.AddressInput(req))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusCreated, a)
	return nil
}

func (h *Handler) updateAddress(w http.ResponseWriter, r *http.Request) error {
	var req addressRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	a, err := h.svc.UpdateAddress(r.Context(), id.Address(r.PathValue("id")), account.AddressInput(req))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, a)
	return nil
}

func (h *Handler) deleteAddress(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteAddress(r.Context(), id.Address(r.PathValue("id"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
