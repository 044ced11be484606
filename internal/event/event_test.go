package event_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func setup(t *testing.T, db *sqldb.DB) *event.Bus {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatalf("Migrate (second time): %v", err)
	}
	if _, err := db.Exec(ctx, `CREATE TABLE counter (name TEXT PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
		t.Fatalf("create counter: %v", err)
	}
	return event.NewBus(db, quiet)
}

func publish(t *testing.T, db *sqldb.DB, topic, agg string, payload any) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		return event.PublishRaw(context.Background(), tx, topic, agg, payload)
	})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
}

func TestDeliveryIsOrderedPerAggregateAndRetried(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		bus := setup(t, db)
		var mu sync.Mutex
		got := map[string][]int{}
		failOnce := map[int]bool{2: true} // event 2 of aggregate "a" fails the first time
		bus.Subscribe("test", "thing.happened.v1", func(ctx context.Context, e event.Event) error {
			var p struct {
				N int `json:"n"`
			}
			if err := e.Decode(&p); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if e.Aggregate == "a" && failOnce[p.N] {
				delete(failOnce, p.N)
				return errors.New("transient")
			}
			got[e.Aggregate] = append(got[e.Aggregate], p.N)
			return nil
		})
		for i := 1; i <= 4; i++ {
			publish(t, db, "thing.happened.v1", "a", map[string]int{"n": i})
			publish(t, db, "thing.happened.v1", "b", map[string]int{"n": i})
		}
		// A rolled-back transaction publishes nothing.
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			_ = event.PublishRaw(ctx, tx, "thing.happened.v1", "a", map[string]int{"n": 99})
			return errors.New("abort")
		})
		pending, err := bus.Drain(ctx)
		if err != nil {
			t.Fatalf("Drain: %v", err)
		}
		// "a" is blocked at event 2 until its retry time; "b" went on.
		if pending != 3 {
			t.Errorf("pending after first drain = %d, want 3 (a2, a3, a4)", pending)
		}
		if diff := cmp.Diff(map[string][]int{"a": {1}, "b": {1, 2, 3, 4}}, got); diff != "" {
			t.Errorf("delivered after first drain (-want +got):\n%s", diff)
		}
		deadline := time.Now().Add(5 * time.Second)
		for pending > 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			if pending, err = bus.Drain(ctx); err != nil {
				t.Fatalf("Drain: %v", err)
			}
		}
		if diff := cmp.Diff(map[string][]int{"a": {1, 2, 3, 4}, "b": {1, 2, 3, 4}}, got); diff != "" {
			t.Errorf("delivered in the end (-want +got):\n%s", diff)
		}
	})
}

func TestApplyOnceInTheConsumersStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		bus := setup(t, db)
		calls := 0
		// The consumer's store records the event in the transaction of its
		// effect.
		bus.Subscribe("counter", "thing.happened.v1", func(ctx context.Context, e event.Event) error {
			return db.Tx(ctx, func(tx *sql.Tx) error {
				first, err := event.ApplyOnce(ctx, tx, "counter", e.ID)
				if err != nil || !first {
					return err
				}
				calls++
				_, err = tx.ExecContext(ctx, `INSERT INTO counter (name, n) VALUES ('c', 1) ON CONFLICT (name) DO UPDATE SET n = counter.n + 1`)
				return err
			})
		})
		publish(t, db, "thing.happened.v1", "x", map[string]int{"n": 1})
		if _, err := bus.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		// Simulate a redelivery (a crash after the effect but before the
		// event was marked relayed): the consumer must skip it.
		if _, err := db.Exec(ctx, `UPDATE event_outbox SET published_at = NULL`); err != nil {
			t.Fatal(err)
		}
		if _, err := bus.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.Read().QueryRow(`SELECT n FROM counter WHERE name = 'c'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 || calls != 1 {
			t.Errorf("after redelivery: counter = %d, effect applied %d times; want 1 and 1", n, calls)
		}
	})
}

