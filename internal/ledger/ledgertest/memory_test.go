package ledgertest_test

import (
	"testing"

	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/ledger/ledgertest"
)

// TestMemory runs the scenarios on the in-memory store, so the fake the
// door's tests may use behaves as the SQL store does.
func TestMemory(t *testing.T) {
	ledgertest.Suite(t, func(*testing.T) ledger.Store { return ledgertest.NewMemory() })
}

// TestProperty runs the random operations on the in-memory store with many
// seeds.
func TestProperty(t *testing.T) {
	seeds, steps := 16, 300
	if testing.Short() {
		seeds = 5
	}
	for seed := range uint64(seeds) {
		ledgertest.Property(t, ledgertest.NewEnv(ledgertest.NewMemory()), seed+1, steps)
	}
}

// TestPayoutEvents: payout status changes publish their event on the
// in-memory store.
func TestPayoutEvents(t *testing.T) {
	m := ledgertest.NewMemory()
	ledgertest.PayoutEvents(t, ledgertest.NewEnv(m), ledgertest.MemoryPayoutStatuses(m))
}
