package shipment

import (
	"context"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// HandoverInput names the delivery partner to hand a shipment to; without
// one the least loaded active partner is chosen.
type HandoverInput struct {
	PartnerID id.User `json:"partner_id,omitempty"`
}

// Pack marks a pending shipment packed. Only the seller owning it (or an
// admin) may; for other sellers it is NotFound, other roles are Forbidden.
func (s *Service) Pack(ctx context.Context, shipmentID id.Shipment) (Shipment, error) {
	p, shp, err := s.sellerShipment(ctx, shipmentID)
	if err != nil {
		return Shipment{}, err
	}
	if !CanMove(BySeller, shp.Status, Packed) {
		return Shipment{}, illegal(shp.Status, Packed)
	}
	return s.move(ctx, p, Change{ID: shp.ID, From: shp.Status,
		Entry: Entry{Status: Packed, Note: "packed by the seller", ActorID: p.UserID, At: s.clock()}})
}

// Handover hands a packed shipment to a delivery partner: the one named
// (which must be an active delivery user, else Unprocessable
// "invalid_partner") or the active partner with the fewest shipments under
// way, ties going to the lowest ID (Conflict "no_delivery_partner" if there
// is none).
//
// The order module is asked first to mark the seller order shipped; if it
// refuses (the customer cancelled), that Conflict is returned and the
// shipment is unchanged. Retrying a handover that failed after that call is
// safe: the call is idempotent for the same shipment.
func (s *Service) Handover(ctx context.Context, shipmentID id.Shipment, in HandoverInput) (Shipment, error) {
	p, shp, err := s.sellerShipment(ctx, shipmentID)
	if err != nil {
		return Shipment{}, err
	}
	if !CanMove(BySeller, shp.Status, HandedOver) {
		return Shipment{}, illegal(shp.Status, HandedOver)
	}
	partner, err := s.choosePartner(ctx, in.PartnerID)
	if err != nil {
		return Shipment{}, err
	}
	// Outside any transaction of ours: the order module decides whether the
	// seller order may still ship, atomically against a cancellation.
	if err := s.orders.ShipSellerOrder(ctx, shp.SellerOrderID, shp.ID); err != nil {
		return Shipment{}, fmt.Errorf("ship seller order %s: %w", shp.SellerOrderID, err)
	}
	return s.move(ctx, p, Change{ID: shp.ID, From: Packed, PartnerID: partner,
		Entry: Entry{Status: HandedOver, Note: "handed over to the delivery partner", ActorID: p.UserID, At: s.clock()}})
}

// sellerShipment returns the shipment if the caller is its seller or an
// admin.
func (s *Service) sellerShipment(ctx context.Context, id id.Shipment) (auth.Principal, Shipment, error) {
	p, err := auth.Require(ctx, auth.Seller, auth.Admin)
	if err != nil {
		return p, Shipment{}, err
	}
	shp, err := s.store.Shipment(ctx, id)
	if apperr.Is(err, apperr.KindNotFound) {
		return p, Shipment{}, missing(id)
	}
	if err != nil {
		return p, Shipment{}, fmt.Errorf("read shipment %s: %w", id, err)
	}
	if p.Is(auth.Admin) {
		return p, shp, nil
	}
	own, err := s.ownsShipment(ctx, p, shp)
	if err != nil {
		return p, Shipment{}, err
	}
	if !own {
		return p, Shipment{}, missing(id)
	}
	return p, shp, nil
}

// choosePartner checks the named partner, or picks the least loaded one.
func (s *Service) choosePartner(ctx context.Context, named id.User) (id.User, error) {
	if named != "" {
		ok, err := s.partners.IsActiveUser(ctx, named, auth.Delivery)
		if err != nil {
			return "", fmt.Errorf("check delivery partner %s: %w", named, err)
		}
		if !ok {
			return "", apperr.Unprocessable("invalid_partner", "%s is not an active delivery partner", named)
		}
		return named, nil
	}
	users, err := s.partners.DeliveryPartners(ctx)
	if err != nil {
		return "", fmt.Errorf("list delivery partners: %w", err)
	}
	if len(users) == 0 {
		return "", apperr.Conflict("no_delivery_partner", "no delivery partner is available; try again later")
	}
	loads, err := s.store.Loads(ctx)
	if err != nil {
		return "", fmt.Errorf("read delivery partner loads: %w", err)
	}
	return account.LeastLoaded(users, loads), nil
}

func (s *Service) move(ctx context.Context, p auth.Principal, c Change) (Shipment, error) {
	shp, err := s.store.Move(ctx, c)
	if err != nil {
		return Shipment{}, fmt.Errorf("move shipment %s to %s: %w", c.ID, c.Entry.Status, err)
	}
	return view(p, shp), nil
}

func illegal(from, to Status) error {
	return apperr.Conflict("illegal_transition", "a %s shipment cannot become %s", from, to)
}

// PartnerLoads counts, per delivery partner, the shipments under way
// assigned to it (what Handover balances on). It is for other modules
// that assign work to delivery partners; it reads no caller.
func (s *Service) PartnerLoads(ctx context.Context) (map[id.User]int, error) {
	return s.store.Loads(ctx)
}
