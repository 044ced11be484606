package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/review"
)

// Accounts is what seeding needs from the account module.
type AccountService interface {
	UserByEmail(ctx context.Context, email string) (account.User, error)
	CreateUser(ctx context.Context, in account.NewUser) (account.User, error)
	SellerOfUser(ctx context.Context, userID id.User) (account.Seller, error)
	OpenStore(ctx context.Context, in account.NewSeller) (account.Seller, error)
}

// CatalogService is what seeding needs from the catalog.
type CatalogService interface {
	Categories(ctx context.Context) ([]catalog.Category, error)
	CreateCategory(ctx context.Context, in catalog.NewCategory) (catalog.Category, error)
	SKU(ctx context.Context, sku string) (catalog.SKU, error)
	CreateProduct(ctx context.Context, in catalog.NewProduct) (catalog.Product, error)
	AddImage(ctx context.Context, productID id.Product, contentType string, data []byte) (catalog.Image, error)
}

// StockService is what seeding needs from inventory.
type StockService interface {
	SetOnHand(ctx context.Context, sku string, in inventory.StockInput) (inventory.Stock, error)
}

// ReviewService is what seeding needs from reviews.
type ReviewService interface {
	Seed(ctx context.Context, rs []review.Review) (int, error)
}

// Seeder loads the demo marketplace through the modules' own services, so
// the demo data obeys every rule real data does.
type Seeder struct {
	Accounts AccountService
	Catalog  CatalogService
	Stock    StockService
	Reviews  ReviewService // nil: no reviews
	// Recommend gets the demo's past shopper activity (views, carts,
	// purchases of a few hundred synthetic shoppers), so every
	// recommendation rail is full; nil: none.
	Recommend RecommendService
	// Orders, Shipments, Support and Events give the demo customer orders
	// in several states, returns and tickets (see activity); all four or
	// none (nil: no orders, returns or tickets).
	Orders    OrderService
	Shipments ShipmentService
	Support   SupportService
	Events    Events
	// PayMethod is the payment method token the demo orders are paid with:
	// one the gateway taking dollars accepts server-side ("tok_visa" when
	// empty, the built-in test gateway's).
	PayMethod string
	// PerCategory is how many products each store lists per category it
	// sells in (10 gives 200 products).
	PerCategory int
	// ImageSize is the side of the generated product images in pixels.
	ImageSize int
}

// Login is a demo account's credentials.
type Login = Account

