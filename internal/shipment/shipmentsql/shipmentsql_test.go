package shipmentsql_test

import (
	"context"
	"testing"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/shipment"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentsql"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmenttest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func open(t *testing.T, db *sqldb.DB) *shipmentsql.Store {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := shipmentsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := shipmentsql.Migrate(ctx, db); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	return shipmentsql.New(db)
}

// TestStore runs the contract suite on both engines, each part on a fresh
// database.
func TestStore(t *testing.T) {
	for name, fresh := range map[string]func(testing.TB) *sqldb.DB{"sqlite": sqldbtest.SQLite, "postgres": sqldbtest.Postgres} {
		t.Run(name, func(t *testing.T) {
			shipmenttest.StoreSuite(t, func(t *testing.T) (shipment.Store, *sqldb.DB) {
				db := fresh(t)
				return open(t, db), db
			})
		})
	}
}
