package shipment

import (
	"crypto/rand"
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Status is where a shipment is in its life.
type Status string

const (
	Pending          Status = "pending" // awaiting packing
	Packed           Status = "packed"
	HandedOver       Status = "handed_over" // assigned to a delivery partner, awaiting pickup
	PickedUp         Status = "picked_up"
	InTransit        Status = "in_transit"
	OutForDelivery   Status = "out_for_delivery"
	Delivered        Status = "delivered"
	FailedAttempt    Status = "failed_attempt"
	ReturnedToSeller Status = "returned_to_seller"
	Cancelled        Status = "cancelled"
)

// Statuses lists every status in life order.
var Statuses = []Status{Pending, Packed, HandedOver, PickedUp, InTransit, OutForDelivery,
	Delivered, FailedAttempt, ReturnedToSeller, Cancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Actor is who asks for a move; each may make only its own moves.
type Actor int

const (
	BySeller  Actor = iota // packs and hands over (or an admin on its behalf)
	ByPartner              // the assigned delivery partner (or an admin)
	ByOrder                // the order module, cancelling a seller order
)

// moves lists the legal transitions per actor.
var moves = map[Actor]map[Status][]Status{
	BySeller: {
		Pending: {Packed},
		Packed:  {HandedOver},
	},
	ByPartner: {
		HandedOver:     {PickedUp},
		PickedUp:       {InTransit},
		InTransit:      {OutForDelivery, ReturnedToSeller},
		OutForDelivery: {Delivered, FailedAttempt},
		FailedAttempt:  {OutForDelivery, ReturnedToSeller},
	},
	ByOrder: {
		Pending: {Cancelled},
		Packed:  {Cancelled},
	},
}

// CanMove reports whether actor may move a shipment from one status to another.
func CanMove(actor Actor, from, to Status) bool {
	return slices.Contains(moves[actor][from], to)
}

// PartnerStatuses are the statuses a delivery partner may record.
var PartnerStatuses = []Status{PickedUp, InTransit, OutForDelivery, Delivered, FailedAttempt, ReturnedToSeller}

// Active are the statuses in which a shipment counts towards its delivery
// partner's load.
var Active = []Status{HandedOver, PickedUp, InTransit, OutForDelivery, FailedAttempt}

// Shipment is the parcel of one seller order.
type Shipment struct {
	ID              id.Shipment    `json:"id"`
	OrderID         id.Order       `json:"order_id"`
	SellerOrderID   id.SellerOrder `json:"seller_order_id"`
	SellerID        id.Seller      `json:"seller_id"`
	CustomerID      id.User        `json:"customer_id"`
	Status          Status         `json:"status"`
	Carrier         string         `json:"carrier"`
	TrackingID      string         `json:"tracking_id"`
	PartnerID       id.User        `json:"partner_id,omitempty"`
	ShippingAddress Address        `json:"shipping_address"`
	Items           []Item         `json:"items"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	// CashDue is what the delivery partner collects in cash on delivery
	// (the seller order's total); nil for a prepaid parcel.
	CashDue *money.Money `json:"cash_due,omitempty"`
	// CashCollected is the cash recorded with the delivered event.
	CashCollected *money.Money `json:"cash_collected,omitempty"`
	// Timeline holds the tracking events in time order, the first being
	// the label's creation.
	Timeline []Entry `json:"timeline"`
}

// Address is where a shipment goes, copied from the paid order.
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

// Item is one line of the seller order, for the packing slip.
type Item struct {
	SKU       string     `json:"sku"`
	ProductID id.Product `json:"product_id"`
	Title     string     `json:"title"`
	Quantity  int64      `json:"quantity"`
}

// Entry is one tracking event on a shipment's timeline.
type Entry struct {
	Status   Status `json:"status"`
	Location string `json:"location"`
	Note     string `json:"note"`
	// Proof is free text such as a photo reference or the recipient's name.
	Proof string `json:"proof"`
	// ActorID is the user who recorded the event ("" for the system). Only
	// staff see it.
	ActorID id.User   `json:"actor_id,omitempty"`
	At      time.Time `json:"at"`
}

// Change is one status move the store applies if the shipment is still in From.
type Change struct {
	ID   id.Shipment
	From Status
	// PartnerID assigns the delivery partner (handover); "" keeps it.
	PartnerID id.User
	// Entry is the timeline event of the move; Entry.Status is the new status.
	Entry Entry
	// CashCollected is recorded with a cash-on-delivery parcel's delivery.
	CashCollected *money.Money
}

// TrackingPrefix starts every tracking ID.
const TrackingPrefix = "BZ"

// trackingDigits avoids look-alikes (0/O, 1/I) so IDs survive being read
// over the phone.
const trackingDigits = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// NewTrackingID returns a random, human-friendly tracking ID: "BZ" and 12
// characters of digits and capital letters (60 bits).
func NewTrackingID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = trackingDigits[b[i]%32]
	}
	return TrackingPrefix + string(b)
}
