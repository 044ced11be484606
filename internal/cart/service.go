package cart

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/unit"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Catalog is what carts need from the catalog; *catalog.Service satisfies it.
type Catalog interface {
	SKU(ctx context.Context, sku string) (catalog.SKU, error)
	SKUs(ctx context.Context, skus []string) (map[string]catalog.SKU, error)
	ProductRef(ctx context.Context, id id.Product) (catalog.ProductRef, error)
	ProductRefs(ctx context.Context, ids []id.Product) (map[id.Product]catalog.ProductRef, error)
}

// Stock is what carts need from inventory; *inventory.Service satisfies it.
type Stock interface {
	Available(ctx context.Context, skus []string) (map[string]int64, error)
}

// Sellers is what carts need from accounts; *account.Service satisfies it.
type Sellers interface {
	Seller(ctx context.Context, id id.Seller) (account.Seller, error)
}

// Options tunes a Service. The zero value is usable.
type Options struct {
	Now      func() time.Time // clock; time.Now when nil
	Currency string           // the marketplace currency carts are summed in; "USD" when empty
}

// Service is the cart module's use cases.
type Service struct {
	store    Store
	catalog  Catalog
	stock    Stock
	sellers  Sellers
	now      func() time.Time
	currency string
}

// New returns a Service.
func New(store Store, catalog Catalog, stock Stock, sellers Sellers, opts Options) *Service {
	s := &Service{store: store, catalog: catalog, stock: stock, sellers: sellers, now: opts.Now, currency: opts.Currency}
	if s.now == nil {
		s.now = time.Now
	}
	if s.currency == "" {
		s.currency = "USD"
	}
	return s
}

// touchEvery throttles how often reading a guest cart marks it as used.
const touchEvery = 24 * time.Hour

// resolve finds the caller's cart. A signed-in caller gets its own cart,
// with the guest cart named by token merged into it first. A guest gets the
// cart of its token, or a new cart (and token) when the token is missing,
// malformed, unknown or already merged: nothing tells a guest why.
func (s *Service) resolve(ctx context.Context, token string) (c Cart, guestToken string, isNew bool, err error) {
	now := s.now()
	if p, ok := auth.From(ctx); ok {
		c, err := s.store.UserCart(ctx, p.UserID, now)
		if err != nil {
			return Cart{}, "", false, fmt.Errorf("cart of %s: %w", p.UserID, err)
		}
		if token != "" {
			if err := s.merge(ctx, token, c, now); err != nil {
				return Cart{}, "", false, err
			}
		}
		return c, "", false, nil
	}
	if hash, ok := HashToken(token); ok {
		c, err := s.store.GuestCart(ctx, hash)
		if err == nil {
			if now.Sub(c.UpdatedAt) > touchEvery {
				if err := s.store.Touch(ctx, c.ID, now); err != nil {
					return Cart{}, "", false, err
				}
			}
			return c, token, false, nil
		}
		if !apperr.Is(err, apperr.KindNotFound) {
			return Cart{}, "", false, fmt.Errorf("guest cart: %w", err)
		}
	}
	token, hash := NewToken()
	c, err = s.store.CreateGuestCart(ctx, hash, now)
	if err != nil {
		return Cart{}, "", false, fmt.Errorf("create guest cart: %w", err)
	}
	return c, token, true, nil
}

// merge moves the guest cart named by token into the user's cart c.
func (s *Service) merge(ctx context.Context, token string, c Cart, now time.Time) error {
	hash, ok := HashToken(token)
	if !ok {
		return nil
	}
	guest, err := s.store.GuestCart(ctx, hash)
	if apperr.Is(err, apperr.KindNotFound) {
		return nil // unknown or already merged: a replay does nothing
	}
	if err != nil {
		return fmt.Errorf("guest cart: %w", err)
	}
	lines, err := s.store.Lines(ctx, guest.ID)
	if err != nil {
		return err
	}
	caps := map[string]int64{}
	if len(lines) > 0 {
		avail, err := s.stock.Available(ctx, skusOf(lines))
		if err != nil {
			return fmt.Errorf("read availability: %w", err)
		}
		for _, l := range lines {
			caps[l.SKU] = MergeCap(avail[l.SKU])
		}
	}
	if _, err := s.store.Merge(ctx, guest.ID, c.ID, caps, now); err != nil {
		return fmt.Errorf("merge guest cart: %w", err)
	}
	return nil
}

