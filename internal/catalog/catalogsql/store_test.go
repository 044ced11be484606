package catalogsql_test

import (
	"context"
	"testing"

	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogtest"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := catalogsql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		// Migrating twice is a no-op.
		if err := catalogsql.Migrate(ctx, db); err != nil {
			t.Fatalf("second Migrate = %v", err)
		}
		catalogtest.StoreSuite(t, func(t *testing.T) catalogtest.Backend {
			clean(t, db)
			return catalogtest.Backend{Store: catalogsql.New(db), Published: func(t *testing.T) []string { return Published(t, db) }}
		})
	})
}

// clean empties the tables so each part of the suite starts fresh.
func clean(t *testing.T, db *sqldb.DB) {
	t.Helper()
	for _, tbl := range []string{"catalog_images", "catalog_variants", "catalog_products", "catalog_categories", "event_outbox"} {
		if _, err := db.Exec(context.Background(), "DELETE FROM "+tbl); err != nil {
			t.Fatal(err)
		}
	}
}

// Published lists "topic aggregate" of every outbox row in order.
func Published(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	rows, err := db.Read().Query(`SELECT topic, aggregate FROM event_outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var topic, agg string
		if err := rows.Scan(&topic, &agg); err != nil {
			t.Fatal(err)
		}
		out = append(out, topic+" "+agg)
	}
	return out
}