func TestRunDeliversPromptlyAfterCommit(t *testing.T) {
	db := sqldbtest.SQLite(t)
	bus := setup(t, db)
	bus.PollInterval = time.Hour // only the commit kick can wake it
	got := make(chan string, 1)
	bus.Subscribe("test", "thing.happened.v1", func(ctx context.Context, e event.Event) error {
		got <- e.Aggregate
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { _ = bus.Run(ctx); close(done) }()
	time.Sleep(20 * time.Millisecond) // let Run do its first pass
	publish(t, db, "thing.happened.v1", "prompt", map[string]int{})
	select {
	case a := <-got:
		if a != "prompt" {
			t.Errorf("delivered aggregate %q, want prompt", a)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("event not delivered within 3s of commit")
	}
	cancel()
	<-done
}

// The crash test runs this test binary as a child process that publishes and
// consumes events, kills it with SIGKILL mid-way several times, and finally
// checks that every published event was applied exactly once.
const crashEnv = "BAZAAR_EVENT_CRASH_CHILD"

func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process for TestKill9LosesNothing")
	}
	db, err := sqldb.Open(context.Background(), "sqlite:"+path, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	_, _ = db.Exec(ctx, `CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, n INTEGER NOT NULL)`)
	_, _ = db.Exec(ctx, `CREATE TABLE IF NOT EXISTS produced (k INTEGER PRIMARY KEY)`)
	bus := event.NewBus(db, quiet)
	bus.PollInterval = 5 * time.Millisecond
	bus.Subscribe("counter", "crash.tick.v1", func(ctx context.Context, e event.Event) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			if first, err := event.ApplyOnce(ctx, tx, "counter", e.ID); err != nil || !first {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO counter (name, n) VALUES ('ticks', 1) ON CONFLICT (name) DO UPDATE SET n = counter.n + 1`)
			return err
		})
	})
	go func() { _ = bus.Run(ctx) }()
	total, _ := strconv.Atoi(os.Getenv("BAZAAR_EVENT_CRASH_TOTAL"))
	for {
		var k int
		_ = db.Read().QueryRow(`SELECT COALESCE(MAX(k), 0) FROM produced`).Scan(&k)
		if k >= total {
			break
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO produced (k) VALUES ($1)`, k+1); err != nil {
				return err
			}
			return event.PublishRaw(ctx, tx, "crash.tick.v1", fmt.Sprint("agg", k%7), map[string]int{"k": k + 1})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for {
		if n, err := bus.Drain(ctx); err == nil && n == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("CHILD DONE")
}

func TestKill9LosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	const total = 3000
	run := func(killAfter time.Duration) (finished bool) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
		cmd.Env = append(os.Environ(), crashEnv+"="+path, "BAZAAR_EVENT_CRASH_TOTAL="+strconv.Itoa(total))
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if killAfter > 0 {
			select {
			case <-done:
				return true
			case <-time.After(killAfter):
				_ = cmd.Process.Signal(syscall.SIGKILL)
				<-done
				return false
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("child failed: %v\n%s", err, out.String())
		}
		return true
	}
	kills := 0
	for _, d := range []time.Duration{150 * time.Millisecond, 250 * time.Millisecond, 350 * time.Millisecond, 450 * time.Millisecond} {
		if run(d) {
			break
		}
		kills++
	}
	run(0)
	if kills == 0 {
		t.Fatal("the child finished before any kill: nothing was tested; raise total")
	}
	t.Logf("child killed %d times", kills)

	db, err := sqldb.Open(context.Background(), "sqlite:"+path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var produced, ticks, applied, unpublished int
	q := db.Read()
	_ = q.QueryRow(`SELECT COUNT(*) FROM produced`).Scan(&produced)
	_ = q.QueryRow(`SELECT COALESCE(MAX(n), 0) FROM counter WHERE name = 'ticks'`).Scan(&ticks)
	_ = q.QueryRow(`SELECT COUNT(*) FROM event_applied WHERE consumer = 'counter'`).Scan(&applied)
	_ = q.QueryRow(`SELECT COUNT(*) FROM event_outbox WHERE published_at IS NULL`).Scan(&unpublished)
	if produced != total || ticks != total || applied != total || unpublished != 0 {
		t.Errorf("after %d kills: produced %d, applied effect %d times, %d applied records, %d undelivered; want %d, %d, %d, 0",
			kills, produced, ticks, applied, unpublished, total, total, total)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}