// Cart returns the caller's cart (see the package doc), creating a guest
// cart on a guest's first call.
func (s *Service) Cart(ctx context.Context, token string) (View, error) {
	c, tok, isNew, err := s.resolve(ctx, token)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, c, tok, isNew)
}

// Merge merges the guest cart named by token into the signed-in caller's
// cart and returns it. It is idempotent; guests get Unauthorized.
func (s *Service) Merge(ctx context.Context, token string) (View, error) {
	if _, err := auth.Require(ctx); err != nil {
		return View{}, err
	}
	return s.Cart(ctx, token)
}

// AddItem adds quantity of a SKU to the caller's cart (to its line if there
// is one). An unknown SKU is NotFound; an inactive product is Unprocessable
// "not_purchasable"; more than is available (with what the line holds) is a
// Conflict "insufficient_stock" naming the available count.
func (s *Service) AddItem(ctx context.Context, token string, in ItemInput) (View, error) {
	var f apperr.Fields
	f.Check(in.SKU != "" && len(in.SKU) <= 200, "sku", "is required")
	f.Check(in.Quantity >= 1 && in.Quantity <= MaxQuantity, "quantity", fmt.Sprintf("must be from 1 to %d", MaxQuantity))
	if err := f.Err(); err != nil {
		return View{}, err
	}
	ref, err := s.purchasable(ctx, in.SKU)
	if err != nil {
		return View{}, err
	}
	c, tok, isNew, err := s.resolve(ctx, token)
	if err != nil {
		return View{}, err
	}
	lines, err := s.store.Lines(ctx, c.ID)
	if err != nil {
		return View{}, err
	}
	var have int64
	for _, l := range lines {
		if l.SKU == in.SKU {
			have = l.Quantity
		}
	}
	if have+in.Quantity > MaxQuantity {
		return View{}, apperr.Invalid("validation_failed", "the request has invalid fields", apperr.FieldError{
			Field: "quantity", Message: fmt.Sprintf("the cart already holds %d; a line holds at most %d", have, MaxQuantity)})
	}
	avail, err := s.available(ctx, in.SKU)
	if err != nil {
		return View{}, err
	}
	if have+in.Quantity > avail {
		return View{}, insufficientStock(avail)
	}
	now := s.now()
	ok, err := s.store.AddLine(ctx, c.ID, in.SKU, in.Quantity, min(avail, MaxQuantity), now, LineAdded{
		CartID: c.ID, UserID: c.UserID, SKU: in.SKU, ProductID: ref.ProductID, Quantity: in.Quantity, At: now})
	if err != nil {
		return View{}, fmt.Errorf("add to cart: %w", err)
	}
	if !ok { // a concurrent add took the room
		return View{}, insufficientStock(avail)
	}
	return s.view(ctx, c, tok, isNew)
}

