package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/review"
)

// counting fakes: a catalog of n products from two sellers, and stock,
// sellers and ratings that count their calls.
type countCatalog struct {
	Catalog
	n     int
	calls atomic.Int64
}

func (c *countCatalog) Products(ctx context.Context, q catalog.ProductQuery) (page.Page[catalog.Product], error) {
	c.calls.Add(1)
	var ps []catalog.Product
	for i := range c.n {
		ps = append(ps, catalog.Product{ID: id.Product(fmt.Sprintf("prd_%d", i)), SellerID: id.Seller(fmt.Sprintf("sel_%d", i%2)),
			Variants: []catalog.Variant{{SKU: fmt.Sprintf("S-%d", i), Price: money.New(100, "USD")}, {SKU: fmt.Sprintf("M-%d", i), Price: money.New(100, "USD")}}})
	}
	return page.Page[catalog.Product]{Items: ps}, nil
}

type countStock struct {
	Inventory
	calls atomic.Int64
}

func (s *countStock) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	s.calls.Add(1)
	out := map[string]int64{}
	for _, k := range skus {
		out[k] = 7
	}
	return out, nil
}

func (s *countStock) SetOnHand(context.Context, string, inventory.StockInput) (inventory.Stock, error) {
	return inventory.Stock{}, nil
}

type countAccounts struct {
	Accounts
	calls atomic.Int64
}

func (a *countAccounts) SellersByID(ctx context.Context, ids []id.Seller) (map[id.Seller]account.Seller, error) {
	a.calls.Add(1)
	out := map[id.Seller]account.Seller{}
	for _, sid := range ids {
		out[sid] = account.Seller{ID: sid, Name: "Shop " + string(sid)}
	}
	return out, nil
}

type countReviews struct {
	calls atomic.Int64
}

func (r *countReviews) Reviews(context.Context, id.Product, string, int) (review.Page, error) {
	return review.Page{}, nil
}
func (r *countReviews) Moderate(context.Context, id.Review, review.ModerationInput) (review.Review, error) {
	return review.Review{}, nil
}

func (r *countReviews) Summaries(ctx context.Context, ids []id.Product) (map[id.Product]review.Summary, error) {
	r.calls.Add(1)
	out := map[id.Product]review.Summary{}
	for _, pid := range ids {
		out[pid] = review.Summary{ProductID: pid, Count: 3}
	}
	return out, nil
}

// TestProductPageLoads counts what a page of products with variants, stock,
// seller and rating costs: one catalog call, one stock call for every
// variant, one seller call and one rating call, at 5 products as at 20.
func TestProductPageLoads(t *testing.T) {
	for _, n := range []int{5, 20} {
		cat, stock, accts, revs := &countCatalog{n: n}, &countStock{}, &countAccounts{}, &countReviews{}
		srv := httptest.NewServer(New(Services{Catalog: cat, Inventory: stock, Accounts: accts, Reviews: revs}, Options{}))
		body, _ := json.Marshal(map[string]string{"query": `{products(first:20){nodes{id variants{sku available} seller{name} rating{count}}}}`})
		res, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Data struct {
				Products struct {
					Nodes []struct {
						Variants []struct{ Available int }
						Seller   struct{ Name string }
						Rating   struct{ Count int }
					}
				}
			}
			Errors []any
		}
		_ = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		srv.Close()
		if len(out.Errors) > 0 || len(out.Data.Products.Nodes) != n || out.Data.Products.Nodes[n-1].Variants[1].Available != 7 ||
			out.Data.Products.Nodes[0].Seller.Name != "Shop sel_0" || out.Data.Products.Nodes[0].Rating.Count != 3 {
			t.Fatalf("%d products: answer %+v", n, out)
		}
		got := [4]int64{cat.calls.Load(), stock.calls.Load(), accts.calls.Load(), revs.calls.Load()}
		if want := [4]int64{1, 1, 1, 1}; got != want {
			t.Errorf("%d products: catalog, stock, seller, rating calls = %v, want %v", n, got, want)
		}
		// Asking nothing of sellers and ratings costs nothing of them.
		srv = httptest.NewServer(New(Services{Catalog: cat, Inventory: stock, Accounts: accts, Reviews: revs}, Options{}))
		body, _ = json.Marshal(map[string]string{"query": `{products(first:20){nodes{id variants{sku available}}}}`})
		res, err = http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		srv.Close()
		got = [4]int64{cat.calls.Load(), stock.calls.Load(), accts.calls.Load(), revs.calls.Load()}
		if want := [4]int64{2, 2, 1, 1}; got != want {
			t.Errorf("%d products, stock only: calls = %v, want %v", n, got, want)
		}
	}
}
