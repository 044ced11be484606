package event_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/lease"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

var admin = auth.With(context.Background(), auth.Principal{UserID: "usr_admin", Role: auth.Admin})

// A consumer whose handler keeps failing neither delays nor re-runs the
// other consumers; its event is dead-lettered after MaxAttempts and applied
// when an admin replays it.
func TestFailingConsumerIsolatedDeadLetteredReplayed(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		bus := event.NewBus(db, quiet, event.WithMaxAttempts(2))
		bus.PollInterval = 10 * time.Millisecond
		var mu sync.Mutex
		healthy := map[id.Event]int{} // event ID -> deliveries
		var broken atomic.Bool
		broken.Store(true)
		var brokenCalls, brokenApplied atomic.Int64
		bus.Subscribe("healthy", "thing.happened.v1", func(ctx context.Context, e event.Event) error {
			mu.Lock()
			defer mu.Unlock()
			healthy[e.ID]++
			return nil
		})
		bus.Subscribe("broken", "thing.happened.v1", func(ctx context.Context, e event.Event) error {
			brokenCalls.Add(1)
			if broken.Load() && e.Aggregate == "poison" {
				return errors.New("cannot handle this one")
			}
			brokenApplied.Add(1)
			return nil
		})
		rctx, stop := context.WithCancel(ctx)
		defer stop()
		go func() { _ = bus.Run(rctx) }()

		publish(t, db, "thing.happened.v1", "poison", map[string]int{"n": 1})
		for i := range 20 {
			publish(t, db, "thing.happened.v1", fmt.Sprint("ok", i), map[string]int{"n": i})
		}
		publish(t, db, "thing.happened.v1", "poison", map[string]int{"n": 2}) // waits behind poison 1 for "broken"
		// The healthy consumer gets all 22 at once, exactly once each,
		// while the broken one is still retrying its first event.
		waitFor(t, 3*time.Second, "healthy consumer to get every event", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(healthy) == 22
		})
		// The broken consumer applies the 20 others while poison 1 waits
		// for its retry (and poison 2 behind it).
		waitFor(t, 3*time.Second, "the broken consumer to apply the other aggregates' events", func() bool { return brokenApplied.Load() == 20 })
		waitFor(t, 10*time.Second, "poison event to be dead-lettered", func() bool {
			p, err := event.NewConsole(bus).DeadLetters(admin, event.DeadFilter{})
			return err == nil && len(p.Items) == 2
		})
		mu.Lock()
		for id, n := range healthy {
			if n != 1 {
				t.Errorf("healthy consumer got event %s %d times, want 1", id, n)
			}
		}
		mu.Unlock()

		console := event.NewConsole(bus)
		if _, err := console.DeadLetters(auth.With(ctx, auth.Principal{UserID: "usr_c", Role: auth.Customer}), event.DeadFilter{}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("DeadLetters as a customer: err = %v, want Forbidden", err)
		}
		page, err := console.DeadLetters(admin, event.DeadFilter{Consumer: "broken", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.NextCursor == "" {
			t.Fatalf("first page = %+v, want one letter and a cursor", page)
		}
		d := page.Items[0]
		if d.Consumer != "broken" || d.Aggregate != "poison" || d.Attempts != 2 || d.LastError != "cannot handle this one" {
			t.Errorf("dead letter = %+v, want broken's poison event after 2 attempts with its error", d)
		}
		if _, err := console.Replay(admin, "dlv_missing"); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("Replay(missing) err = %v, want NotFound", err)
		}
		broken.Store(false)
		replayed, err := console.Replay(admin, d.ID)
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		if replayed.Attempts != 2 || replayed.DeadAt.IsZero() || replayed.EventID != d.EventID {
			t.Errorf("Replay returned %+v, want the letter as it was (2 attempts, its dead_at)", replayed)
		}
		if _, err := console.Replay(admin, d.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("Replay twice: err = %v, want NotFound (no longer dead)", err)
		}
		rest, _ := console.DeadLetters(admin, event.DeadFilter{After: page.NextCursor})
		if _, err := console.Replay(admin, rest.Items[0].ID); err != nil {
			t.Fatalf("Replay: %v", err)
		}
		waitFor(t, 5*time.Second, "replayed events to be applied", func() bool { return brokenApplied.Load() == 22 })
		if p, _ := console.DeadLetters(admin, event.DeadFilter{}); len(p.Items) != 0 {
			t.Errorf("dead letters after replay = %d, want 0", len(p.Items))
		}
		if n, _ := bus.Pending(ctx); n != 0 {
			t.Errorf("pending after replay = %d, want 0", n)
		}
	})
}

// Several processes on one database, each with its own relay under the
// relay's lease and one shared broker: every event reaches each consumer
// exactly once and in order per aggregate.
func TestRelaysInSeveralProcessesDeliverOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := lease.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		broker := event.NewLocal()
		var mu sync.Mutex
		seen := map[id.Event]int{}
		last := map[string]int{}
		outOfOrder := 0
		for p := range 3 {
			l := lease.New(db, fmt.Sprint("proc", p), quiet)
			// Long enough that a loaded machine (the race detector, other
			// tests) renews in time: on SQLite the lease alone keeps a
			// second relay out, and a lease lost to a stalled renewal
			// means an event handed over twice (consumers apply it once).
			l.TTL = 2 * time.Second
			bus := event.NewBus(db, quiet, event.WithBroker(broker), event.WithLeases(l))
			bus.PollInterval = 5 * time.Millisecond
			bus.Subscribe("counter", "thing.happened.v1", func(ctx context.Context, e event.Event) error {
				var v struct{ N int }
				if err := e.Decode(&v); err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				seen[e.ID]++
				if v.N <= last[e.Aggregate] {
					outOfOrder++
				}
				last[e.Aggregate] = v.N
				return nil
			})
			go func() { _ = bus.Run(ctx) }()
		}
		const total = 300
		var wg sync.WaitGroup
		for w := range 3 {
			wg.Go(func() {
				for i := 1; i <= total/3; i++ {
					publish(t, db, "thing.happened.v1", fmt.Sprint("agg", w), map[string]int{"n": i})
				}
			})
		}
		wg.Wait()
		waitFor(t, 10*time.Second, "every event delivered", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(seen) == total
		})
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		for id, n := range seen {
			if n != 1 {
				t.Errorf("event %s delivered %d times, want once", id, n)
			}
		}
		if outOfOrder != 0 {
			t.Errorf("%d events arrived before an earlier event of their aggregate", outOfOrder)
		}
	})
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
