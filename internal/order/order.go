package order

import (
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Status is where a customer order is. Until it is paid it moves by itself
// (pending_payment -> paid | cancelled); after that it is derived from its
// seller orders (see Derive).
type Status string

const (
	PendingPayment     Status = "pending_payment"
	Paid               Status = "paid"
	PartiallyShipped   Status = "partially_shipped"
	Shipped            Status = "shipped"
	PartiallyDelivered Status = "partially_delivered"
	Delivered          Status = "delivered"
	Cancelled          Status = "cancelled"
	Refunded           Status = "refunded"
	// PartiallyReturned: some unit of a delivered seller order was returned
	// (refunded through a return).
	PartiallyReturned Status = "partially_returned"
	// Returned: every unit of every seller order that was not cancelled was
	// returned.
	Returned Status = "returned"
)

// Statuses lists every customer order status.
var Statuses = []Status{PendingPayment, Paid, PartiallyShipped, Shipped, PartiallyDelivered, Delivered, Cancelled, Refunded,
	PartiallyReturned, Returned}

var transitions = map[Status][]Status{
	PendingPayment: {Paid, Cancelled},
	Paid:           {PartiallyShipped, Shipped, Cancelled},
	// Shipped and partially shipped orders become cancelled when every
	// parcel that was not cancelled came back undelivered.
	PartiallyShipped:   {Shipped, PartiallyDelivered, PartiallyReturned, Cancelled},
	Shipped:            {PartiallyDelivered, Delivered, PartiallyReturned, Returned, Cancelled},
	PartiallyDelivered: {Delivered, PartiallyReturned, Returned},
	Delivered:          {PartiallyReturned, Returned},
	PartiallyReturned:  {Returned},
	Cancelled:          {Refunded},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// CanBecome reports whether an order in status s may move to t. Staying in
// the same status is not a transition.
func (s Status) CanBecome(t Status) bool { return slices.Contains(transitions[s], t) }

// SellerStatus is where one seller's part of an order is.
type SellerStatus string

const (
	SellerPendingPayment      SellerStatus = "pending_payment"
	SellerAwaitingFulfillment SellerStatus = "awaiting_fulfillment"
	SellerShipped             SellerStatus = "shipped"
	SellerDelivered           SellerStatus = "delivered"
	SellerReturned            SellerStatus = "returned"
	SellerCancelled           SellerStatus = "cancelled"
)

// SellerStatuses lists every seller order status.
var SellerStatuses = []SellerStatus{SellerPendingPayment, SellerAwaitingFulfillment, SellerShipped, SellerDelivered, SellerReturned, SellerCancelled}

var sellerTransitions = map[SellerStatus][]SellerStatus{
	SellerPendingPayment:      {SellerAwaitingFulfillment, SellerCancelled},
	SellerAwaitingFulfillment: {SellerShipped, SellerCancelled},
	SellerShipped:             {SellerDelivered, SellerReturned},
}

// Valid reports whether s is a known seller order status.
func (s SellerStatus) Valid() bool { return slices.Contains(SellerStatuses, s) }

// CanBecome reports whether a seller order in status s may move to t.
func (s SellerStatus) CanBecome(t SellerStatus) bool { return slices.Contains(sellerTransitions[s], t) }

// Address is where an order is shipped, copied onto the order when placed.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
	Phone      string `json:"phone"`
}

// PaymentError is the last payment failure of an order, as the gateway
// described it to the customer.
type PaymentError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Order is a customer's order: one seller order per seller, the totals, the
// shipping address and what is known of its payment.
type Order struct {
	ID                   id.Order    `json:"id"`
	Status               Status      `json:"status"`
	CustomerID           id.User     `json:"customer_id"`
	Currency             string      `json:"currency"`
	Subtotal             money.Money `json:"subtotal"`
	Shipping             money.Money `json:"shipping"`
	Tax                  money.Money `json:"tax"`
	Total                money.Money `json:"total"`
	Refunded             money.Money `json:"refunded"` // refunds that succeeded, over all payments
	ShippingAddress      Address     `json:"shipping_address"`
	ReservationExpiresAt time.Time   `json:"reservation_expires_at"`
	PlacedAt             time.Time   `json:"placed_at"`
	PaidAt               *time.Time  `json:"paid_at,omitempty"`
	CancelledAt          *time.Time  `json:"cancelled_at,omitempty"`
	CancelReason         string      `json:"cancel_reason,omitempty"`
	PaymentStatus        string      `json:"payment_status,omitempty"` // of the latest attempt: pending, processing, authorized, failed, succeeded, ...
	// CashOnDelivery: the customer pays in cash on delivery (the payment
	// is authorised until then). An order whose card payment is only
	// authorised (manual capture) is not.
	CashOnDelivery   bool          `json:"cash_on_delivery,omitempty"`
	LastPaymentError *PaymentError `json:"last_payment_error,omitempty"`
	UpdatedAt        time.Time     `json:"updated_at"`
	SellerOrders     []SellerOrder `json:"seller_orders"`

	// PaymentID is the latest payment attempt the order knows of.
	PaymentID id.Payment `json:"-"`
	// PaymentAt is when the latest attempt was started or last reported on.
	PaymentAt time.Time `json:"-"`
	// RequestKey is the Idempotency-Key the order was placed with ("" for
	// none); unique per customer.
	RequestKey string `json:"-"`
}

// SellerOrder is one seller's part of an order: its lines, its shipping fee
// and its own status. Refunded is what returns of it refunded
// (return.refunded.v1); the refund of a cancelled seller order is not in
// it (that shows in the order's Refunded only).
type SellerOrder struct {
	ID           id.SellerOrder `json:"id"`
	OrderID      id.Order       `json:"order_id"`
	SellerID     id.Seller      `json:"seller_id"`
	Status       SellerStatus   `json:"status"`
	Subtotal     money.Money    `json:"subtotal"`
	Shipping     money.Money    `json:"shipping"`
	Tax          money.Money    `json:"tax"`
	Total        money.Money    `json:"total"`
	Lines        []Line         `json:"lines"`
	Refunded     money.Money    `json:"refunded"` // by returns; see above
	Shipment     *Shipment      `json:"shipment,omitempty"`
	CancelReason string         `json:"cancel_reason,omitempty"`
	CancelledAt  *time.Time     `json:"cancelled_at,omitempty"`
	ShippedAt    *time.Time     `json:"shipped_at,omitempty"`
	DeliveredAt  *time.Time     `json:"delivered_at,omitempty"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// Line is a quantity of one SKU at the price it had when the order was
// placed. An order has one line per SKU. Returned is how many of its units
// were refunded through returns (0..Quantity, never decreasing).
type Line struct {
	ID        id.OrderLine      `json:"id"`
	SKU       string            `json:"sku"`
	ProductID id.Product        `json:"product_id"`
	Title     string            `json:"title"`
	Options   map[string]string `json:"options"`
	Quantity  int64             `json:"quantity"`
	UnitPrice money.Money       `json:"unit_price"`
	LineTotal money.Money       `json:"line_total"`
	Returned  int64             `json:"returned"`
}

// Shipment is the order's projection of a seller order's shipment, kept up
// to date from the shipment module's events.
type Shipment struct {
	ID         id.Shipment `json:"id"`
	Status     string      `json:"status"`
	TrackingID string      `json:"tracking_id"`
}

// Part returns the seller order with id, nil if the order has none.
func (o *Order) Part(id id.SellerOrder) *SellerOrder {
	for i := range o.SellerOrders {
		if o.SellerOrders[i].ID == id {
			return &o.SellerOrders[i]
		}
	}
	return nil
}

// PartOf returns the seller order of sellerID, nil if the seller has none.
func (o *Order) PartOf(sellerID id.Seller) *SellerOrder {
	for i := range o.SellerOrders {
		if o.SellerOrders[i].SellerID == sellerID {
			return &o.SellerOrders[i]
		}
	}
	return nil
}

// Line returns the seller order's line of sku, nil if it has none.
func (so *SellerOrder) Line(sku string) *Line {
	for i := range so.Lines {
		if so.Lines[i].SKU == sku {
			return &so.Lines[i]
		}
	}
	return nil
}

// returns reports whether some unit of the seller order was returned
// (any) and whether every unit was (all).
func (so *SellerOrder) returns() (anyReturned, allReturned bool) {
	allReturned = len(so.Lines) > 0
	for _, l := range so.Lines {
		anyReturned = anyReturned || l.Returned > 0
		allReturned = allReturned && l.Returned >= l.Quantity
	}
	return anyReturned, allReturned
}

// SKUs returns the SKUs of a seller order's lines.
func (so *SellerOrder) SKUs() []string {
	out := make([]string, len(so.Lines))
	for i, l := range so.Lines {
		out[i] = l.SKU
	}
	return out
}

func illegal(what, id string, from, to any) error {
	return apperr.Conflict("illegal_transition", "%s %s cannot go from %s to %s", what, id, from, to)
}

// to moves the order to t, refusing illegal transitions.
func (o *Order) to(t Status, now time.Time) error {
	if o.Status == t {
		return nil
	}
	if !o.Status.CanBecome(t) {
		return illegal("order", string(o.ID), o.Status, t)
	}
	o.Status, o.UpdatedAt = t, now
	return nil
}

// to moves the seller order to t, refusing illegal transitions.
func (so *SellerOrder) to(t SellerStatus, now time.Time) error {
	if !so.Status.CanBecome(t) {
		return illegal("seller order", string(so.ID), so.Status, t)
	}
	so.Status, so.UpdatedAt = t, now
	switch t {
	case SellerCancelled:
		so.CancelledAt = ptr(now)
	case SellerShipped:
		so.ShippedAt = ptr(now)
	case SellerDelivered:
		so.DeliveredAt = ptr(now)
	}
	return nil
}

func ptr(t time.Time) *time.Time { return &t }

// Derive returns the status a paid order has given its seller orders
// (with their lines): cancelled when every part is cancelled or came back
// to its seller undelivered (refused at the door: it is cancelled for the
// customer, and refunded where prepaid); returned when every delivered
// part had every unit returned; partially_returned when some unit of a
// delivered part is returned; delivered when every part that was neither
// cancelled nor sent back is delivered; partially_delivered when some
// are; shipped when none awaits fulfilment any more (shipped, delivered or
// sent back); partially_shipped when some do; paid otherwise. A part sent
// back counts as shipped but never as delivered. Only delivered parts
// count for the returns: units refunded on a part that was never
// delivered (a lost parcel refunded without receipt) are recorded on its
// lines but leave the status alone until the part is delivered (hence
// partially_shipped -> partially_returned and shipped -> partially_returned |
// returned).
func Derive(parts []SellerOrder) Status {
	var live, awaiting, delivered, sentBack, returnedIn, returnedAll int
	for _, p := range parts {
		switch p.Status {
		case SellerCancelled:
			continue
		case SellerPendingPayment, SellerAwaitingFulfillment:
			awaiting++
		case SellerReturned:
			sentBack++
		case SellerDelivered:
			delivered++
			some, all := p.returns()
			if some {
				returnedIn++
			}
			if all {
				returnedAll++
			}
		}
		live++
	}
	kept := live - sentBack // the parts the customer gets or still may
	switch {
	case kept == 0:
		return Cancelled
	case returnedAll == kept:
		return Returned
	case returnedIn > 0:
		return PartiallyReturned
	case delivered == kept:
		return Delivered
	case delivered > 0:
		return PartiallyDelivered
	case awaiting == 0:
		return Shipped
	case awaiting < live:
		return PartiallyShipped
	}
	return Paid
}

// rederive moves a paid order to the status its parts give it.
func (o *Order) rederive(now time.Time) error {
	if o.Status == PendingPayment || o.Status == Cancelled || o.Status == Refunded {
		return nil
	}
	return o.to(Derive(o.SellerOrders), now)
}

// ShippedAny reports whether some part has left its seller.
func (o *Order) ShippedAny() bool {
	for _, p := range o.SellerOrders {
		if p.Status == SellerShipped || p.Status == SellerDelivered || p.Status == SellerReturned {
			return true
		}
	}
	return false
}

// onDelivery reports whether o's payment is only authorised and nothing
// has been taken yet (cash on delivery, or a card captured at handover): a
// cancelled part has nothing to refund.
func (o *Order) onDelivery() bool { return o.PaymentStatus == "authorized" }

// markPaid records the payment: the order is paid and every part awaits
// fulfilment.
func (o *Order) markPaid(paymentID id.Payment, paymentStatus string, now time.Time) error {
	if err := o.to(Paid, now); err != nil {
		return err
	}
	for i := range o.SellerOrders {
		if err := o.SellerOrders[i].to(SellerAwaitingFulfillment, now); err != nil {
			return err
		}
	}
	o.PaidAt, o.PaymentID, o.PaymentStatus, o.PaymentAt, o.LastPaymentError = ptr(now), paymentID, paymentStatus, now, nil
	return nil
}

// cancel cancels every part that is not cancelled yet and the order with
// them, and returns the parts it cancelled. Once a part has shipped it
// changes nothing and fails with Conflict "order_shipped".
func (o *Order) cancel(reason string, now time.Time) ([]id.SellerOrder, error) {
	switch o.Status {
	case Cancelled, Refunded:
		return nil, apperr.Conflict("order_cancelled", "order %s is already cancelled", o.ID)
	}
	if o.ShippedAny() {
		return nil, apperr.Conflict("order_shipped", "order %s has shipped (in part) and can no longer be cancelled; request a return instead", o.ID)
	}
	var ids []id.SellerOrder
	for i := range o.SellerOrders {
		p := &o.SellerOrders[i]
		if p.Status == SellerCancelled {
			continue
		}
		if err := p.to(SellerCancelled, now); err != nil {
			return nil, err
		}
		p.CancelReason = reason
		ids = append(ids, p.ID)
	}
	if err := o.to(Cancelled, now); err != nil {
		return nil, err
	}
	o.CancelledAt, o.CancelReason = ptr(now), reason
	return ids, nil
}

// cancelPart cancels one paid, unshipped seller order. When it was the last
// part left the whole order is cancelled; whole says so.
func (o *Order) cancelPart(sellerOrderID id.SellerOrder, reason string, now time.Time) (whole bool, err error) {
	p := o.Part(sellerOrderID)
	if p == nil {
		return false, apperr.NotFound("seller order %s not found", sellerOrderID)
	}
	switch p.Status {
	case SellerCancelled:
		return false, apperr.Conflict("order_cancelled", "seller order %s is already cancelled", p.ID)
	case SellerPendingPayment:
		return false, apperr.Conflict("not_paid", "seller order %s is not paid yet; an unpaid order is cancelled by itself when its reservation expires", p.ID)
	case SellerShipped, SellerDelivered, SellerReturned:
		return false, apperr.Conflict("order_shipped", "seller order %s has shipped and can no longer be cancelled", p.ID)
	}
	if err := p.to(SellerCancelled, now); err != nil {
		return false, err
	}
	p.CancelReason = reason
	if Derive(o.SellerOrders) == Cancelled {
		if err := o.to(Cancelled, now); err != nil {
			return false, err
		}
		o.CancelledAt, o.CancelReason = ptr(now), reason
		return true, nil
	}
	return false, o.rederive(now)
}

// shipPart marks a seller order shipped with shipmentID. Shipping it again
// with the same shipment is ErrUnchanged.
func (o *Order) shipPart(sellerOrderID id.SellerOrder, shipmentID id.Shipment, now time.Time) error {
	p := o.Part(sellerOrderID)
	if p == nil {
		return apperr.NotFound("seller order %s not found", sellerOrderID)
	}
	same := p.Shipment != nil && p.Shipment.ID == shipmentID
	switch p.Status {
	case SellerAwaitingFulfillment:
	case SellerShipped, SellerDelivered, SellerReturned:
		if same {
			return ErrUnchanged
		}
		return apperr.Conflict("not_shippable", "seller order %s has already shipped with another shipment", p.ID)
	case SellerCancelled:
		return apperr.Conflict("order_cancelled", "seller order %s was cancelled; do not ship it", p.ID)
	default:
		return apperr.Conflict("not_shippable", "seller order %s is %s and cannot ship", p.ID, p.Status)
	}
	if err := p.to(SellerShipped, now); err != nil {
		return err
	}
	if p.Shipment == nil || p.Shipment.ID != shipmentID {
		p.Shipment = &Shipment{ID: shipmentID, Status: "handed_over"}
	}
	return o.rederive(now)
}

// setID gives a new order (and its seller orders) the ID id.
func (o *Order) setID(id id.Order) {
	o.ID = id
	for i := range o.SellerOrders {
		o.SellerOrders[i].OrderID = id
	}
}

// setPlacedAt dates a new order at, with its reservation expiring ttl later.
func (o *Order) setPlacedAt(at time.Time, ttl time.Duration) {
	o.PlacedAt, o.UpdatedAt, o.ReservationExpiresAt = at, at, at.Add(ttl)
	for i := range o.SellerOrders {
		o.SellerOrders[i].UpdatedAt = at
	}
}
