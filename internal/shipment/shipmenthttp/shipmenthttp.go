// Package shipmenthttp is the REST door to shipments: tracking for
// customers, packing and handover for sellers, tracking events for delivery
// partners.
package shipmenthttp

import (
	"net/http"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/shipment"
)

// Handler serves the shipment routes.
type Handler struct{ svc *shipment.Service }

// New returns a Handler over svc.
func New(svc *shipment.Service) *Handler { return &Handler{svc: svc} }

// Routes registers the shipment routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/shipment/{id}", h.shipment)
	r.Handle("POST /api/v1/shipment/{id}/pack", h.pack)
	r.Handle("POST /api/v1/shipment/{id}/handover", h.handover)
	r.Handle("POST /api/v1/shipment/{id}/event", h.event)
	r.Handle("GET /api/v1/delivery/shipment", h.assigned)
	r.Handle("GET /api/v1/seller/shipment", h.sellerShipments)
}

func (h *Handler) shipment(w http.ResponseWriter, r *http.Request) error {
	shp, err := h.svc.Shipment(r.Context(), id.Shipment(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, shp)
	return nil
}

func (h *Handler) pack(w http.ResponseWriter, r *http.Request) error {
	shp, err := h.svc.Pack(r.Context(), id.Shipment(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, shp)
	return nil
}

// handover takes an optional body: no body (or {}) lets the service choose
// the least loaded partner.
func (h *Handler) handover(w http.ResponseWriter, r *http.Request) error {
	var in shipment.HandoverInput
	if r.ContentLength != 0 {
		if err := rest.Decode(w, r, &in); err != nil {
			return err
		}
	}
	shp, err := h.svc.Handover(r.Context(), id.Shipment(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, shp)
	return nil
}

func (h *Handler) event(w http.ResponseWriter, r *http.Request) error {
	var in shipment.EventInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	shp, err := h.svc.RecordEvent(r.Context(), id.Shipment(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, shp)
	return nil
}

func listQuery(r *http.Request) (shipment.ListQuery, error) {
	limit, err := rest.Limit(r)
	if err != nil {
		return shipment.ListQuery{}, err
	}
	v := r.URL.Query()
	return shipment.ListQuery{Status: shipment.Status(v.Get("status")), Cursor: v.Get("cursor"), Limit: limit}, nil
}

func (h *Handler) assigned(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	page, err := h.svc.AssignedShipments(r.Context(), q)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, page)
	return nil
}

func (h *Handler) sellerShipments(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	page, err := h.svc.SellerShipments(r.Context(), q)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, page)
	return nil
}
