// Package inventoryhttp is the REST door to inventory: warehouses and stock
// levels for sellers and admins.
package inventoryhttp

import (
	"net/http"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Handler serves the inventory routes.
type Handler struct{ svc *inventory.Service }

// New returns a Handler over svc.
func New(svc *inventory.Service) *Handler { return &Handler{svc: svc} }

// Routes registers the inventory routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/warehouse", h.warehouses)
	r.Handle("POST /api/v1/warehouse", h.createWarehouse)
	r.Handle("GET /api/v1/inventory/{sku}", h.stock)
	r.Handle("PUT /api/v1/inventory/{sku}", h.setStock)
}

// warehouses lists the caller's warehouses (an admin passes ?seller_id=).
func (h *Handler) warehouses(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.svc.Warehouses(r.Context(), id.Seller(r.URL.Query().Get("seller_id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, page.Page[inventory.Warehouse]{Items: ws})
	return nil
}

func (h *Handler) createWarehouse(w http.ResponseWriter, r *http.Request) error {
	var in inventory.WarehouseInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	wh, err := h.svc.CreateWarehouse(r.Context(), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusCreated, wh)
	return nil
}

func (h *Handler) stock(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.Stock(r.Context(), r.PathValue("sku"))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, st)
	return nil
}

func (h *Handler) setStock(w http.ResponseWriter, r *http.Request) error {
	var in inventory.StockInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	st, err := h.svc.SetOnHand(r.Context(), r.PathValue("sku"), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, st)
	return nil
}
