package lease_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/lease"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestAcquire(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := lease.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		a, b := lease.New(db, "a", quiet), lease.New(db, "b", quiet)
		steps := []struct {
			who  *lease.Leases
			ttl  time.Duration
			want bool
		}{
			{a, time.Hour, true},    // free: a takes it
			{a, time.Hour, true},    // a renews
			{b, time.Hour, false},   // held by a
			{a, -time.Second, true}, // a renews into the past: expired
			{b, time.Hour, true},    // b takes the expired lease
			{a, time.Hour, false},   // held by b
		}
		for i, s := range steps {
			got, err := s.who.Acquire(ctx, "job", s.ttl)
			if err != nil {
				t.Fatal(err)
			}
			if got != s.want {
				t.Errorf("step %d: %s.Acquire = %v, want %v", i, s.who.Holder(), got, s.want)
			}
		}
		if h, _ := a.HolderOf(ctx, "job"); h != "b" {
			t.Errorf("HolderOf = %q, want b", h)
		}
		if err := b.Release(ctx, "job"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := a.Acquire(ctx, "job", time.Hour); !ok {
			t.Errorf("a could not take a released lease")
		}
	})
}

// TestRunOneAtATime runs one job from three "processes" that come and go:
// at no moment do two run it, and it keeps running while any of them is up.
func TestRunOneAtATime(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := lease.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		var running, overlaps, ticks atomic.Int64
		job := func(ctx context.Context) {
			if running.Add(1) > 1 {
				overlaps.Add(1)
			}
			defer running.Add(-1)
			for ctx.Err() == nil {
				ticks.Add(1)
				time.Sleep(2 * time.Millisecond)
			}
		}
		var wg sync.WaitGroup
		stops := make([]context.CancelFunc, 3)
		for i := range stops {
			l := lease.New(db, string(rune('a'+i)), quiet)
			l.TTL = 300 * time.Millisecond
			pctx, stop := context.WithCancel(ctx)
			stops[i] = stop
			wg.Go(func() { l.Run(pctx, "sweeper", job) })
		}
		time.Sleep(400 * time.Millisecond)
		// Stop the processes one by one; the job moves to a survivor.
		for i := range 2 {
			stops[i]()
			before := ticks.Load()
			time.Sleep(700 * time.Millisecond)
			if ticks.Load() == before {
				t.Errorf("after stopping process %d the job did not run anywhere", i)
			}
		}
		stops[2]()
		wg.Wait()
		if n := overlaps.Load(); n != 0 {
			t.Errorf("the job ran in two processes at once %d times", n)
		}
	})
}
