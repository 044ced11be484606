package accounthttp

import (
	"net/http"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rest"
)

type sellerRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (h *Handler) openStore(w http.ResponseWriter, r *http.Request) error {
	var req sellerRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	s, err := h.svc.OpenStore(r.Context(), account.NewSeller(req))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusCreated, s)
	return nil
}

func (h *Handler) mySeller(w http.ResponseWriter, r *http.Request) error {
	s, err := h.svc.MySeller(r.Context())
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) seller(w http.ResponseWriter, r *http.Request) error {
	s, err := h.svc.Seller(r.Context(), id.Seller(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, s)
	return nil
}