// UpdateItem sets a line's quantity. Raising it is checked like AddItem;
// lowering it is always allowed. Another cart's line is NotFound.
func (s *Service) UpdateItem(ctx context.Context, token string, lineID id.CartLine, in QuantityInput) (View, error) {
	var f apperr.Fields
	f.Check(in.Quantity >= 1 && in.Quantity <= MaxQuantity, "quantity", fmt.Sprintf("must be from 1 to %d", MaxQuantity))
	if err := f.Err(); err != nil {
		return View{}, err
	}
	c, tok, isNew, err := s.resolve(ctx, token)
	if err != nil {
		return View{}, err
	}
	l, err := s.store.Line(ctx, c.ID, lineID)
	if err != nil {
		return View{}, err
	}
	if in.Quantity > l.Quantity {
		if _, err := s.purchasable(ctx, l.SKU); err != nil {
			if apperr.Is(err, apperr.KindNotFound) {
				return View{}, apperr.Unprocessable("not_purchasable", "%s can no longer be bought", l.SKU)
			}
			return View{}, err
		}
		avail, err := s.available(ctx, l.SKU)
		if err != nil {
			return View{}, err
		}
		if in.Quantity > avail {
			return View{}, insufficientStock(avail)
		}
	}
	if err := s.store.SetQuantity(ctx, c.ID, lineID, in.Quantity, s.now()); err != nil {
		return View{}, err
	}
	return s.view(ctx, c, tok, isNew)
}

// RemoveItem deletes a line of the caller's cart; another cart's line is
// NotFound.
func (s *Service) RemoveItem(ctx context.Context, token string, lineID id.CartLine) error {
	c, _, _, err := s.resolve(ctx, token)
	if err != nil {
		return err
	}
	return s.store.DeleteLine(ctx, c.ID, lineID, s.now())
}

// Lines returns the stored lines of a user's cart (empty if the user has
// none), for the order module. The caller must be that user or an admin.
func (s *Service) Lines(ctx context.Context, userID id.User) ([]Line, error) {
	if err := s.self(ctx, userID); err != nil {
		return nil, err
	}
	c, err := s.store.CartOfUser(ctx, userID)
	if apperr.Is(err, apperr.KindNotFound) {
		return []Line{}, nil
	}
	if err != nil {
		return nil, err
	}
	return s.store.Lines(ctx, c.ID)
}

// Clear empties a user's cart (after an order was placed). The caller must
// be that user or an admin.
func (s *Service) Clear(ctx context.Context, userID id.User) error {
	if err := s.self(ctx, userID); err != nil {
		return err
	}
	return s.store.ClearUser(ctx, userID, s.now())
}

// RemoveOrdered takes the quantities an order was placed with out of the
// user's cart, exactly once per order: a line goes down by what was ordered
// and is deleted when that leaves nothing, so a line added (or a quantity
// raised) from another tab after the order read the cart stays in it.
// Calling it again for the same order changes nothing, so the order module
// may call it right after placing and again from its event consumer.
//
// RemoveOrdered is a service-to-service call: it does not check the caller.
func (s *Service) RemoveOrdered(ctx context.Context, userID id.User, orderID id.Order, lines []Ordered) error {
	if userID == "" || orderID == "" {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "order_id", Message: "user and order are required"})
	}
	if _, err := s.store.RemoveOrdered(ctx, userID, orderID, lines, s.now()); err != nil {
		return fmt.Errorf("remove order %s from the cart of %s: %w", orderID, userID, err)
	}
	return nil
}

func (s *Service) self(ctx context.Context, userID id.User) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	if p.UserID != userID && !p.Is(auth.Admin) {
		return apperr.NotFound("cart of %s not found", userID)
	}
	return nil
}

// PurgeGuestCarts deletes guest carts untouched since before olderThan
// (normally now - GuestTTL) and returns how many. It is a maintenance job:
// it does not check the caller.
func (s *Service) PurgeGuestCarts(ctx context.Context, olderThan time.Time) (int, error) {
	n, err := s.store.PurgeGuestCarts(ctx, olderThan)
	if err != nil {
		return n, fmt.Errorf("purge guest carts: %w", err)
	}
	return n, nil
}

