package inventorysql_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorysql"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorytest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func open(t *testing.T, db *sqldb.DB) *inventorysql.Store {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := inventorysql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return inventorysql.New(db)
}

func TestStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		// Every case gets a fresh database of the same engine.
		inventorytest.StoreSuite(t, func(t *testing.T) (inventory.Store, *sqldb.DB) {
			var fresh *sqldb.DB
			if db.Dialect == sqldb.SQLite {
				fresh = sqldbtest.SQLite(t)
			} else {
				fresh = sqldbtest.Postgres(t)
			}
			return open(t, fresh), fresh
		})
	})
}

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type outboxRow struct {
	Topic     string
	Aggregate string
	Payload   inventory.StockChanged
}

func outbox(t *testing.T, db *sqldb.DB) []outboxRow {
	t.Helper()
	rows, err := db.Read().Query(`SELECT topic, aggregate, payload FROM event_outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		var p string
		if err := rows.Scan(&r.Topic, &r.Aggregate, &p); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(p), &r.Payload); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		it := inventory.Item{SKU: "A", ProductID: "prd_1", SellerID: "sel_1"}
		ev := func(onHand, reserved int64) outboxRow {
			return outboxRow{inventory.TopicStockChanged.Name(), "A", inventory.StockChanged{
				SKU: "A", ProductID: "prd_1", SellerID: "sel_1", OnHand: onHand, Reserved: reserved, Available: onHand - reserved}}
		}
		steps := []struct {
			name string
			do   func() error
			want []outboxRow
		}{
			{"set", func() error { _, err := s.SetOnHand(ctx, it, "", 5, now); return err }, []outboxRow{ev(5, 0)}},
			{"reserve", func() error {
				return s.Reserve(ctx, "ord_1", []inventory.Line{{SKU: "A", Quantity: 2}}, now.Add(time.Hour), now)
			}, []outboxRow{ev(5, 2)}},
			{"failed reserve", func() error {
				_ = s.Reserve(ctx, "ord_2", []inventory.Line{{SKU: "A", Quantity: 9}}, now.Add(time.Hour), now)
				return nil
			}, nil},
			{"commit", func() error { return s.Commit(ctx, "ord_1", now) }, []outboxRow{ev(3, 0)}},
			{"commit again", func() error { return s.Commit(ctx, "ord_1", now) }, nil},
			{"reserve 2", func() error {
				return s.Reserve(ctx, "ord_3", []inventory.Line{{SKU: "A", Quantity: 1}}, now.Add(time.Hour), now)
			}, []outboxRow{ev(3, 1)}},
			{"release", func() error { return s.Release(ctx, "ord_3", now) }, []outboxRow{ev(3, 0)}},
			{"release again", func() error { return s.Release(ctx, "ord_3", now) }, nil},
		}
		seen := 0
		for _, st := range steps {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			all := outbox(t, db)
			if diff := cmp.Diff(st.want, all[seen:], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: events (-want +got):\n%s", st.name, diff)
			}
			seen = len(all)
		}
	})
}

func TestImportStock(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := open(t, db)
		ctx := context.Background()
		levels := []inventorysql.Import{
			{Item: inventory.Item{SKU: "IMP-A", ProductID: "prd_a", SellerID: "sel_1"}, OnHand: 5},
			{Item: inventory.Item{SKU: "IMP-B", ProductID: "prd_b", SellerID: "sel_1"}, OnHand: 0},
			{Item: inventory.Item{SKU: "IMP-C", ProductID: "prd_c", SellerID: "sel_2"}, OnHand: 7},
		}
		if err := s.ImportStock(ctx, levels, now); err != nil {
			t.Fatal(err)
		}
		// A second run keeps what is there (here: what a sale changed).
		if _, err := s.SetOnHand(ctx, levels[0].Item, "", 3, now); err != nil {
			t.Fatal(err)
		}
		if err := s.ImportStock(ctx, levels, now); err != nil {
			t.Fatal(err)
		}
		got, err := s.Available(ctx, []string{"IMP-A", "IMP-B", "IMP-C", "IMP-MISSING"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"IMP-A": 3, "IMP-B": 0, "IMP-C": 7}
		for sku, n := range want {
			if got[sku] != n {
				t.Errorf("Available(%s) = %d, want %d", sku, got[sku], n)
			}
		}
		for _, seller := range []string{"sel_1", "sel_2"} {
			ws, err := s.Warehouses(ctx, id.Seller(seller))
			if err != nil {
				t.Fatal(err)
			}
			if len(ws) != 1 || !ws[0].Default {
				t.Errorf("Warehouses(%s) = %+v, want one default warehouse", seller, ws)
			}
		}
		// Bulk loads write no events: only SetOnHand's one is there.
		if rows := outbox(t, db); len(rows) != 1 {
			t.Errorf("outbox holds %d events, want 1 (from SetOnHand)", len(rows))
		}
		bad := []inventorysql.Import{{Item: inventory.Item{SKU: "IMP-D", SellerID: "sel_1"}, OnHand: -1}}
		if err := s.ImportStock(ctx, bad, now); err == nil {
			t.Error("ImportStock(on hand -1) succeeded, want an error")
		}
	})
}
