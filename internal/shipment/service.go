package shipment

import (
	"context"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
)

// Orders is what shipping needs from the order module; *order.Service
// satisfies it.
type Orders interface {
	// ShipSellerOrder moves a seller order from awaiting_fulfillment to
	// shipped with shipmentID. It is idempotent for the same shipment and a
	// Conflict ("order_cancelled", "not_shippable") when the seller order
	// cannot ship. The caller has checked the seller owns the shipment.
	ShipSellerOrder(ctx context.Context, sellerOrderID id.SellerOrder, shipmentID id.Shipment) error
}

// Partners is what shipping needs from accounts about the people it deals
// with: delivery partners, and the store a seller user owns.
// *account.Service satisfies it.
type Partners interface {
	// DeliveryPartners returns the active users with the delivery role.
	DeliveryPartners(ctx context.Context) ([]account.User, error)
	// IsActiveUser reports whether userID is an active user with role.
	IsActiveUser(ctx context.Context, userID id.User, role auth.Role) (bool, error)
	// SellerOfUser returns the store a user owns, NotFound if none.
	SellerOfUser(ctx context.Context, userID id.User) (account.Seller, error)
}

var _ Partners = (*account.Service)(nil)

// DefaultCarrier is the carrier of shipments carried by the marketplace's
// own delivery partners.
const DefaultCarrier = "Bazaar Delivery"

// Options tune a Service. The zero value is usable.
type Options struct {
	Now     func() time.Time // clock; time.Now when nil
	Carrier string           // DefaultCarrier when empty
}

// Service is the shipment module's use cases. Every method checks the
// caller's rights itself (auth.From); another's shipment is NotFound.
type Service struct {
	store    Store
	orders   Orders
	partners Partners
	now      func() time.Time
	carrier  string
}

// New returns a Service.
func New(store Store, orders Orders, partners Partners, opts Options) *Service {
	s := &Service{store: store, orders: orders, partners: partners, now: opts.Now, carrier: opts.Carrier}
	if s.now == nil {
		s.now = time.Now
	}
	if s.carrier == "" {
		s.carrier = DefaultCarrier
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC() }

// Shipment returns a shipment to the customer of its order, its seller, its
// assigned delivery partner, support and admins; to anyone else it is
// NotFound.
func (s *Service) Shipment(ctx context.Context, id id.Shipment) (Shipment, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Shipment{}, err
	}
	shp, err := s.store.Shipment(ctx, id)
	if apperr.Is(err, apperr.KindNotFound) {
		return Shipment{}, missing(id)
	}
	if err != nil {
		return Shipment{}, fmt.Errorf("read shipment %s: %w", id, err)
	}
	ok, err := s.canSee(ctx, p, shp)
	if err != nil {
		return Shipment{}, err
	}
	if !ok {
		return Shipment{}, missing(id)
	}
	return view(p, shp), nil
}

func (s *Service) canSee(ctx context.Context, p auth.Principal, shp Shipment) (bool, error) {
	switch p.Role {
	case auth.Admin, auth.Support:
		return true, nil
	case auth.Customer:
		return shp.CustomerID == p.UserID, nil
	case auth.Delivery:
		return shp.PartnerID != "" && shp.PartnerID == p.UserID, nil
	case auth.Seller:
		return s.ownsShipment(ctx, p, shp)
	}
	return false, nil
}

// ownsShipment reports whether the seller user p owns shp's store.
func (s *Service) ownsShipment(ctx context.Context, p auth.Principal, shp Shipment) (bool, error) {
	sellerID, err := s.sellerOf(ctx, p)
	if err != nil || sellerID == "" {
		return false, err
	}
	return sellerID == shp.SellerID, nil
}

// sellerOf returns the store ID of the seller user p, "" if it has none.
func (s *Service) sellerOf(ctx context.Context, p auth.Principal) (id.Seller, error) {
	sel, err := s.partners.SellerOfUser(ctx, p.UserID)
	if apperr.Is(err, apperr.KindNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up store of %s: %w", p.UserID, err)
	}
	return sel.ID, nil
}

func missing(id id.Shipment) error { return apperr.NotFound("shipment %s not found", id) }

// view hides who recorded each event from all but staff.
func view(p auth.Principal, shp Shipment) Shipment {
	if p.Is(auth.Admin, auth.Support) {
		return shp
	}
	tl := make([]Entry, len(shp.Timeline))
	for i, e := range shp.Timeline {
		e.ActorID = ""
		tl[i] = e
	}
	shp.Timeline = tl
	return shp
}

// ListQuery selects a page of shipments.
type ListQuery struct {
	Status Status
	Cursor string // from the previous page's NextCursor
	Limit  int    // page.DefaultLimit when 0
}

type cursor struct {
	Before string `json:"b"`
}

// AssignedShipments lists the shipments assigned to the calling delivery
// partner, newest first.
func (s *Service) AssignedShipments(ctx context.Context, q ListQuery) (page.Page[Shipment], error) {
	p, err := auth.Require(ctx, auth.Delivery)
	if err != nil {
		return page.Page[Shipment]{}, err
	}
	return s.list(ctx, p, Filter{PartnerID: p.UserID}, q)
}

// SellerShipments lists the calling seller's shipments, newest first. A
// seller without a store yet is NotFound.
func (s *Service) SellerShipments(ctx context.Context, q ListQuery) (page.Page[Shipment], error) {
	p, err := auth.Require(ctx, auth.Seller)
	if err != nil {
		return page.Page[Shipment]{}, err
	}
	sellerID, err := s.sellerOf(ctx, p)
	if err != nil {
		return page.Page[Shipment]{}, err
	}
	if sellerID == "" {
		return page.Page[Shipment]{}, apperr.NotFound("you have no store yet")
	}
	return s.list(ctx, p, Filter{SellerID: sellerID}, q)
}

func (s *Service) list(ctx context.Context, p auth.Principal, f Filter, q ListQuery) (page.Page[Shipment], error) {
	var v apperr.Fields
	v.Check(q.Status == "" || q.Status.Valid(), "status", "must be a shipment status such as pending or delivered")
	limit := page.Limit(&v, q.Limit)
	if err := v.Err(); err != nil {
		return page.Page[Shipment]{}, err
	}
	if q.Cursor != "" {
		var c cursor
		if err := page.DecodeCursor(q.Cursor, &c); err != nil {
			return page.Page[Shipment]{}, err
		}
		f.Before = c.Before
	}
	f.Status, f.Limit = q.Status, limit+1
	items, err := s.store.Shipments(ctx, f)
	if err != nil {
		return page.Page[Shipment]{}, fmt.Errorf("list shipments: %w", err)
	}
	out := page.Page[Shipment]{Items: make([]Shipment, 0, min(len(items), limit))}
	for i, shp := range items {
		if i == limit {
			out.NextCursor = page.EncodeCursor(cursor{Before: string(items[limit-1].ID)})
			break
		}
		out.Items = append(out.Items, view(p, shp))
	}
	return out, nil
}
