package shipment

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// EventInput is a tracking event a delivery partner records.
type EventInput struct {
	Status   Status `json:"status"`
	Location string `json:"location,omitempty"`
	Note     string `json:"note,omitempty"`
	// Proof is free text: a photo reference, the recipient's name, ...
	Proof string `json:"proof,omitempty"`
	// CashCollected is the cash taken from the customer with the delivered
	// event of a cash-on-delivery parcel: required then, and exactly the
	// amount due; refused for any other event or parcel.
	CashCollected *money.Money `json:"cash_collected,omitempty"`
}

// Field length limits of EventInput, in characters.
const (
	MaxLocation = 200
	MaxNote     = 1000
	MaxProof    = 500
)

func (in *EventInput) normalize() error {
	in.Location = strings.TrimSpace(in.Location)
	in.Note = strings.TrimSpace(in.Note)
	in.Proof = strings.TrimSpace(in.Proof)
	var f apperr.Fields
	switch {
	case in.Status == "":
		f.Add("status", "is required")
	case !slices.Contains(PartnerStatuses, in.Status):
		f.Add("status", "must be one of picked_up, in_transit, out_for_delivery, delivered, failed_attempt, returned_to_seller")
	}
	checkText(&f, "location", in.Location, MaxLocation)
	checkText(&f, "note", in.Note, MaxNote)
	checkText(&f, "proof", in.Proof, MaxProof)
	return f.Err()
}

func checkText(f *apperr.Fields, field, s string, maxLen int) {
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }):
		f.Add(field, "must be text without control characters")
	case utf8.RuneCountInString(s) > maxLen:
		f.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	}
}

// RecordEvent records a tracking event and moves the shipment to its
// status. Only the assigned delivery partner (or an admin) may; for other
// partners the shipment is NotFound, other roles are Forbidden. A move the
// state machine does not allow from the current status, including one that
// a concurrent event just made, is a Conflict "illegal_transition".
func (s *Service) RecordEvent(ctx context.Context, shipmentID id.Shipment, in EventInput) (Shipment, error) {
	p, err := auth.Require(ctx, auth.Delivery, auth.Admin)
	if err != nil {
		return Shipment{}, err
	}
	if err := in.normalize(); err != nil {
		return Shipment{}, err
	}
	shp, err := s.store.Shipment(ctx, shipmentID)
	if apperr.Is(err, apperr.KindNotFound) || err == nil && p.Is(auth.Delivery) && shp.PartnerID != p.UserID {
		return Shipment{}, missing(shipmentID)
	}
	if err != nil {
		return Shipment{}, fmt.Errorf("read shipment %s: %w", shipmentID, err)
	}
	if !CanMove(ByPartner, shp.Status, in.Status) {
		return Shipment{}, illegal(shp.Status, in.Status)
	}
	if err := checkCash(shp, in); err != nil {
		return Shipment{}, err
	}
	return s.move(ctx, p, Change{ID: shp.ID, From: shp.Status, CashCollected: in.CashCollected, Entry: Entry{
		Status: in.Status, Location: in.Location, Note: in.Note, Proof: in.Proof, ActorID: p.UserID, At: s.clock()}})
}

// checkCash checks the cash collected with an event: a cash-on-delivery
// parcel is delivered only with exactly the amount due, and no other event
// or parcel carries cash.
func checkCash(shp Shipment, in EventInput) error {
	var f apperr.Fields
	due, got := shp.CashDue, in.CashCollected
	switch {
	case got != nil && (due == nil || in.Status != Delivered):
		f.Add("cash_collected", "only a delivered cash-on-delivery parcel carries the cash collected")
	case due != nil && in.Status == Delivered && got == nil:
		f.Add("cash_collected", fmt.Sprintf("is required: collect %s in cash on delivery", *due))
	case got != nil && got.Currency != due.Currency:
		f.Add("cash_collected.currency", "must be "+due.Currency)
	case got != nil && got.Amount != due.Amount:
		f.Add("cash_collected.amount", fmt.Sprintf("must be the amount due, %s; a customer who cannot pay it refuses the parcel (failed_attempt or returned_to_seller)", *due))
	}
	return f.Err()
}
