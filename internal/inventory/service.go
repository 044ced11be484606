package inventory

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/unit"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
)

// Catalog is what inventory needs from the catalog; *catalog.Service
// satisfies it.
type Catalog interface {
	// SKU returns a purchasable variant, NotFound if unknown.
	SKU(ctx context.Context, sku string) (catalog.SKU, error)
}

// Sellers is what inventory needs from accounts; *account.Service satisfies
// it.
type Sellers interface {
	// SellerOfUser returns the store a user owns, NotFound if none.
	SellerOfUser(ctx context.Context, userID id.User) (account.Seller, error)
}

// Options tunes a Service. The zero value is usable.
type Options struct {
	Now    func() time.Time // clock; time.Now when nil
	Logger *slog.Logger     // for the sweeper; slog.Default() when nil
}

// Service is the inventory module's use cases.
type Service struct {
	store   Store
	catalog Catalog
	sellers Sellers
	now     func() time.Time
	log     *slog.Logger
}

// New returns a Service.
func New(store Store, catalog Catalog, sellers Sellers, opts Options) *Service {
	s := &Service{store: store, catalog: catalog, sellers: sellers, now: opts.Now, log: opts.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// StockInput is a request to set on_hand of a SKU.
type StockInput struct {
	Warehouse string `json:"warehouse,omitempty"` // a warehouse ID of the SKU's seller; the default when empty
	OnHand    *int64 `json:"on_hand"`
}

// WarehouseInput is a request to create a warehouse.
type WarehouseInput struct {
	Name string `json:"name"`
}

// SetOnHand sets how many units of sku are on hand in one warehouse of its
// seller. Only the owning seller or an admin may; for anyone else the SKU is
// NotFound, as if it did not exist.
func (s *Service) SetOnHand(ctx context.Context, sku string, in StockInput) (Stock, error) {
	var f apperr.Fields
	f.Check(in.OnHand != nil, "on_hand", "is required")
	if in.OnHand != nil {
		f.Check(*in.OnHand >= 0 && *in.OnHand <= MaxQuantity, "on_hand", fmt.Sprintf("must be from 0 to %d", MaxQuantity))
	}
	if err := f.Err(); err != nil {
		return Stock{}, err
	}
	v, err := s.ownedSKU(ctx, sku)
	if err != nil {
		return Stock{}, err
	}
	st, err := s.store.SetOnHand(ctx, Item{SKU: v.SKU, ProductID: v.ProductID, SellerID: v.SellerID}, id.Warehouse(in.Warehouse), *in.OnHand, s.now())
	if err != nil {
		return Stock{}, fmt.Errorf("set stock of %s: %w", sku, err)
	}
	return st, nil
}

// Stock returns a SKU's stock per warehouse, for its seller or an admin.
func (s *Service) Stock(ctx context.Context, sku string) (Stock, error) {
	v, err := s.ownedSKU(ctx, sku)
	if err != nil {
		return Stock{}, err
	}
	st, err := s.store.Stock(ctx, v.SKU)
	if err != nil {
		return Stock{}, fmt.Errorf("read stock of %s: %w", sku, err)
	}
	st.ProductID, st.SellerID = v.ProductID, v.SellerID
	return st, nil
}

// ownedSKU returns the SKU if the caller is its seller or an admin.
func (s *Service) ownedSKU(ctx context.Context, code string) (catalog.SKU, error) {
	p, err := auth.Require(ctx, auth.Seller, auth.Admin)
	if err != nil {
		return catalog.SKU{}, err
	}
	missing := apperr.NotFound("SKU %q not found", code)
	v, err := s.catalog.SKU(ctx, code)
	if apperr.Is(err, apperr.KindNotFound) {
		return catalog.SKU{}, missing
	}
	if err != nil {
		return catalog.SKU{}, fmt.Errorf("look up SKU %s: %w", code, err)
	}
	if p.Is(auth.Admin) {
		return v, nil
	}
	seller, err := s.sellers.SellerOfUser(ctx, p.UserID)
	if apperr.Is(err, apperr.KindNotFound) {
		return catalog.SKU{}, missing
	}
	if err != nil {
		return catalog.SKU{}, fmt.Errorf("look up store of %s: %w", p.UserID, err)
	}
	if seller.ID != v.SellerID {
		return catalog.SKU{}, missing
	}
	return v, nil
}

// Warehouses lists a seller's warehouses, creating the default one on first
// need. A seller sees its own (sellerID empty or its own ID); an admin names
// the seller.
func (s *Service) Warehouses(ctx context.Context, sellerID id.Seller) ([]Warehouse, error) {
	p, err := auth.Require(ctx, auth.Seller, auth.Admin)
	if err != nil {
		return nil, err
	}
	if p.Is(auth.Admin) {
		if sellerID == "" {
			return nil, apperr.Invalid("validation_failed", "the request has invalid fields",
				apperr.FieldError{Field: "seller_id", Message: "is required for an admin"})
		}
	} else {
		own, err := s.ownSeller(ctx, p)
		if err != nil {
			return nil, err
		}
		if sellerID != "" && sellerID != own {
			return nil, apperr.NotFound("seller %q not found", sellerID)
		}
		sellerID = own
		// The seller's first look creates its default warehouse.
		if _, err := s.store.DefaultWarehouse(ctx, sellerID, s.now()); err != nil {
			return nil, fmt.Errorf("default warehouse of %s: %w", sellerID, err)
		}
	}
	ws, err := s.store.Warehouses(ctx, sellerID)
	if err != nil {
		return nil, fmt.Errorf("list warehouses of %s: %w", sellerID, err)
	}
	return ws, nil
}

// CreateWarehouse adds a warehouse to the calling seller's store.
func (s *Service) CreateWarehouse(ctx context.Context, in WarehouseInput) (Warehouse, error) {
	p, err := auth.Require(ctx, auth.Seller)
	if err != nil {
		return Warehouse{}, err
	}
	name := strings.TrimSpace(in.Name)
	var f apperr.Fields
	f.Check(name != "", "name", "is required")
	f.Check(utf8.RuneCountInString(name) <= 100, "name", "must be at most 100 characters")
	if err := f.Err(); err != nil {
		return Warehouse{}, err
	}
	sellerID, err := s.ownSeller(ctx, p)
	if err != nil {
		return Warehouse{}, err
	}
	w, err := s.store.CreateWarehouse(ctx, sellerID, name, s.now())
	if err != nil {
		return Warehouse{}, fmt.Errorf("create warehouse: %w", err)
	}
	return w, nil
}

func (s *Service) ownSeller(ctx context.Context, p auth.Principal) (id.Seller, error) {
	seller, err := s.sellers.SellerOfUser(ctx, p.UserID)
	if apperr.Is(err, apperr.KindNotFound) {
		return "", apperr.NotFound("you have no store yet")
	}
	if err != nil {
		return "", fmt.Errorf("look up store of %s: %w", p.UserID, err)
	}
	return seller.ID, nil
}

// Reserve holds stock for an order, all or nothing: quantities are summed per
// SKU, SKUs are taken in sorted order, and each SKU's quantity is taken with
// conditional updates from its warehouses (in warehouse ID order) until it is
// covered. If any SKU is short, nothing is reserved and the error is a
// Conflict "insufficient_stock" with a field error per short SKU.
//
// Reserving again for an order that already has a held or committed
// reservation of exactly the same (summed) lines is a no-op; any other second
// reservation for the order is a Conflict "already_reserved".
//
// Reserve is a service-to-service call: it does not check the caller.
func (s *Service) Reserve(ctx context.Context, orderID id.Order, lines []Line, expiresAt time.Time) error {
	if err := s.store.Reserve(ctx, orderID, lines, expiresAt, s.now()); err != nil {
		return fmt.Errorf("reserve stock for %s: %w", orderID, err)
	}
	return nil
}

// Commit turns an order's held reservation into a sale: on_hand and reserved
// both go down. Committing twice is a no-op; committing a released
// reservation is a Conflict "reservation_released"; an order without a
// reservation is NotFound.
func (s *Service) Commit(ctx context.Context, orderID id.Order) error {
	if err := s.store.Commit(ctx, orderID, s.now()); err != nil {
		return fmt.Errorf("commit stock of %s: %w", orderID, err)
	}
	return nil
}

// Release gives an order's held stock back. It is a no-op for a reservation
// already released or committed, and for an order without one.
func (s *Service) Release(ctx context.Context, orderID id.Order) error {
	if err := s.store.Release(ctx, orderID, s.now()); err != nil {
		return fmt.Errorf("release stock of %s: %w", orderID, err)
	}
	return nil
}

// Return gives back the stock of a cancelled order (or of the seller
// orders holding skus), whatever its reservation has become meanwhile: a
// held reservation is released, a committed one has the units of skus put
// back on hand, a released one is left alone. The decision and the change
// are one transaction, so a Commit racing it either went first (and its
// units are restocked) or finds the reservation released (and refuses): the
// stock is never lost nor counted twice. Returning again is a no-op; an
// empty skus does nothing; an order without a reservation is NotFound.
//
// Return is a service-to-service call: it does not check the caller.
func (s *Service) Return(ctx context.Context, orderID id.Order, skus []string) error {
	if _, err := s.store.Return(ctx, orderID, skus, s.now()); err != nil {
		return fmt.Errorf("return stock of %s: %w", orderID, err)
	}
	return nil
}

// ReleaseExpired releases the held reservations that expired at or before
// now and returns how many.
func (s *Service) ReleaseExpired(ctx context.Context, now time.Time) (int, error) {
	n, err := s.store.ReleaseExpired(ctx, now)
	if err != nil {
		return n, fmt.Errorf("release expired reservations: %w", err)
	}
	return n, nil
}

// RunSweeper releases expired reservations every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.ReleaseExpired(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "inventory sweeper", "err", err)
		case n > 0:
			s.log.InfoContext(ctx, "released expired reservations", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Available returns the units available (on hand - reserved, summed over
// warehouses) of each SKU; unknown SKUs are 0. Anyone may ask.
func (s *Service) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	m, err := s.store.Available(ctx, skus)
	if err != nil {
		return nil, fmt.Errorf("read availability: %w", err)
	}
	return m, nil
}

// Reservation returns an order's reservation, for the order module and
// admins' tools. It is a service-to-service call.
func (s *Service) Reservation(ctx context.Context, orderID id.Order) (Reservation, error) {
	return s.store.Reservation(ctx, orderID)
}

// Jobs are the module's background jobs: the sweeper that releases expired
// reservations, every 15 seconds, in one process at a time.
func (s *Service) Jobs() []unit.Job {
	return []unit.Job{{Name: "inventory.sweeper", Singleton: true, Run: func(ctx context.Context) { s.RunSweeper(ctx, 15*time.Second) }}}
}
