// Package shipmentevent declares the events the shipment module publishes:
// their topics and payloads. It is a contract package of its own because
// the order module consumes these events and the shipment module builds on
// the order module (order <- shipment): order imports this package, never
// the shipment module.
package shipmentevent

import (
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Topics the shipment module publishes; aggregate = the shipment ID.
const (
	TopicCreated       = event.Topic[Created]("shipment.created.v1")
	TopicStatusChanged = event.Topic[StatusChanged]("shipment.status_changed.v1")
)

// Status is where a shipment is in its life (shipment.Status is this type).
type Status string

// Created is the payload of TopicCreated.
type Created struct {
	ShipmentID    id.Shipment    `json:"shipment_id"`
	OrderID       id.Order       `json:"order_id"`
	SellerOrderID id.SellerOrder `json:"seller_order_id"`
	SellerID      id.Seller      `json:"seller_id"`
	CustomerID    id.User        `json:"customer_id"`
	TrackingID    string         `json:"tracking_id"`
	Carrier       string         `json:"carrier"`
	Status        Status         `json:"status"`
}

// StatusChanged is the payload of TopicStatusChanged, published on every
// change of a shipment's status.
type StatusChanged struct {
	ShipmentID     id.Shipment    `json:"shipment_id"`
	OrderID        id.Order       `json:"order_id"`
	SellerOrderID  id.SellerOrder `json:"seller_order_id"`
	SellerID       id.Seller      `json:"seller_id"`
	CustomerID     id.User        `json:"customer_id"`
	PartnerID      id.User        `json:"partner_id"`
	Status         Status         `json:"status"`
	PreviousStatus Status         `json:"previous_status"`
	Location       string         `json:"location"`
	At             time.Time      `json:"at"`
	// CashCollected is the cash the delivery partner collected with a
	// delivered cash-on-delivery parcel.
	CashCollected *money.Money `json:"cash_collected,omitempty"`
}
