package carttest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/id"
)

// StoreSuite runs the cart Store contract against stores made by newStore,
// each fresh and empty.
func StoreSuite(t *testing.T, newStore func(t *testing.T) cart.Store) {
	t.Run("Carts", func(t *testing.T) { testCarts(t, newStore(t)) })
	t.Run("Lines", func(t *testing.T) { testLines(t, newStore(t)) })
	t.Run("Merge", func(t *testing.T) { testMerge(t, newStore(t)) })
	t.Run("RemoveOrdered", func(t *testing.T) { testRemoveOrdered(t, newStore(t)) })
	t.Run("Purge", func(t *testing.T) { testPurge(t, newStore(t)) })
	t.Run("Wishlist", func(t *testing.T) { testWishlist(t, newStore(t)) })
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func testCarts(t *testing.T, s cart.Store) {
	ctx := context.Background()
	g, err := s.CreateGuestCart(ctx, "hash1", t0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GuestCart(ctx, "hash1")
	if err != nil || got.ID != g.ID || got.UserID != "" || !got.UpdatedAt.Equal(t0) {
		t.Errorf("GuestCart = %+v, %v, want %+v", got, err, g)
	}
	if _, err := s.GuestCart(ctx, "hash2"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("GuestCart(unknown) = %v, want NotFound", err)
	}
	if err := s.Touch(ctx, g.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GuestCart(ctx, "hash1"); !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("UpdatedAt after Touch = %v", got.UpdatedAt)
	}
	if _, err := s.CartOfUser(ctx, "usr_1"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("CartOfUser before any = %v, want NotFound", err)
	}
	u1, err := s.UserCart(ctx, "usr_1", t0)
	if err != nil {
		t.Fatal(err)
	}
	u2, err := s.UserCart(ctx, "usr_1", t0.Add(time.Minute))
	if err != nil || u2.ID != u1.ID || u1.UserID != "usr_1" {
		t.Errorf("UserCart twice = %+v and %+v (%v), want one cart of usr_1", u1, u2, err)
	}
	if c, err := s.CartOfUser(ctx, "usr_1"); err != nil || c.ID != u1.ID {
		t.Errorf("CartOfUser = %+v, %v", c, err)
	}
	if other, _ := s.UserCart(ctx, "usr_2", t0); other.ID == u1.ID {
		t.Errorf("two users share cart %s", other.ID)
	}
}

type qty map[string]int64

func quantities(t *testing.T, s cart.Store, cartID id.Cart) qty {
	t.Helper()
	ls, err := s.Lines(context.Background(), cartID)
	if err != nil {
		t.Fatal(err)
	}
	out := qty{}
	for _, l := range ls {
		out[l.SKU] = l.Quantity
	}
	return out
}

func testLines(t *testing.T, s cart.Store) {
	ctx := context.Background()
	c, _ := s.UserCart(ctx, "usr_1", t0)
	other, _ := s.UserCart(ctx, "usr_2", t0)
	steps := []struct {
		name          string
		sku           string
		n, limit      int64
		wantOK        bool
		wantQuantites qty
	}{
		{"new line", "A", 2, 10, true, qty{"A": 2}},
		{"adds to line", "A", 3, 10, true, qty{"A": 5}},
		{"over limit", "A", 6, 10, false, qty{"A": 5}},
		{"exactly limit", "A", 5, 10, true, qty{"A": 10}},
		{"new over limit", "B", 3, 2, false, qty{"A": 10}},
		{"second sku", "B", 1, 2, true, qty{"A": 10, "B": 1}},
	}
	for i, st := range steps {
		ok, err := s.AddLine(ctx, c.ID, st.sku, st.n, st.limit, t0.Add(time.Duration(i)*time.Second), cart.LineAdded{CartID: c.ID, SKU: st.sku, Quantity: st.n})
		if err != nil || ok != st.wantOK {
			t.Errorf("%s: AddLine = %v, %v, want %v", st.name, ok, err, st.wantOK)
		}
		if diff := cmp.Diff(st.wantQuantites, quantities(t, s, c.ID)); diff != "" {
			t.Errorf("%s: lines (-want +got):\n%s", st.name, diff)
		}
	}
	ls, _ := s.Lines(ctx, c.ID)
	if len(ls) != 2 || ls[0].SKU != "A" || ls[1].SKU != "B" {
		t.Fatalf("Lines = %+v, want A then B", ls)
	}
	a := ls[0]
	if got, err := s.Line(ctx, c.ID, a.ID); err != nil || got != a {
		t.Errorf("Line = %+v, %v, want %+v", got, err, a)
	}
	// Another cart's line is not found, for reading, changing and deleting.
	if _, err := s.Line(ctx, other.ID, a.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("Line from other cart = %v, want NotFound", err)
	}
	if err := s.SetQuantity(ctx, other.ID, a.ID, 1, t0); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("SetQuantity from other cart = %v, want NotFound", err)
	}
	if err := s.DeleteLine(ctx, other.ID, a.ID, t0); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("DeleteLine from other cart = %v, want NotFound", err)
	}
	if err := s.SetQuantity(ctx, c.ID, a.ID, 7, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLine(ctx, c.ID, ls[1].ID, t0); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(qty{"A": 7}, quantities(t, s, c.ID)); diff != "" {
		t.Errorf("after set and delete (-want +got):\n%s", diff)
	}
	if err := s.DeleteLine(ctx, c.ID, ls[1].ID, t0); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("DeleteLine twice = %v, want NotFound", err)
	}
	if _, err := s.AddLine(ctx, other.ID, "A", 1, 5, t0, cart.LineAdded{CartID: other.ID, SKU: "A", Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearUser(ctx, "usr_1", t0); err != nil {
		t.Fatal(err)
	}
	if got := quantities(t, s, c.ID); len(got) != 0 {
		t.Errorf("after ClearUser: %v, want empty", got)
	}
	if got := quantities(t, s, other.ID); got["A"] != 1 {
		t.Errorf("ClearUser touched another user's cart: %v", got)
	}
}

func testMerge(t *testing.T, s cart.Store) {
	ctx := context.Background()
	u, _ := s.UserCart(ctx, "usr_1", t0)
	g, _ := s.CreateGuestCart(ctx, "h", t0)
	add := func(c, sku string, n int64) {
		if ok, err := s.AddLine(ctx, id.Cart(c), sku, n, 999, t0, cart.LineAdded{}); err != nil || !ok {
			t.Fatalf("AddLine(%s, %d) = %v, %v", sku, n, ok, err)
		}
	}
	add(string(u.ID), "A", 2)
	add(string(u.ID), "D", 5)
	add(string(g.ID), "A", 3)
	add(string(g.ID), "B", 5)
	add(string(g.ID), "C", 1)
	add(string(g.ID), "D", 1)
	caps := map[string]int64{"A": 4, "B": 2, "D": 3} // C has no cap
	ok, err := s.Merge(ctx, g.ID, u.ID, caps, t0)
	if err != nil || !ok {
		t.Fatalf("Merge = %v, %v, want true", ok, err)
	}
	want := qty{"A": 4, "B": 2, "C": 1, "D": 5}
	if diff := cmp.Diff(want, quantities(t, s, u.ID)); diff != "" {
		t.Errorf("merged lines (-want +got):\n%s", diff)
	}
	if _, err := s.GuestCart(ctx, "h"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("GuestCart after merge = %v, want NotFound", err)
	}
	if got := quantities(t, s, g.ID); len(got) != 0 {
		t.Errorf("guest cart still holds %v", got)
	}
	ok, err = s.Merge(ctx, g.ID, u.ID, caps, t0)
	if err != nil || ok {
		t.Errorf("Merge replay = %v, %v, want false", ok, err)
	}
	if diff := cmp.Diff(want, quantities(t, s, u.ID)); diff != "" {
		t.Errorf("after replay (-want +got):\n%s", diff)
	}
	// A user cart is never merged away.
	if ok, err := s.Merge(ctx, u.ID, g.ID, nil, t0); err != nil || ok {
		t.Errorf("Merge of a user cart = %v, %v, want false", ok, err)
	}
}

func testPurge(t *testing.T, s cart.Store) {
	ctx := context.Background()
	old, _ := s.CreateGuestCart(ctx, "old", t0)
	_, _ = s.AddLine(ctx, old.ID, "A", 1, 5, t0, cart.LineAdded{})
	_, _ = s.CreateGuestCart(ctx, "new", t0.Add(40*24*time.Hour))
	u, _ := s.UserCart(ctx, "usr_1", t0)
	_, _ = s.AddLine(ctx, u.ID, "A", 1, 5, t0, cart.LineAdded{})
	n, err := s.PurgeGuestCarts(ctx, t0.Add(time.Hour))
	if err != nil || n != 1 {
		t.Errorf("PurgeGuestCarts = %d, %v, want 1", n, err)
	}
	if _, err := s.GuestCart(ctx, "old"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("old guest cart survived: %v", err)
	}
	if got := quantities(t, s, old.ID); len(got) != 0 {
		t.Errorf("old cart's lines survived: %v", got)
	}
	if _, err := s.GuestCart(ctx, "new"); err != nil {
		t.Errorf("new guest cart purged: %v", err)
	}
	if got := quantities(t, s, u.ID); got["A"] != 1 {
		t.Errorf("user cart purged: %v", got)
	}
}

func testWishlist(t *testing.T, s cart.Store) {
	ctx := context.Background()
	for i, p := range []string{"prd_a", "prd_b", "prd_c", "prd_d"} {
		at := t0.Add(time.Duration(i) * time.Minute)
		if p == "prd_d" {
			at = t0.Add(2 * time.Minute) // same time as prd_c: the ID breaks the tie
		}
		w, added, err := s.AddWish(ctx, "usr_1", id.Product(p), at)
		if err != nil || !added || !w.AddedAt.Equal(at) {
			t.Fatalf("AddWish(%s) = %+v, %v, %v", p, w, added, err)
		}
	}
	w, added, err := s.AddWish(ctx, "usr_1", "prd_a", t0.Add(time.Hour))
	if err != nil || added || !w.AddedAt.Equal(t0) {
		t.Errorf("AddWish again = %+v, %v, %v, want not added, first time kept", w, added, err)
	}
	_, _, _ = s.AddWish(ctx, "usr_2", "prd_z", t0)

	var got []string
	var after *cart.WishCursor
	for range 10 {
		page, err := s.Wishes(ctx, "usr_1", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range page {
			got = append(got, string(w.ProductID))
		}
		if len(page) < 2 {
			break
		}
		last := page[len(page)-1]
		after = &cart.WishCursor{AddedAt: last.AddedAt.UnixMicro(), ProductID: last.ProductID}
	}
	if diff := cmp.Diff([]string{"prd_d", "prd_c", "prd_b", "prd_a"}, got); diff != "" {
		t.Errorf("paged wishlist (-want +got):\n%s", diff)
	}
	if err := s.RemoveWish(ctx, "usr_1", "prd_b"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveWish(ctx, "usr_1", "prd_b"); err != nil {
		t.Errorf("RemoveWish of a missing entry = %v, want nil", err)
	}
	if err := s.RemoveWish(ctx, "usr_2", "prd_a"); err != nil {
		t.Fatal(err)
	}
	page, _ := s.Wishes(ctx, "usr_1", nil, 10)
	if len(page) != 3 {
		t.Errorf("wishlist after remove has %d entries, want 3: %+v", len(page), page)
	}
}

func testRemoveOrdered(t *testing.T, s cart.Store) {
	ctx := context.Background()
	c, err := s.UserCart(ctx, "usr_1", t0)
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.UserCart(ctx, "usr_2", t0)
	if err != nil {
		t.Fatal(err)
	}
	add := func(cartID, sku string, n int64) {
		t.Helper()
		if ok, err := s.AddLine(ctx, id.Cart(cartID), sku, n, cart.MaxQuantity, t0, cart.LineAdded{}); err != nil || !ok {
			t.Fatalf("AddLine(%s, %d) = %v, %v", sku, n, ok, err)
		}
	}
	add(string(c.ID), "A", 2)
	add(string(c.ID), "B", 1)
	add(string(other.ID), "A", 2)
	// The order read A x2 and B x1; another tab then raised A to 3 and
	// added C.
	add(string(c.ID), "A", 1)
	add(string(c.ID), "C", 4)
	ordered := []cart.Ordered{{SKU: "B", Quantity: 1}, {SKU: "A", Quantity: 2}, {SKU: "Z", Quantity: 1}}
	if ok, err := s.RemoveOrdered(ctx, "usr_1", "ord_1", ordered, t0.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("RemoveOrdered = %v, %v; want true", ok, err)
	}
	want := qty{"A": 1, "C": 4}
	if diff := cmp.Diff(want, quantities(t, s, c.ID)); diff != "" {
		t.Errorf("cart after RemoveOrdered (-want +got):\n%s", diff)
	}
	if ok, err := s.RemoveOrdered(ctx, "usr_1", "ord_1", ordered, t0.Add(time.Minute)); err != nil || ok {
		t.Errorf("RemoveOrdered again = %v, %v; want false", ok, err)
	}
	if diff := cmp.Diff(want, quantities(t, s, c.ID)); diff != "" {
		t.Errorf("cart after RemoveOrdered again (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(qty{"A": 2}, quantities(t, s, other.ID)); diff != "" {
		t.Errorf("another user's cart (-want +got):\n%s", diff)
	}
	// More ordered than is left (the other tab lowered it): the line goes.
	if ok, err := s.RemoveOrdered(ctx, "usr_1", "ord_2", []cart.Ordered{{SKU: "C", Quantity: 9}}, t0.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("RemoveOrdered(ord_2) = %v, %v", ok, err)
	}
	if diff := cmp.Diff(qty{"A": 1}, quantities(t, s, c.ID)); diff != "" {
		t.Errorf("cart after ord_2 (-want +got):\n%s", diff)
	}
	// A user without a cart: recorded, nothing else.
	if ok, err := s.RemoveOrdered(ctx, "usr_3", "ord_3", ordered, t0); err != nil || !ok {
		t.Errorf("RemoveOrdered for a user without a cart = %v, %v", ok, err)
	}
	// The purge forgets removals older than its cutoff, and only those: a
	// forgotten order would be applied again, a remembered one is not.
	if _, err := s.PurgeGuestCarts(ctx, t0.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.RemoveOrdered(ctx, "usr_3", "ord_3", ordered, t0.Add(time.Hour)); err != nil || !ok {
		t.Errorf("RemoveOrdered of a purged removal = %v, %v; want true (forgotten)", ok, err)
	}
	if ok, err := s.RemoveOrdered(ctx, "usr_1", "ord_1", ordered, t0.Add(time.Hour)); err != nil || ok {
		t.Errorf("RemoveOrdered of a removal newer than the cutoff = %v, %v; want false", ok, err)
	}
}