// purchasable checks that a SKU exists (NotFound) and can be bought
// (Unprocessable "not_purchasable").
func (s *Service) purchasable(ctx context.Context, sku string) (catalog.SKU, error) {
	v, err := s.catalog.SKU(ctx, sku)
	if apperr.Is(err, apperr.KindNotFound) {
		return v, apperr.NotFound("SKU %q not found", sku)
	}
	if err != nil {
		return v, fmt.Errorf("look up SKU %s: %w", sku, err)
	}
	if !v.Active {
		return v, apperr.Unprocessable("not_purchasable", "%s cannot be bought right now", sku)
	}
	return v, nil
}

func (s *Service) available(ctx context.Context, sku string) (int64, error) {
	m, err := s.stock.Available(ctx, []string{sku})
	if err != nil {
		return 0, fmt.Errorf("read availability of %s: %w", sku, err)
	}
	return m[sku], nil
}

func skusOf(lines []Line) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if !slices.Contains(out, l.SKU) {
			out = append(out, l.SKU)
		}
	}
	return out
}

// view shows cart c with current prices and availability.
func (s *Service) view(ctx context.Context, c Cart, token string, isNew bool) (View, error) {
	lines, err := s.store.Lines(ctx, c.ID)
	if err != nil {
		return View{}, err
	}
	zero := money.New(0, s.currency)
	v := View{ID: c.ID, Token: token, NewToken: isNew, Groups: []Group{}, Subtotal: zero, Currency: s.currency}
	if len(lines) == 0 {
		return v, nil
	}
	skus := skusOf(lines)
	info, err := s.catalog.SKUs(ctx, skus)
	if err != nil {
		return View{}, fmt.Errorf("look up SKUs: %w", err)
	}
	avail, err := s.stock.Available(ctx, skus)
	if err != nil {
		return View{}, fmt.Errorf("read availability: %w", err)
	}
	groupOf := map[id.Seller]int{}
	for _, l := range lines {
		sku, known := info[l.SKU]
		lv := LineView{ID: l.ID, SKU: l.SKU, Quantity: l.Quantity, Options: map[string]string{},
			UnitPrice: zero, LineTotal: zero, Available: max(avail[l.SKU], 0)}
		lv.InStock = lv.Available >= l.Quantity
		if known {
			lv.ProductID, lv.ProductTitle, lv.ProductSlug, lv.Image = sku.ProductID, sku.ProductTitle, sku.ProductSlug, sku.Image
			if sku.Options != nil {
				lv.Options = sku.Options
			}
			lv.UnitPrice, lv.LineTotal = sku.Price, sku.Price.Mul(l.Quantity)
			lv.Purchasable = sku.Active
			lv.CurrencyMismatch = sku.Price.Currency != s.currency
		}
		gi, ok := groupOf[sku.SellerID]
		if !ok {
			gi = len(v.Groups)
			groupOf[sku.SellerID] = gi
			v.Groups = append(v.Groups, Group{SellerID: sku.SellerID, Subtotal: zero})
		}
		g := &v.Groups[gi]
		g.Lines = append(g.Lines, lv)
		v.ItemCount += l.Quantity
		if lv.Purchasable && lv.InStock && !lv.CurrencyMismatch {
			g.Subtotal.Amount += lv.LineTotal.Amount
			v.Subtotal.Amount += lv.LineTotal.Amount
		}
	}
	for i := range v.Groups {
		g := &v.Groups[i]
		if g.SellerID == "" {
			continue
		}
		seller, err := s.sellers.Seller(ctx, g.SellerID)
		if err != nil && !apperr.Is(err, apperr.KindNotFound) {
			return View{}, fmt.Errorf("look up seller %s: %w", g.SellerID, err)
		}
		g.SellerName = seller.Name
	}
	return v, nil
}

// Jobs are the module's background jobs: purging guest carts untouched for
// GuestTTL, hourly, in one process at a time.
func (s *Service) Jobs() []unit.Job {
	return []unit.Job{{Name: "cart.purge", Singleton: true, Every: time.Hour, Tick: func(ctx context.Context) error {
		_, err := s.PurgeGuestCarts(ctx, time.Now().Add(-GuestTTL))
		return err
	}}}
}
