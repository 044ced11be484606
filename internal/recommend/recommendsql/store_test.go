package recommendsql_test

import (
	"context"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendsql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestSignals(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := recommendsql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		s := recommendsql.New(db)
		now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
		if last, err := s.LastSeq(ctx); err != nil || last != 0 {
			t.Fatalf("LastSeq of an empty table = %d, %v", last, err)
		}
		var sigs []recommend.Signal
		for i := range 20100 { // more than one insert batch (20,000)
			sigs = append(sigs, recommend.Signal{Subject: "u:usr_a", ProductID: id.Product("prd_" + string(rune('a'+i%26))),
				Kind: recmodel.View, At: now.Add(-time.Duration(i) * time.Minute)})
		}
		sigs[1].Kind, sigs[1].Value = recmodel.Rate, 4
		if err := s.Insert(ctx, sigs); err != nil {
			t.Fatal(err)
		}
		rows, err := s.Since(ctx, 0, time.Time{}, 3)
		if err != nil || len(rows) != 3 {
			t.Fatalf("Since(0) = %d rows, %v", len(rows), err)
		}
		if r := rows[1]; r.Kind != recmodel.Rate || r.Value != 4 || r.Subject != "u:usr_a" || r.ProductID != "prd_b" || !r.At.Equal(now.Add(-time.Minute)) {
			t.Errorf("row 2 = %+v", r)
		}
		if rows[0].Seq >= rows[1].Seq || rows[1].Seq >= rows[2].Seq {
			t.Errorf("seqs not growing: %d %d %d", rows[0].Seq, rows[1].Seq, rows[2].Seq)
		}
		// Within the horizon only.
		recent, err := s.Since(ctx, 0, now.Add(-59*time.Minute), 1000)
		if err != nil || len(recent) != 60 {
			t.Errorf("Since within the last hour = %d rows, %v; want 60", len(recent), err)
		}
		last, err := s.LastSeq(ctx)
		if err != nil || last < 20100 {
			t.Fatalf("LastSeq = %d, %v", last, err)
		}
		// An event's signals are applied once.
		ev := id.Make[id.Event]()
		paid := []recommend.Signal{{Subject: "u:usr_b", ProductID: "prd_x", Kind: recmodel.Purchase, At: now}}
		for range 2 {
			if err := s.ApplyOnce(ctx, "recommend", ev, paid); err != nil {
				t.Fatal(err)
			}
		}
		after, err := s.Since(ctx, last, time.Time{}, 10)
		if err != nil || len(after) != 1 || after[0].Kind != recmodel.Purchase {
			t.Fatalf("Since(last) after a twice-applied event = %+v, %v; want one purchase", after, err)
		}
		n, err := s.Purge(ctx, now.Add(-time.Hour))
		if err != nil || n != 20100-61 {
			t.Errorf("Purge = %d, %v; want %d", n, err, 20100-61)
		}
	})
}
