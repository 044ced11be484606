package shipment

import "time"

// Topics this module publishes; aggregate = the shipment ID.
const (
	TopicCreated       = "shipment.created.v1"
	TopicStatusChanged = "shipment.status_changed.v1"
)

// Created is the payload of TopicCreated.
type Created struct {
	ShipmentID    string `json:"shipment_id"`
	OrderID       string `json:"order_id"`
	SellerOrderID string `json:"seller_order_id"`
	SellerID      string `json:"seller_id"`
	CustomerID    string `json:"customer_id"`
	TrackingID    string `json:"tracking_id"`
	Carrier       string `json:"carrier"`
	Status        Status `json:"status"`
}

// StatusChanged is the payload of TopicStatusChanged, published on every
// change of a shipment's status.
type StatusChanged struct {
	ShipmentID     string    `json:"shipment_id"`
	OrderID        string    `json:"order_id"`
	SellerOrderID  string    `json:"seller_order_id"`
	SellerID       string    `json:"seller_id"`
	CustomerID     string    `json:"customer_id"`
	PartnerID      string    `json:"partner_id"`
	Status         Status    `json:"status"`
	PreviousStatus Status    `json:"previous_status"`
	Location       string    `json:"location"`
	At             time.Time `json:"at"`
}

// Topics this module consumes (owned by the order module).
const (
	TopicOrderPaid      = "order.paid.v1"
	TopicOrderCancelled = "order.cancelled.v1"
)

// OrderPaid is the part of order.paid.v1 this module reads.
type OrderPaid struct {
	OrderID         string            `json:"order_id"`
	CustomerID      string            `json:"customer_id"`
	PaidAt          time.Time         `json:"paid_at"`
	ShippingAddress Address           `json:"shipping_address"`
	SellerOrders    []PaidSellerOrder `json:"seller_orders"`
}

// PaidSellerOrder is one seller's part of a paid order.
type PaidSellerOrder struct {
	SellerOrderID string `json:"seller_order_id"`
	SellerID      string `json:"seller_id"`
	Lines         []Item `json:"lines"`
}

// OrderCancelled is the part of order.cancelled.v1 this module reads.
type OrderCancelled struct {
	OrderID        string   `json:"order_id"`
	CustomerID     string   `json:"customer_id"`
	SellerOrderIDs []string `json:"seller_order_ids"`
	Whole          bool     `json:"whole"`
	Reason         string   `json:"reason"`
}
