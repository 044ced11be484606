package shipmenthttp

import (
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/shipment"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tags := []string{"shipment"}
	id := rest.Param{Name: "id", In: "path", Description: "shipment ID (shp_...)"}
	statuses := make([]string, len(shipment.Statuses))
	for i, s := range shipment.Statuses {
		statuses[i] = string(s)
	}
	list := append([]rest.Param{{Name: "status", Description: "only shipments in this status", Enum: statuses}}, rest.PageParams()...)
	ops := []rest.Op{
		{
			ID: "shipment", Method: "GET", Path: "/api/v1/shipment/{id}", Tags: tags, Auth: rest.AuthBearer,
			Summary: "A shipment with its tracking timeline",
			Description: "The shipment of one seller order: carrier, tracking ID, assigned delivery partner, status and the " +
				"timeline of tracking events in time order. Seen by the order's customer, the seller, the assigned delivery " +
				"partner, support and admins; for anyone else it is 404.",
			Params: []rest.Param{id}, Response: shipment.Shipment{}, Errors: []int{404},
		},
		{
			ID: "packShipment", Method: "POST", Path: "/api/v1/shipment/{id}/pack", Tags: tags, Auth: rest.AuthBearer,
			Roles:       []auth.Role{auth.Seller, auth.Admin},
			Summary:     "Mark a pending shipment packed",
			Description: "For the seller owning the shipment (another seller gets 404). 409 illegal_transition unless it is pending.",
			Params:      []rest.Param{id}, Response: shipment.Shipment{}, Errors: []int{404, 409},
		},
		{
			ID: "handoverShipment", Method: "POST", Path: "/api/v1/shipment/{id}/handover", Tags: tags, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Seller, auth.Admin},
			Summary: "Hand a packed shipment to a delivery partner",
			Description: "Assigns the partner named by partner_id, or without one (an empty body or {}) the active delivery " +
				"partner with the fewest shipments under way. The seller order is marked shipped first: if the customer " +
				"cancelled it, 409 order_cancelled (or not_shippable) and the shipment is unchanged. 409 illegal_transition " +
				"unless the shipment is packed; 409 no_delivery_partner when nobody can take it; 422 invalid_partner when " +
				"partner_id is not an active delivery partner.",
			Params: []rest.Param{id}, Request: shipment.HandoverInput{}, Response: shipment.Shipment{}, Errors: []int{404, 409, 422},
		},
		{
			ID: "recordShipmentEvent", Method: "POST", Path: "/api/v1/shipment/{id}/event", Tags: tags, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Delivery, auth.Admin},
			Summary: "Record a tracking event",
			Description: "For the assigned delivery partner (others get 404). Legal moves: handed_over -> picked_up -> " +
				"in_transit -> out_for_delivery -> delivered; out_for_delivery -> failed_attempt; failed_attempt -> " +
				"out_for_delivery or returned_to_seller; in_transit -> returned_to_seller. Anything else, including a move a " +
				"concurrent event already made, is 409 illegal_transition. location up to 200 characters, note 1000, proof " +
				"(a photo reference or the recipient's name) 500. A cash-on-delivery parcel (cash_due set) is delivered " +
				"only with cash_collected equal to cash_due; any other event or parcel carrying cash_collected is 400.",
			Params: []rest.Param{id}, Request: shipment.EventInput{}, Response: shipment.Shipment{}, Errors: []int{400, 404, 409},
		},
		{
			ID: "assignedShipments", Method: "GET", Path: "/api/v1/delivery/shipment", Tags: tags, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Delivery},
			Summary: "The shipments assigned to me, newest first",
			Params:  list, Response: page.Page[shipment.Shipment]{},
		},
		{
			ID: "sellerShipments", Method: "GET", Path: "/api/v1/seller/shipment", Tags: tags, Auth: rest.AuthBearer,
			Roles:       []auth.Role{auth.Seller},
			Summary:     "My store's shipments, newest first",
			Description: "404 if the seller has no store yet.",
			Params:      list, Response: page.Page[shipment.Shipment]{}, Errors: []int{404},
		},
	}
	ops[0].Limits = constraints()
	return ops
}

// constraints are what shipment's validation (track.go) enforces, and so
// what its answers hold.
func constraints() []rest.Constraint {
	// checkText refuses control characters other than tab.
	const text = "^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*$"
	var out []rest.Constraint
	for _, v := range []any{shipment.EventInput{}, shipment.Entry{}} {
		out = append(out,
			rest.Constraint{Of: v, Field: "location", MaxLength: shipment.MaxLocation, Pattern: text},
			rest.Constraint{Of: v, Field: "note", MaxLength: shipment.MaxNote, Pattern: text},
			rest.Constraint{Of: v, Field: "proof", MaxLength: shipment.MaxProof, Pattern: text})
	}
	// One parcel carries one seller order's lines.
	return append(out, rest.Constraint{Of: shipment.Shipment{}, Field: "items", MaxItems: 100})
}
