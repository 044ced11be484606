package cataloggen

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Accounts creates the generated stores; *account.Service satisfies it.
type Accounts interface {
	CreateUser(ctx context.Context, in account.NewUser) (account.User, error)
	UserByEmail(ctx context.Context, email string) (account.User, error)
	SellerOfUser(ctx context.Context, userID id.User) (account.Seller, error)
	OpenStore(ctx context.Context, in account.NewSeller) (account.Seller, error)
}

// Importer loads categories and products in bulk; *catalogsql.Store
// satisfies it. An importer with an Analyze(ctx) error method has it called
// at the end (to refresh the query planner's statistics).
type Importer interface {
	ImportCategories(ctx context.Context, cats []catalog.Category) ([]catalog.Category, error)
	ImportProducts(ctx context.Context, ps []catalog.Product) error
	Product(ctx context.Context, idOrSlug string) (catalog.Product, error)
}

// Options says what Seed makes and where it reports progress.
type Options struct {
	Config
	Progress Progress // reports the products made; nil for none
	Batch    int      // products per transaction; 0 for 2,000
	// Stock, if set, loads each batch's opening stock (OnHand of every
	// SKU) after its products, e.g. with inventorysql.ImportStock.
	Stock func(ctx context.Context, ps []catalog.Product) error
	// Ratings, if set, loads each batch's ratings (star counts of the
	// products that have any, as their signals give them) after its
	// products, e.g. into the review module's aggregates.
	Ratings func(ctx context.Context, rs []Rated) error
	// Signals, if set, loads each batch's signals (of the products with
	// ratings or sales) after its products, e.g. into the search module's
	// ranking signals.
	Signals func(ctx context.Context, sigs []Signal) error
}

// Progress reports how far seeding has got; search.NewProgress makes one
// that draws a bar on a terminal and prints lines otherwise.
type Progress interface {
	Add(n int)
	Finish()
}

type noProgress struct{}

func (noProgress) Add(int) {}
func (noProgress) Finish() {}

// Rated is a generated product's ratings: how many of 1 to 5 stars.
type Rated struct {
	ProductID id.Product
	Stars     [5]int64
}

// Stats describes a seeding.
type Stats struct {
	Sellers, Categories, Products, Variants int
	Took                                    time.Duration
}

// Seed creates the generated marketplace: the stores (through accounts,
// reusing those a previous run made), the category tree (reusing
// categories with the same slug) and the products, with their stock,
// ratings and signals through opts, in bulk and without outbox events. Rebuild the search index afterwards. A
// catalog that already has this seed's products is refused (Conflict
// "already_seeded").
func Seed(ctx context.Context, acc Accounts, cat Importer, opts Options) (Stats, error) {
	start := time.Now()
	if opts.Products < 0 {
		return Stats{}, apperr.Invalid("validation_failed", "the request has invalid fields", apperr.FieldError{Field: "products", Message: "must not be negative"})
	}
	if opts.Batch <= 0 {
		opts.Batch = 2000
	}
	g := New(opts.Config)
	if opts.Products > 0 {
		first := g.Product(0, []id.Seller{"x"}, nil).Product
		if _, err := cat.Product(ctx, string(first.ID)); err == nil {
			return Stats{}, apperr.Conflict("already_seeded", "the catalog already has the products of seed %d", opts.Seed)
		} else if !apperr.Is(err, apperr.KindNotFound) {
			return Stats{}, err
		}
	}
	sellerIDs, err := makeSellers(ctx, acc, g.Sellers())
	if err != nil {
		return Stats{}, err
	}
	cats, err := cat.ImportCategories(ctx, g.Categories())
	if err != nil {
		return Stats{}, fmt.Errorf("import categories: %w", err)
	}
	catIDs := make(map[id.Category]id.Category, len(cats))
	for i, c := range g.Categories() {
		if cats[i].ID != c.ID {
			catIDs[c.ID] = cats[i].ID
		}
	}
	st := Stats{Sellers: len(sellerIDs), Categories: len(cats)}

	// One goroutine generates, this one writes: two cores busy.
	bar := opts.Progress
	if bar == nil {
		bar = noProgress{}
	}
	type batch struct {
		ps    []catalog.Product
		sig   []Signal
		rated []Rated
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 2)
	go func() {
		defer close(batches)
		for from := 0; from < opts.Products; from += opts.Batch {
			var b batch
			for i := from; i < min(from+opts.Batch, opts.Products); i++ {
				gp := g.Product(i, sellerIDs, catIDs)
				b.ps = append(b.ps, gp.Product)
				if gp.Signal.RatingCount > 0 || gp.Signal.Sales > 0 {
					b.sig = append(b.sig, gp.Signal)
				}
				if gp.Signal.RatingCount > 0 {
					b.rated = append(b.rated, Rated{ProductID: gp.Product.ID, Stars: gp.Stars})
				}
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	for b := range batches {
		if err := cat.ImportProducts(ctx, b.ps); err != nil {
			cancel()
			return st, fmt.Errorf("import products: %w", err)
		}
		if opts.Stock != nil {
			if err := opts.Stock(ctx, b.ps); err != nil {
				cancel()
				return st, fmt.Errorf("import stock: %w", err)
			}
		}
		if opts.Ratings != nil && len(b.rated) > 0 {
			if err := opts.Ratings(ctx, b.rated); err != nil {
				cancel()
				return st, fmt.Errorf("import ratings: %w", err)
			}
		}
		if opts.Signals != nil && len(b.sig) > 0 {
			if err := opts.Signals(ctx, b.sig); err != nil {
				cancel()
				return st, fmt.Errorf("import signals: %w", err)
			}
		}
		st.Products += len(b.ps)
		for _, p := range b.ps {
			st.Variants += len(p.Variants)
		}
		bar.Add(len(b.ps))
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	if a, ok := cat.(interface{ Analyze(context.Context) error }); ok {
		if err := a.Analyze(ctx); err != nil {
			return st, err
		}
	}
	bar.Finish()
	st.Took = time.Since(start)
	return st, nil
}

// makeSellers creates (or finds) the generated stores, two at a time
// (password hashing is the slow part), and returns their IDs in order.
func makeSellers(ctx context.Context, acc Accounts, specs []SellerSpec) ([]id.Seller, error) {
	ids := make([]id.Seller, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Go(func() {
			for i := range next {
				ids[i], errs[i] = makeSeller(ctx, acc, specs[i])
			}
		})
	}
	for i := range specs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("create store %s: %w", specs[i].Name, err)
		}
	}
	return ids, nil
}

func makeSeller(ctx context.Context, acc Accounts, s SellerSpec) (id.Seller, error) {
	u, err := acc.UserByEmail(ctx, s.Email)
	if apperr.Is(err, apperr.KindNotFound) {
		u, err = acc.CreateUser(ctx, account.NewUser{Email: s.Email, Password: s.Password, Name: s.Owner, Role: auth.Seller})
	}
	if err != nil {
		return "", err
	}
	sel, err := acc.SellerOfUser(ctx, u.ID)
	if apperr.Is(err, apperr.KindNotFound) {
		sel, err = acc.OpenStore(auth.With(ctx, auth.Principal{UserID: u.ID, Role: auth.Seller}), account.NewSeller{Name: s.Name,
			Description: "A generated store of the synthetic marketplace."})
	}
	if err != nil {
		return "", err
	}
	return sel.ID, nil
}
