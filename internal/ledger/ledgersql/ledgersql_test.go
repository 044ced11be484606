package ledgersql_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/ledger/ledgersql"
	"github.com/bazaar-market/bazaar/internal/ledger/ledgertest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// open returns a fresh store on a fresh database of the engine fresh makes,
// migrated twice (the second must change nothing).
func open(fresh func(testing.TB) *sqldb.DB) ledgertest.Open {
	return func(t *testing.T) ledger.Store {
		db := fresh(t)
		for range 2 {
			if err := ledgersql.Migrate(context.Background(), db); err != nil {
				t.Fatal(err)
			}
		}
		return ledgersql.New(db)
	}
}

var engines = map[string]func(testing.TB) *sqldb.DB{"sqlite": sqldbtest.SQLite, "postgres": sqldbtest.Postgres}

// TestStore runs the ledger scenarios on both engines, each on a fresh
// database.
func TestStore(t *testing.T) {
	for name, fresh := range engines {
		t.Run(name, func(t *testing.T) { ledgertest.Suite(t, open(fresh)) })
	}
}

// TestProperty runs more seeds of the random operations on both engines.
func TestProperty(t *testing.T) {
	seeds := 2
	if testing.Short() {
		seeds = 1
	}
	for name, fresh := range engines {
		t.Run(name, func(t *testing.T) {
			for seed := range uint64(seeds) {
				ledgertest.Property(t, ledgertest.NewEnv(open(fresh)(t)), 100+seed, 150)
			}
		})
	}
}

// TestPayoutEvents: payout status changes go to the outbox in the
// transaction that makes them, on both engines.
func TestPayoutEvents(t *testing.T) {
	for name, fresh := range engines {
		t.Run(name, func(t *testing.T) {
			db := fresh(t)
			if err := ledgersql.Migrate(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			ledgertest.PayoutEvents(t, ledgertest.NewEnv(ledgersql.New(db)), func(t *testing.T) []ledger.PayoutStatusChanged {
				rows, err := db.Read().Query(`SELECT payload FROM event_outbox WHERE topic = $1 ORDER BY seq`, ledger.TopicPayoutStatusChanged.Name())
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var out []ledger.PayoutStatusChanged
				for rows.Next() {
					var raw string
					var ev ledger.PayoutStatusChanged
					if err := rows.Scan(&raw); err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal([]byte(raw), &ev); err != nil {
						t.Fatal(err)
					}
					out = append(out, ev)
				}
				return out
			})
		})
	}
}
