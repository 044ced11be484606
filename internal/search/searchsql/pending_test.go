package searchsql_test

import (
	"context"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchsql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestQueue(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := searchsql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		s := searchsql.New(db)
		now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		queue := func(at time.Time, ids ...id.Product) {
			t.Helper()
			if err := s.ApplyOnce(ctx, "test", id.Make[id.Event](), func(w search.QueueWriter) error { return w.Queue(ctx, ids, at) }); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(ps []search.Pending) []string {
			var out []string
			for _, p := range ps {
				out = append(out, string(p.ProductID))
			}
			return out
		}
		queue(now, "prd_b")
		queue(now.Add(time.Second), "prd_a", "prd_c")
		queue(now.Add(2*time.Second), "prd_b") // queued again: later now
		got, err := s.Pending(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"prd_a", "prd_c"}; len(got) != 2 || got[0].ProductID != id.Product(want[0]) || got[1].ProductID != id.Product(want[1]) {
			t.Fatalf("Pending(2) = %v, want %v (longest waiting first)", ids(got), want)
		}
		all, err := s.Pending(ctx, 10)
		if err != nil || len(all) != 3 {
			t.Fatalf("Pending(10) = %v, %v; want 3 products", ids(all), err)
		}
		// prd_a changes again (same microsecond as its read entry) while a
		// worker refreshes what it read: Done must leave it queued.
		queue(now.Add(time.Second), "prd_a")
		if err := s.Done(ctx, all); err != nil {
			t.Fatal(err)
		}
		left, err := s.Pending(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 1 || left[0].ProductID != "prd_a" {
			t.Errorf("Pending after Done = %v, want [prd_a] (queued again since it was read)", ids(left))
		}
	})
}

func TestAddSales(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := searchsql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		s := searchsql.New(db)
		if err := s.PutSignals(ctx, []search.Signal{{ProductID: "prd_a", Rating: 4.5, RatingCount: 2, Sales: 10}}); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		// Units sold, then taken back (a cancelled paid order), never below zero.
		for _, units := range []map[id.Product]int64{{"prd_a": 2, "prd_b": 1}, {"prd_b": 4}, {"prd_a": -3, "prd_c": -2}, {"prd_a": 3, "prd_b": -20}} {
			if err := s.ApplyOnce(ctx, "test", id.Make[id.Event](), func(w search.QueueWriter) error { return w.AddSales(ctx, units, now) }); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Signals(ctx, []id.Product{"prd_a", "prd_b", "prd_c"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[id.Product]search.Signal{
			"prd_a": {ProductID: "prd_a", Rating: 4.5, RatingCount: 2, Sales: 12},
			"prd_b": {ProductID: "prd_b", Sales: 0},
			"prd_c": {ProductID: "prd_c", Sales: 0},
		}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("Signals()[%s] = %+v, want %+v", id, got[id], w)
			}
		}
	})
}

// TestStockFlipped: a SKU's stock changes matter to search when it goes in
// or out of stock, and the first time it is seen.
func TestStockFlipped(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := searchsql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		s := searchsql.New(db)
		steps := []struct {
			sku     string
			inStock bool
			want    bool
		}{
			{"SKU-1", true, true},   // first seen
			{"SKU-1", true, false},  // units reserved, still in stock
			{"SKU-1", true, false},  // committed
			{"SKU-2", false, true},  // first seen, out of stock
			{"SKU-1", false, true},  // sold out
			{"SKU-1", false, false}, // still out
			{"SKU-1", true, true},   // restocked
			{"SKU-2", false, false},
		}
		for i, st := range steps {
			var got bool
			err := s.ApplyOnce(ctx, "test", id.Make[id.Event](), func(w search.QueueWriter) error {
				var err error
				got, err = w.StockFlipped(ctx, st.sku, st.inStock)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != st.want {
				t.Errorf("step %d (%s in stock %v): flipped = %v, want %v", i, st.sku, st.inStock, got, st.want)
			}
		}
	})
}

// TestSetRating: a rating applies only over an older sequence, so a
// redelivered older event does not undo a newer one.
func TestSetRating(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := searchsql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		s := searchsql.New(db)
		if err := s.PutSignals(ctx, []search.Signal{{ProductID: "prd_a", Rating: 2, RatingCount: 1, Sales: 7}}); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			product string
			rating  float64
			count   int64
			seq     int64
			changed bool
		}{
			{"prd_a", 4.67, 3, 2, true},
			{"prd_a", 4.5, 2, 1, false},  // older: ignored
			{"prd_a", 4.67, 3, 2, false}, // the same again
			{"prd_b", 3.25, 4, 1, true},  // no signals yet
			{"prd_a", 0, 0, 3, true},     // every review removed
		} {
			var changed bool
			err := s.ApplyOnce(ctx, "test", id.Make[id.Event](), func(w search.QueueWriter) error {
				var err error
				changed, err = w.SetRating(ctx, id.Product(c.product), c.rating, c.count, c.seq, now)
				return err
			})
			if err != nil || changed != c.changed {
				t.Errorf("SetRating(%s, %v, %d, seq %d) = %v, %v; want %v", c.product, c.rating, c.count, c.seq, changed, err, c.changed)
			}
		}
		got, err := s.Signals(ctx, []id.Product{"prd_a", "prd_b"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[id.Product]search.Signal{
			"prd_a": {ProductID: "prd_a", Rating: 0, RatingCount: 0, Sales: 7},
			"prd_b": {ProductID: "prd_b", Rating: 3.25, RatingCount: 4},
		}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("Signals()[%s] = %+v, want %+v", id, got[id], w)
			}
		}
	})
}

// TestReplicas: each replica has its own queue and stock states; an event
// applies once per consumer.
func TestReplicas(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := searchsql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		a, b := searchsql.New(db).ForReplica("a"), searchsql.New(db).ForReplica("b")
		now := time.Now()
		evt := id.Make[id.Event]()
		for _, r := range []*searchsql.Store{a, b, a} { // a twice: the second is a redelivery
			var flipped bool
			err := r.ApplyOnce(ctx, "search@"+map[*searchsql.Store]string{a: "a", b: "b"}[r], evt, func(w search.QueueWriter) error {
				var err error
				if flipped, err = w.StockFlipped(ctx, "SKU-1", true); err != nil {
					return err
				}
				return w.Queue(ctx, []id.Product{"prd_1"}, now)
			})
			if err != nil {
				t.Fatal(err)
			}
			_ = flipped
		}
		for name, r := range map[string]*searchsql.Store{"a": a, "b": b} {
			got, err := r.Pending(ctx, 10)
			if err != nil || len(got) != 1 || got[0].ProductID != "prd_1" {
				t.Errorf("replica %s: Pending = %v, %v; want prd_1 once", name, got, err)
			}
			if err := r.Done(ctx, got); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := b.Pending(ctx, 10); len(got) != 0 {
			t.Errorf("replica b after Done: %v, want empty", got)
		}
		// Stock states are per replica: a new replica sees the SKU as new.
		c := searchsql.New(db).ForReplica("c")
		var flipped bool
		_ = c.ApplyOnce(ctx, "search@c", id.Make[id.Event](), func(w search.QueueWriter) error {
			var err error
			flipped, err = w.StockFlipped(ctx, "SKU-1", true)
			return err
		})
		if !flipped {
			t.Errorf("replica c: StockFlipped(SKU-1 in stock) = false, want true (first seen by c)")
		}
	})
}
