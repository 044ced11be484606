// Package shipment moves each paid seller order to its customer: one
// shipment per seller order, with a tracking ID, a carrier, an assigned
// delivery partner and a timeline of tracking events.
//
// Shipments are created when an order is paid (order.paid.v1) and cancelled
// with their seller orders (order.cancelled.v1) while still unshipped. The
// seller packs and hands over; at handover the order module's ShipSellerOrder
// gate is asked first, so a customer's cancellation and a seller's handover
// can never both win. The delivery partner then records the journey.
//
// State machine (every move is one conditional UPDATE; anything else is a
// Conflict "illegal_transition"):
//
//	seller:    pending -> packed -> handed_over
//	partner:   handed_over -> picked_up -> in_transit -> out_for_delivery -> delivered
//	           out_for_delivery -> failed_attempt
//	           failed_attempt -> out_for_delivery | returned_to_seller
//	           in_transit -> returned_to_seller
//	order:     pending | packed -> cancelled (the seller order was cancelled)
//
// Tables (shipmentsql):
//   - shipment_shipment: id, order_id, seller_order_id (unique), seller_id,
//     customer_id, status, carrier, tracking_id (unique), partner_id, the
//     shipping address fields, items (JSON snapshot), created_at, updated_at
//   - shipment_event: the timeline: id, shipment_id, status, location, note,
//     proof, actor_id, at
//
// Events published (payloads in event.go, aggregate = the shipment ID):
//   - shipment.created.v1        Created
//   - shipment.status_changed.v1 StatusChanged, on every change of status
//
// Events consumed (consumer "shipment", through an event.Subscriber; each
// applied exactly once, recorded by Store.ApplyOnce in the transaction that
// applies it):
//   - order.paid.v1      creates one pending shipment per seller order
//   - order.cancelled.v1 cancels the named seller orders' pending or packed shipments
package shipment
