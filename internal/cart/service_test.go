package cart_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/cart/cartsql"
	"github.com/bazaar-market/bazaar/internal/cart/carttest"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func newService(t *testing.T, db *sqldb.DB, now func() time.Time) (*cart.Service, *carttest.Stock) {
	t.Helper()
	if err := cartsql.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if err := event.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	cat := carttest.NewCatalog()
	cat.PutSKU(catalog.SKU{SKU: "A", ProductID: "prd_a", SellerID: "sel_1", Price: money.New(100, "USD"), Active: true})
	stock := carttest.NewStock()
	stock.Set("A", 10)
	return cart.New(cartsql.New(db), cat, stock, carttest.Sellers{}, cart.Options{Now: now}), stock
}

func as(userID id.User, role auth.Role) context.Context {
	return auth.With(context.Background(), auth.Principal{UserID: userID, Role: role})
}

func TestLinesAndClear(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		svc, _ := newService(t, db, nil)
		if _, err := svc.AddItem(as("usr_1", auth.Customer), "", cart.ItemInput{SKU: "A", Quantity: 2}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			ctx  context.Context
			user string
			want apperr.Kind
			n    int
		}{
			{"self", as("usr_1", auth.Customer), "usr_1", 0, 1},
			{"admin", as("usr_adm", auth.Admin), "usr_1", 0, 1},
			{"other user", as("usr_2", auth.Customer), "usr_1", apperr.KindNotFound, 0},
			{"anonymous", context.Background(), "usr_1", apperr.KindUnauthorized, 0},
			{"user without cart", as("usr_3", auth.Customer), "usr_3", 0, 0},
		}
		for _, tc := range tests {
			lines, err := svc.Lines(tc.ctx, id.User(tc.user))
			if tc.want != 0 {
				if !apperr.Is(err, tc.want) {
					t.Errorf("%s: Lines = %v, want kind %v", tc.name, err, tc.want)
				}
				if err := svc.Clear(tc.ctx, id.User(tc.user)); !apperr.Is(err, tc.want) {
					t.Errorf("%s: Clear = %v, want kind %v", tc.name, err, tc.want)
				}
				continue
			}
			if err != nil || len(lines) != tc.n {
				t.Errorf("%s: Lines = %+v, %v, want %d lines", tc.name, lines, err, tc.n)
			}
			if tc.n > 0 && (lines[0].SKU != "A" || lines[0].Quantity != 2) {
				t.Errorf("%s: Lines = %+v, want 2 of A", tc.name, lines)
			}
		}
		if err := svc.Clear(as("usr_1", auth.Customer), "usr_1"); err != nil {
			t.Fatal(err)
		}
		if lines, _ := svc.Lines(as("usr_1", auth.Customer), "usr_1"); len(lines) != 0 {
			t.Errorf("Lines after Clear = %+v", lines)
		}
	})
}

func TestPurgeGuestCarts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		svc, _ := newService(t, db, clock)
		old, err := svc.AddItem(context.Background(), "", cart.ItemInput{SKU: "A", Quantity: 1})
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(20 * 24 * time.Hour)
		kept, _ := svc.Cart(context.Background(), "")
		now = now.Add(20 * 24 * time.Hour)
		n, err := svc.PurgeGuestCarts(context.Background(), now.Add(-cart.GuestTTL))
		if err != nil || n != 1 {
			t.Fatalf("PurgeGuestCarts = %d, %v, want 1", n, err)
		}
		// The purged cart's token now starts a new, empty cart.
		v, _ := svc.Cart(context.Background(), old.Token)
		if v.ID == old.ID || !v.NewToken || len(v.Groups) != 0 {
			t.Errorf("old token after purge gave %+v, want a new empty cart", v)
		}
		if v, _ := svc.Cart(context.Background(), kept.Token); v.ID != kept.ID {
			t.Errorf("recent guest cart was purged")
		}
	})
}

// TestConcurrentMerge replays one sign-in merge from many tabs at once: the
// guest's lines are added exactly once.
func TestConcurrentMerge(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		svc, _ := newService(t, db, nil)
		g, err := svc.AddItem(context.Background(), "", cart.ItemInput{SKU: "A", Quantity: 3})
		if err != nil {
			t.Fatal(err)
		}
		user := as("usr_1", auth.Customer)
		if _, err := svc.AddItem(user, "", cart.ItemInput{SKU: "A", Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.Cart(user, g.Token); err != nil {
					t.Errorf("Cart: %v", err)
				}
			}()
		}
		wg.Wait()
		lines, err := svc.Lines(user, "usr_1")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, l := range lines {
			got[l.SKU] = l.Quantity
		}
		if diff := cmp.Diff(map[string]int64{"A": 4}, got); diff != "" {
			t.Errorf("after 10 concurrent merges (-want +got):\n%s", diff)
		}
	})
}
