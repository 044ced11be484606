package recommend_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendsql"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// holey hides the rows of some seqs, as PostgreSQL does with the rows of a
// transaction that took its seq and has not committed yet.
type holey struct {
	*recommendsql.Store
	hidden map[int64]bool
}

func (h *holey) Since(ctx context.Context, seq int64, notBefore time.Time, limit int) ([]recommend.Row, error) {
	rows, err := h.Store.Since(ctx, seq, notBefore, limit)
	var out []recommend.Row
	for _, r := range rows {
		if !h.hidden[r.Seq] {
			out = append(out, r)
		}
	}
	return out, err
}

// TestTailWaitsForHoles: a row committed after a later one is still read,
// and once; a hole never filled is given up after a few seconds.
func TestTailWaitsForHoles(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := recommendsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	clock := now
	store := &holey{Store: recommendsql.New(db), hidden: map[int64]bool{}}
	cat := &fakeCatalog{products: map[id.Product]catalog.Product{}}
	for _, p := range camping() {
		cat.products[p.ID] = p
	}
	svc := recommend.New(store, cat, nil, nil, recommend.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return clock }})
	w := &world{t: t, svc: svc, cat: cat, store: store.Store}
	w.load(viewed("s:someone1", "prd_pan")...) // seq 1
	also := func(product string) []recommend.Item {
		return w.forProduct(recommend.ProductQuery{Product: product, Kind: recommend.AlsoBought}).Items
	}
	// seq 2 and 3: a shopper buys the tent and the bag; 3 commits before 2.
	store.hidden[2] = true
	if err := svc.Import(ctx, bought("u:usr_a", "prd_bag", "prd_tent"), nil); err != nil {
		t.Fatal(err)
	}
	w.tail()
	if got := also("prd_tent"); len(got) != 0 {
		t.Fatalf("also bought with the tent before seq 2 commits = %v", got)
	}
	delete(store.hidden, 2)
	w.tail()
	w.tail()
	got := also("prd_tent")
	want := w.reloaded(recommend.ProductQuery{Product: "prd_tent", Kind: recommend.AlsoBought}).Items
	if len(got) != 1 || got[0].ProductID != "prd_bag" || len(want) != 1 || got[0].Score != want[0].Score {
		t.Fatalf("also bought with the tent once seq 2 committed = %+v, want the bag, scored as a fresh load scores it %+v (each row read once)", got, want)
	}
	// seq 4 never commits (rolled back); seq 5 does. After the wait, the
	// tail moves past the hole: a row 4 showing up later is not read.
	store.hidden[4] = true
	if err := svc.Import(ctx, append(bought("u:usr_b", "prd_stove"), bought("u:usr_b", "prd_fuel")...), nil); err != nil {
		t.Fatal(err)
	}
	w.tail()
	clock = clock.Add(6 * time.Second)
	w.tail()
	delete(store.hidden, 4)
	w.tail()
	if got := also("prd_fuel"); len(got) != 0 {
		t.Errorf("also bought with the fuel = %+v, want none: the hole at seq 4 was given up", got)
	}
}