// Seed creates whatever part of the demo marketplace is missing and returns
// the demo logins. Progress lines go to progress (nil for none).
func (s Seeder) Seed(ctx context.Context, progress io.Writer) ([]Login, error) {
	if progress == nil {
		progress = io.Discard
	}
	if s.PerCategory == 0 {
		s.PerCategory = 10
	}
	if s.ImageSize == 0 {
		s.ImageSize = 480
	}
	users := map[string]account.User{}
	ensure := func(a Account) error {
		u, err := s.Accounts.UserByEmail(ctx, a.Email)
		if apperr.Is(err, apperr.KindNotFound) {
			u, err = s.Accounts.CreateUser(ctx, account.NewUser{Email: a.Email, Password: a.Password, Name: a.Name, Role: auth.Role(a.Role)})
		}
		if err != nil {
			return fmt.Errorf("demo account %s: %w", a.Email, err)
		}
		users[a.Email] = u
		return nil
	}
	for _, a := range Accounts {
		if err := ensure(a); err != nil {
			return nil, err
		}
	}
	for _, st := range Stores {
		if err := ensure(st.Owner); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(progress, "demo: %d accounts ready\n", len(users))
	// The demo customer's activity, when wanted and not there yet. Its
	// orders move only as events are delivered, behind those of the
	// catalog: those are delivered while the catalog is seeded.
	var act *activity
	stopSettling := func() {}
	defer func() { stopSettling() }()
	withActivity := s.Orders != nil && s.Shipments != nil && s.Support != nil && s.Events != nil
	if withActivity {
		a, err := s.newActivity(ctx, users, progress)
		if err != nil {
			return nil, err
		}
		act = a
		if act != nil {
			stopSettling = act.settleMeanwhile(ctx)
		}
	}

	admin := auth.With(ctx, auth.Principal{UserID: users[Accounts[0].Email].ID, Role: auth.Admin})
	leaves, err := s.categories(admin)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "demo: category tree ready (%d leaf categories)\n", len(leaves))

	var all int
	for _, st := range Stores {
		all += len(st.Sells) * s.PerCategory
	}
	done, created := 0, 0
	var reviews []review.Review
	var listed []Listed
	for _, st := range Stores {
		owner := users[st.Owner.Email]
		sctx := auth.With(ctx, auth.Principal{UserID: owner.ID, Role: auth.Seller})
		if _, err := s.Accounts.SellerOfUser(ctx, owner.ID); apperr.Is(err, apperr.KindNotFound) {
			if _, err := s.Accounts.OpenStore(sctx, account.NewSeller{Name: st.Name, Description: st.Description}); err != nil {
				return nil, fmt.Errorf("demo store %s: %w", st.Name, err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("demo store %s: %w", st.Name, err)
		}
		for _, p := range Products(st, s.PerCategory) {
			productID, ok, err := s.product(sctx, p, id.Category(leaves[p.Category]))
			if err != nil {
				return nil, fmt.Errorf("demo product %q: %w", p.Title, err)
			}
			if ok {
				created++
			}
			reviews = append(reviews, Reviews(p, productID)...)
			listed = append(listed, Listed{Product: p, ID: productID, Store: st.Name})
			done++
			if done%25 == 0 || done == all {
				fmt.Fprintf(progress, "demo: products %d/%d (%d new)\n", done, all, created)
			}
		}
	}
	if s.Reviews != nil {
		n, err := s.Reviews.Seed(ctx, reviews)
		if err != nil {
			return nil, fmt.Errorf("demo reviews: %w", err)
		}
		fmt.Fprintf(progress, "demo: reviews ready (%d new)\n", n)
	}
	if err := s.history(ctx, listed, progress); err != nil {
		return nil, err
	}
	switch {
	case act != nil:
		stopSettling()
		if err := act.run(ctx, users); err != nil {
			return nil, err
		}
	case withActivity:
		fmt.Fprintln(progress, "demo: orders, returns and tickets ready (none new: the demo customer has orders)")
	}
	logins := make([]Login, len(Accounts))
	copy(logins, Accounts)
	return logins, nil
}

// categories creates the missing part of the tree and returns the leaf
// categories' IDs by name.
func (s Seeder) categories(ctx context.Context) (map[string]string, error) {
	existing, err := s.Catalog.Categories(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo categories: %w", err)
	}
	byParentAndName := map[string]string{}
	for _, c := range existing {
		parent := ""
		if c.ParentID != nil {
			parent = string(*c.ParentID)
		}
		byParentAndName[parent+"/"+c.Name] = string(c.ID)
	}
	leaves := map[string]string{}
	var walk func(nodes []CategoryNode, parent string) error
	walk = func(nodes []CategoryNode, parent string) error {
		for i, n := range nodes {
			cid, ok := byParentAndName[parent+"/"+n.Name]
			if !ok {
				in := catalog.NewCategory{Name: n.Name, Position: i}
				if parent != "" {
					p := id.Category(parent)
					in.ParentID = &p
				}
				c, err := s.Catalog.CreateCategory(ctx, in)
				if err != nil {
					return fmt.Errorf("demo category %s: %w", n.Name, err)
				}
				cid = string(c.ID)
			}
			if len(n.Children) == 0 {
				leaves[n.Name] = cid
			}
			if err := walk(n.Children, cid); err != nil {
				return err
			}
		}
		return nil
	}
	return leaves, walk(Categories, "")
}

// product lists p unless its first SKU already exists. It reports whether it
// created the product.
func (s Seeder) product(ctx context.Context, p Product, categoryID id.Category) (productID id.Product, created bool, err error) {
	if sku, err := s.Catalog.SKU(ctx, p.Variants[0].SKU); err == nil {
		return sku.ProductID, false, nil
	} else if !apperr.Is(err, apperr.KindNotFound) {
		return "", false, err
	}
	in := catalog.NewProduct{
		Title: p.Title, Description: p.Description, Brand: p.Brand, CategoryID: categoryID,
		Attributes: p.Attributes, Status: catalog.Active,
	}
	for _, v := range p.Variants {
		in.Variants = append(in.Variants, catalog.NewVariant{SKU: v.SKU, Options: v.Options, Price: money.New(v.Price, "USD")})
	}
	made, err := s.Catalog.CreateProduct(ctx, in)
	if err != nil {
		return "", false, err
	}
	if _, err := s.Catalog.AddImage(ctx, made.ID, "image/png", Image(p, s.ImageSize)); err != nil {
		return "", false, err
	}
	for _, v := range p.Variants {
		n := v.OnHand
		if _, err := s.Stock.SetOnHand(ctx, v.SKU, inventory.StockInput{OnHand: &n}); err != nil {
			return "", false, err
		}
	}
	return made.ID, true, nil
}
