package supportsql_test

import (
	"context"
	"testing"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
	"github.com/bazaar-market/bazaar/internal/support"
	"github.com/bazaar-market/bazaar/internal/support/supportsql"
	"github.com/bazaar-market/bazaar/internal/support/supporttest"
)

// TestStore runs the support scenarios on both engines, each on a fresh
// database.
func TestStore(t *testing.T) {
	for name, fresh := range map[string]func(testing.TB) *sqldb.DB{"sqlite": sqldbtest.SQLite, "postgres": sqldbtest.Postgres} {
		t.Run(name, func(t *testing.T) {
			supporttest.Suite(t, func(t *testing.T) (support.Store, *sqldb.DB) {
				db := fresh(t)
				ctx := context.Background()
				for _, m := range []func(context.Context, *sqldb.DB) error{event.Migrate, supportsql.Migrate, supportsql.Migrate} {
					if err := m(ctx, db); err != nil {
						t.Fatal(err)
					}
				}
				return supportsql.New(db), db
			})
		})
	}
}
