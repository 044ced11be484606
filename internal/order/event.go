package order

import (
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"

	"github.com/bazaar-market/bazaar/internal/money"
)

// Topics this module publishes; the aggregate of every event is the order ID.
const (
	TopicPlaced        = event.Topic[Placed]("order.placed.v1")
	TopicPaid          = event.Topic[PaidEvent]("order.paid.v1")
	TopicCancelled     = event.Topic[CancelledEvent]("order.cancelled.v1")
	TopicDelivered     = event.Topic[DeliveredEvent]("order.delivered.v1")
	TopicStatusChanged = event.Topic[StatusChanged]("order.status_changed.v1")
)

// Event is an event to publish with a change, in the change's transaction.
// Make one with eventOf, which checks the payload's type against the topic.
type Event struct {
	Topic   string
	Payload any
}

// eventOf is the event of topic t with payload p.
func eventOf[T any](t event.Topic[T], p T) Event { return Event{Topic: t.Name(), Payload: p} }

// LineQty is a SKU and a quantity.
type LineQty struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// Placed is the payload of TopicPlaced: an order was placed and its stock
// reserved. FromCart says its lines came from the customer's cart, which
// then loses exactly these quantities (the module's own "order.cart"
// consumer sees to it).
type Placed struct {
	OrderID        id.Order         `json:"order_id"`
	CustomerID     id.User          `json:"customer_id"`
	Total          money.Money      `json:"total"`
	SellerOrderIDs []id.SellerOrder `json:"seller_order_ids"`
	Lines          []LineQty        `json:"lines"`
	FromCart       bool             `json:"from_cart"`
}

// PaidEvent is the payload of TopicPaid: the order was paid, its stock
// committed, and each seller order awaits fulfilment (the shipment module
// creates one shipment per seller order).
type PaidEvent struct {
	OrderID         id.Order     `json:"order_id"`
	CustomerID      id.User      `json:"customer_id"`
	PaidAt          time.Time    `json:"paid_at"`
	ShippingAddress Address      `json:"shipping_address"`
	SellerOrders    []PaidSeller `json:"seller_orders"`
	// Replacement marks an order placed at no charge in exchange for
	// returned units (PlaceReplacement).
	Replacement bool `json:"replacement,omitempty"`
	// CashOnDelivery marks an order confirmed for cash on delivery: each
	// seller order's CashDue is collected by its delivery partner.
	CashOnDelivery bool `json:"cash_on_delivery,omitempty"`
}

// PaidSeller is one seller order of a PaidEvent.
type PaidSeller struct {
	SellerOrderID id.SellerOrder `json:"seller_order_id"`
	SellerID      id.Seller      `json:"seller_id"`
	Lines         []PaidLine     `json:"lines"`
	// CashDue is what the customer pays in cash on delivery for this seller
	// order (its total); nil when the order was paid in advance.
	CashDue *money.Money `json:"cash_due,omitempty"`
}

// PaidLine is one line of a PaidSeller.
type PaidLine struct {
	SKU       string     `json:"sku"`
	ProductID id.Product `json:"product_id"`
	Title     string     `json:"title"`
	Quantity  int64      `json:"quantity"`
}

// CancelledEvent is the payload of TopicCancelled. SellerOrderIDs are the
// seller orders this cancellation cancelled (empty when a payment succeeded
// for an order cancelled before); Whole says the customer order is now
// cancelled; RefundRequired says money was captured and must be given back
// (the order module's own refund consumer does it through the payment
// module).
type CancelledEvent struct {
	OrderID        id.Order         `json:"order_id"`
	CustomerID     id.User          `json:"customer_id"`
	SellerOrderIDs []id.SellerOrder `json:"seller_order_ids"`
	Whole          bool             `json:"whole"`
	Reason         string           `json:"reason"`
	RefundRequired bool             `json:"refund_required"`
	// Authorized says the order's payment was only authorised and nothing
	// was taken for the cancelled seller orders (cash on delivery, or a
	// card captured at handover): there is nothing to refund
	// (RefundRequired is false), but what their sale booked is reversed;
	// they are left out of the capture, or the authorisation is voided.
	Authorized bool `json:"authorized,omitempty"`
	// CashOnDelivery says Authorized, for an order paid in cash on delivery.
	CashOnDelivery bool `json:"cash_on_delivery,omitempty"`
	// Sold are the lines of the cancelled seller orders that order.paid.v1
	// reported sold (a paid order cancelled before it shipped): whoever
	// counts sales from that event takes these back. Empty when the order
	// had not been paid.
	Sold []PaidLine `json:"sold,omitempty"`
}

// soldLines returns the lines of o's seller orders ids, as order.paid.v1
// reported them.
func soldLines(o *Order, ids []id.SellerOrder) []PaidLine {
	var out []PaidLine
	for _, id := range ids {
		if part := o.Part(id); part != nil {
			for _, l := range part.Lines {
				out = append(out, PaidLine{SKU: l.SKU, ProductID: l.ProductID, Title: l.Title, Quantity: l.Quantity})
			}
		}
	}
	return out
}

// DeliveredEvent is the payload of TopicDelivered, published once when every
// seller order that was not cancelled is delivered.
type DeliveredEvent struct {
	OrderID    id.Order `json:"order_id"`
	CustomerID id.User  `json:"customer_id"`
}

// StatusChanged is the payload of TopicStatusChanged, published with every
// change of a customer order's status (next to the specific event, if any).
type StatusChanged struct {
	OrderID        id.Order  `json:"order_id"`
	CustomerID     id.User   `json:"customer_id"`
	Status         Status    `json:"status"`
	PreviousStatus Status    `json:"previous_status"`
	At             time.Time `json:"at"`
}

// Shipment statuses the order module reacts to.
const (
	shipmentDelivered        = "delivered"
	shipmentReturnedToSeller = "returned_to_seller"
	shipmentCancelled        = "cancelled"
)
