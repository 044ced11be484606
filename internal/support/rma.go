package support

import (
	"crypto/rand"
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// ReturnStatus is where a return (RMA) is in its life.
type ReturnStatus = supportevent.ReturnStatus

const (
	Requested       ReturnStatus = "requested"
	Approved        ReturnStatus = "approved"
	Rejected        ReturnStatus = "rejected"
	InTransit       ReturnStatus = "in_transit"
	Received        ReturnStatus = "received"
	ReturnRefunded  ReturnStatus = "refunded"
	ReturnCancelled ReturnStatus = "cancelled"
)

// ReturnStatuses lists every return status in life order.
var ReturnStatuses = []ReturnStatus{Requested, Approved, Rejected, InTransit, Received, ReturnRefunded, ReturnCancelled}

// ValidReturnStatus reports whether s is a known return status.
func ValidReturnStatus(s ReturnStatus) bool { return slices.Contains(ReturnStatuses, s) }

// returnMoves are the legal transitions of a return. Who may make each is
// the service's business.
var returnMoves = map[ReturnStatus][]ReturnStatus{
	Requested: {Approved, Rejected, ReturnCancelled},
	Approved:  {InTransit, Received, ReturnCancelled, ReturnRefunded},
	Rejected:  {Approved, ReturnRefunded},
	InTransit: {Received, ReturnRefunded},
	Received:  {ReturnRefunded},
}

// canMove reports whether a return may move from one status to another.
func canMove(from, to ReturnStatus) bool { return slices.Contains(returnMoves[from], to) }

// Reason is why a customer returns a line.
type Reason string

const (
	Damaged        Reason = "damaged"
	Defective      Reason = "defective"
	WrongItem      Reason = "wrong_item"
	NotAsDescribed Reason = "not_as_described"
	NoLongerNeeded Reason = "no_longer_needed"
	SizeOrFit      Reason = "size_or_fit"
	OtherReason    Reason = "other"
)

// Reasons lists every return reason.
var Reasons = []Reason{Damaged, Defective, WrongItem, NotAsDescribed, NoLongerNeeded, SizeOrFit, OtherReason}

// Valid reports whether r is a known reason.
func (r Reason) Valid() bool { return slices.Contains(Reasons, r) }

// Condition is the state a returned unit arrives in.
type Condition string

const (
	Sellable         Condition = "sellable" // goes back into stock
	DamagedOnReceipt Condition = "damaged"  // written off
)

// PickupStatus is where a return's pickup is.
type PickupStatus string

const (
	PickupScheduled PickupStatus = "scheduled" // assigned to a delivery partner
	PickupPickedUp  PickupStatus = "picked_up"
	PickupFailed    PickupStatus = "failed_attempt"
	PickupDelivered PickupStatus = "delivered" // handed to the seller
	PickupCancelled PickupStatus = "cancelled"
)

// PickupStatuses are those a delivery partner records.
var PickupStatuses = []PickupStatus{PickupPickedUp, PickupFailed, PickupDelivered}

var pickupMoves = map[PickupStatus][]PickupStatus{
	PickupScheduled: {PickupPickedUp, PickupFailed},
	PickupFailed:    {PickupPickedUp, PickupFailed},
	PickupPickedUp:  {PickupDelivered},
}

// Return is a customer's request to send back lines of one delivered
// seller order, and everything that follows: the seller's decision, the
// pickup, the receipt and the refund.
type Return struct {
	ID            id.Return      `json:"id"`
	OrderID       id.Order       `json:"order_id"`
	SellerOrderID id.SellerOrder `json:"seller_order_id"`
	SellerID      id.Seller      `json:"seller_id"`
	CustomerID    id.User        `json:"customer_id"`
	Status        ReturnStatus   `json:"status"`
	Lines         []ReturnLine   `json:"lines"`
	Comment       string         `json:"comment,omitempty"`
	Photos        []Attachment   `json:"photos"`
	// AutoApproved is set when the seller's policy approved it at once.
	AutoApproved bool   `json:"auto_approved"`
	RejectReason string `json:"reject_reason,omitempty"`
	// RestockingFee is deducted from the refund (set at receipt).
	RestockingFee money.Money `json:"restocking_fee"`
	// Refund is the amount refunded, or to be refunded once received.
	Refund money.Money `json:"refund"`
	// Restocked counts the units put back into stock.
	Restocked   int64     `json:"restocked"`
	Pickup      *Pickup   `json:"pickup,omitempty"`
	DeliveredAt time.Time `json:"delivered_at"` // when the seller order reached the customer
	Timeline    []Entry   `json:"timeline"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// TicketID is the escalation ticket linked to the return, if any.
	TicketID id.Ticket `json:"ticket_id,omitempty"`
	// ExchangeOrderID is the replacement order shipped at no charge for
	// the lines exchanged rather than refunded.
	ExchangeOrderID id.Order `json:"exchange_order_id,omitempty"`
}

// ReturnLine is a quantity of one SKU of the seller order sent back.
type ReturnLine struct {
	SKU       string      `json:"sku"`
	ProductID id.Product  `json:"product_id"`
	Title     string      `json:"title"`
	Quantity  int64       `json:"quantity"`
	Reason    Reason      `json:"reason"`
	UnitPrice money.Money `json:"unit_price"`
	// Sellable and Damaged are the units received in each condition.
	Sellable int64 `json:"sellable"`
	Damaged  int64 `json:"damaged"`
	// ExchangeSKU is the variant the customer takes instead of money ("":
	// a refund). If it is out of stock when the parcel arrives, the line
	// is refunded instead and ExchangeSKU cleared, with a timeline note.
	ExchangeSKU string `json:"exchange_sku,omitempty"`
}

// Pickup is the collection of a return's parcel from the customer by a
// delivery partner, who takes it to the seller.
type Pickup struct {
	PartnerID  id.User      `json:"partner_id"`
	Status     PickupStatus `json:"status"`
	TrackingID string       `json:"tracking_id"`
	Address    Address      `json:"address"`
	UpdatedAt  time.Time    `json:"updated_at"`
}

// Address is where a pickup happens: the order's shipping address.
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

// Entry is one step of a return's timeline (a return status, or a pickup
// status prefixed "pickup_").
type Entry struct {
	Status   string    `json:"status"`
	Note     string    `json:"note,omitempty"`
	Location string    `json:"location,omitempty"`
	ActorID  id.User   `json:"actor_id,omitempty"` // staff only
	At       time.Time `json:"at"`
}

// Event is an event to publish with a change, in the change's transaction.
type Event struct {
	Topic     string
	Aggregate string
	Payload   any
}

func eventOf[T any](t event.Topic[T], aggregate string, p T) Event {
	return Event{Topic: t.Name(), Aggregate: aggregate, Payload: p}
}

// move changes r's status (a Conflict "illegal_transition" when the
// transition is not legal), notes it on the timeline and returns the
// event to publish.
func (r *Return) move(to ReturnStatus, note, actor string, now time.Time) (Event, error) {
	if !canMove(r.Status, to) {
		return Event{}, apperr.Conflict("illegal_transition", "a %s return cannot become %s", r.Status, to)
	}
	r.Status = to
	r.UpdatedAt = now
	r.Timeline = append(r.Timeline, Entry{Status: string(to), Note: note, ActorID: id.User(actor), At: now})
	return returnEvent(*r, now), nil
}

// returnEvent is the event of r's current status.
func returnEvent(r Return, at time.Time) Event {
	p := supportevent.Return{ReturnID: r.ID, OrderID: r.OrderID, SellerOrderID: r.SellerOrderID, SellerID: r.SellerID,
		CustomerID: r.CustomerID, Status: r.Status, At: at, Lines: make([]supportevent.ReturnLine, 0, len(r.Lines))}
	received := r.Status == Received || r.Status == ReturnRefunded && r.received()
	for _, l := range r.Lines {
		el := supportevent.ReturnLine{SKU: l.SKU, ProductID: l.ProductID, Quantity: l.Quantity, Reason: string(l.Reason)}
		if received {
			// The units that came back; each line reported per condition.
			if l.Sellable > 0 {
				s := el
				s.Quantity, s.Condition = l.Sellable, string(Sellable)
				p.Lines = append(p.Lines, s)
			}
			if l.Damaged > 0 {
				d := el
				d.Quantity, d.Condition = l.Damaged, string(DamagedOnReceipt)
				p.Lines = append(p.Lines, d)
			}
			continue
		}
		p.Lines = append(p.Lines, el)
	}
	topic := map[ReturnStatus]string{
		Requested: supportevent.TopicReturnRequested.Name(), Approved: supportevent.TopicReturnApproved.Name(),
		Rejected: supportevent.TopicReturnRejected.Name(), ReturnCancelled: supportevent.TopicReturnCancelled.Name(),
		InTransit: supportevent.TopicReturnInTransit.Name(), Received: supportevent.TopicReturnReceived.Name(),
		ReturnRefunded: supportevent.TopicReturnRefunded.Name(),
	}[r.Status]
	if r.Status == ReturnRefunded {
		amt := r.Refund
		p.Refund = &amt
	}
	return Event{Topic: topic, Aggregate: string(r.ID), Payload: p}
}

// received reports whether any unit was received.
func (r *Return) received() bool {
	for _, l := range r.Lines {
		if l.Sellable+l.Damaged > 0 {
			return true
		}
	}
	return false
}

// Policy is a seller's return policy.
type Policy struct {
	SellerID id.Seller `json:"seller_id"`
	// WindowDays is how long after delivery a return may be requested.
	WindowDays int `json:"window_days"`
	// AutoApprove lists the reasons approved without the seller looking.
	AutoApprove []Reason  `json:"auto_approve"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// DefaultWindowDays is the return window of a seller that set none.
const DefaultWindowDays = 14

// MaxWindowDays bounds a seller's return window.
const MaxWindowDays = 365

// newTrackingID returns a pickup's tracking ID: "RP" and 12 characters
// without look-alikes.
func newTrackingID() string {
	const digits = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = digits[b[i]%32]
	}
	return "RP" + string(b)
}
