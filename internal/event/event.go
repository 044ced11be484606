// Package event is Bazaar's transactional outbox. A use case writes its rows
// and its events in one transaction (Publish); the Bus relays committed events
// to subscribers at least once, in order per aggregate, retrying failures with
// backoff. Consumers make delivery effectively-once by recording the event IDs
// they applied in the same transaction as their effect (SubscribeTx, Once).
//
// Tables: event_outbox (the log), event_applied (consumer, event_id).
// Topics are owned by the publishing module and versioned: "catalog.product.created.v1".
package event

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates the outbox tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	return db.Migrate(ctx, "event", mustSub(migrations, "migrations"))
}

// Event is one fact a module published.
type Event struct {
	ID        string          `json:"id"`
	Topic     string          `json:"topic"`
	Aggregate string          `json:"aggregate"` // the ID events are ordered by, e.g. a product ID
	Payload   json.RawMessage `json:"payload"`
	Time      time.Time       `json:"time"`
}

// Decode unmarshals the payload into v.
func (e Event) Decode(v any) error {
	if err := json.Unmarshal(e.Payload, v); err != nil {
		return fmt.Errorf("decode %s event %s: %w", e.Topic, e.ID, err)
	}
	return nil
}

// Publish records an event in tx; it is delivered only if tx commits.
func Publish(ctx context.Context, tx *sql.Tx, topic, aggregate string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", topic, err)
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO event_outbox (id, topic, aggregate, payload, created_at) VALUES ($1, $2, $3, $4, $5)`,
		id.New("evt"), topic, aggregate, string(b), sqldb.Micros(time.Now()))
	if err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

// Once records that consumer applied eventID, in tx. It returns false if the
// consumer had already applied it, in which case the caller skips its effect.
func Once(ctx context.Context, tx *sql.Tx, consumer, eventID string) (bool, error) {
	res, err := tx.ExecContext(ctx,
		`INSERT INTO event_applied (consumer, event_id, applied_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		consumer, eventID, sqldb.Micros(time.Now()))
	if err != nil {
		return false, fmt.Errorf("record event %s for %s: %w", eventID, consumer, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// Handler reacts to one event. It may be called more than once for the same
// event and must be idempotent.
type Handler func(ctx context.Context, e Event) error

// TxHandler applies an event's effect inside a transaction.
type TxHandler func(ctx context.Context, tx *sql.Tx, e Event) error

type subscription struct {
	consumer string
	handle   Handler
}

// Bus relays the outbox to in-process subscribers.
type Bus struct {
	db   *sqldb.DB
	log  *slog.Logger
	kick chan struct{}

	mu   sync.RWMutex
	subs map[string][]subscription

	// PollInterval is how often the relay looks for events when not kicked.
	PollInterval time.Duration
	// Retention is how long delivered events are kept before they are pruned.
	Retention time.Duration
}

// NewBus returns a bus over db's outbox. It kicks itself after every commit.
func NewBus(db *sqldb.DB, log *slog.Logger) *Bus {
	b := &Bus{
		db:           db,
		log:          log,
		kick:         make(chan struct{}, 1),
		subs:         make(map[string][]subscription),
		PollInterval: 250 * time.Millisecond,
		Retention:    7 * 24 * time.Hour,
	}
	db.OnCommit(b.Kick)
	return b
}

// Subscribe delivers every event of topic to h under the consumer's name.
func (b *Bus) Subscribe(consumer, topic string, h Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[topic] = append(b.subs[topic], subscription{consumer: consumer, handle: h})
}

// SubscribeTx delivers every event of topic to h inside a transaction that
// also records the event as applied, so h's effect happens exactly once.
func (b *Bus) SubscribeTx(consumer, topic string, h TxHandler) {
	b.Subscribe(consumer, topic, func(ctx context.Context, e Event) error {
		return b.db.Tx(ctx, func(tx *sql.Tx) error {
			first, err := Once(ctx, tx, consumer, e.ID)
			if err != nil || !first {
				return err
			}
			return h(ctx, tx, e)
		})
	})
}

// Kick wakes the relay to deliver new events now.
func (b *Bus) Kick() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// Run relays events until ctx ends.
func (b *Bus) Run(ctx context.Context) error {
	t := time.NewTicker(b.PollInterval)
	defer t.Stop()
	lastPrune := time.Time{}
	for {
		for {
			n, err := b.deliver(ctx)
			if err != nil && ctx.Err() == nil {
				b.log.Error("event relay", "err", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		if time.Since(lastPrune) > time.Hour {
			b.prune(ctx)
			lastPrune = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-b.kick:
		case <-t.C:
		}
	}
}

// Drain delivers until nothing is ready (tests and graceful shutdown). It
// returns the number of events still pending, including ones waiting for a
// retry.
func (b *Bus) Drain(ctx context.Context) (int, error) {
	for {
		n, err := b.deliver(ctx)
		if err != nil {
			return 0, err
		}
		if n == 0 {
			break
		}
	}
	var pending int
	err := b.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM event_outbox WHERE published_at IS NULL`).Scan(&pending)
	return pending, err
}

const batchSize = 200

// deliver relays one batch and returns how many events it delivered.
func (b *Bus) deliver(ctx context.Context) (int, error) {
	now := time.Now()
	rows, err := b.db.Read().QueryContext(ctx, `
		SELECT seq, id, topic, aggregate, payload, created_at, attempts FROM event_outbox
		WHERE published_at IS NULL AND next_attempt_at <= $1 ORDER BY seq LIMIT $2`,
		sqldb.Micros(now), batchSize)
	if err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	type row struct {
		seq      int64
		e        Event
		attempts int
	}
	var batch []row
	for rows.Next() {
		var r row
		var payload string
		var created int64
		if err := rows.Scan(&r.seq, &r.e.ID, &r.e.Topic, &r.e.Aggregate, &payload, &created, &r.attempts); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read outbox: %w", err)
		}
		r.e.Payload = json.RawMessage(payload)
		r.e.Time = sqldb.Time(created)
		batch = append(batch, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}

	// An aggregate with an earlier event waiting for its retry is blocked,
	// and so is one whose event fails in this batch: later events of an
	// aggregate never overtake an earlier one.
	waiting, err := b.waiting(ctx, now)
	if err != nil {
		return 0, err
	}
	blocked := make(map[string]bool)
	delivered := 0
	for _, r := range batch {
		if ctx.Err() != nil {
			return delivered, nil
		}
		if first, ok := waiting[r.e.Aggregate]; blocked[r.e.Aggregate] || ok && first < r.seq {
			continue
		}
		if err := b.dispatch(ctx, r.e); err != nil {
			blocked[r.e.Aggregate] = true
			backoff := min(time.Duration(1<<min(r.attempts, 10))*100*time.Millisecond, 5*time.Minute)
			b.log.Warn("event delivery failed; will retry", "event", r.e.ID, "topic", r.e.Topic, "attempt", r.attempts+1, "retry_in", backoff, "err", err)
			if err := b.db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE event_outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE seq = $3`,
					sqldb.Micros(time.Now().Add(backoff)), truncate(err.Error(), 500), r.seq)
				return err
			}); err != nil {
				return delivered, fmt.Errorf("record failed delivery: %w", err)
			}
			continue
		}
		if err := b.markPublished(ctx, r.seq); err != nil {
			return delivered, err
		}
		delivered++
	}
	return delivered, nil
}

// waiting returns, per aggregate, the first undelivered event that is
// waiting for a retry.
func (b *Bus) waiting(ctx context.Context, now time.Time) (map[string]int64, error) {
	rows, err := b.db.Read().QueryContext(ctx, `
		SELECT aggregate, MIN(seq) FROM event_outbox
		WHERE published_at IS NULL AND next_attempt_at > $1 GROUP BY aggregate`, sqldb.Micros(now))
	if err != nil {
		return nil, fmt.Errorf("read outbox retries: %w", err)
	}
	defer rows.Close()
	m := make(map[string]int64)
	for rows.Next() {
		var agg string
		var seq int64
		if err := rows.Scan(&agg, &seq); err != nil {
			return nil, fmt.Errorf("read outbox retries: %w", err)
		}
		m[agg] = seq
	}
	return m, rows.Err()
}

func (b *Bus) markPublished(ctx context.Context, seq int64) error {
	// The commit hook would kick the relay for its own bookkeeping; write
	// directly instead of through Tx.
	_, err := b.db.Exec(ctx, `UPDATE event_outbox SET published_at = $1 WHERE seq = $2`, sqldb.Micros(time.Now()), seq)
	if err != nil {
		return fmt.Errorf("mark event delivered: %w", err)
	}
	return nil
}

func (b *Bus) dispatch(ctx context.Context, e Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	b.mu.RLock()
	subs := b.subs[e.Topic]
	b.mu.RUnlock()
	for _, s := range subs {
		if err := s.handle(ctx, e); err != nil {
			return fmt.Errorf("%s: %w", s.consumer, err)
		}
	}
	return nil
}

func (b *Bus) prune(ctx context.Context) {
	cutoff := sqldb.Micros(time.Now().Add(-b.Retention))
	if _, err := b.db.Exec(ctx, `DELETE FROM event_outbox WHERE published_at IS NOT NULL AND published_at < $1`, cutoff); err != nil {
		b.log.Warn("prune outbox", "err", err)
	}
	// Applied-event records outlive the events by far, so a redelivery
	// can never find its record gone.
	cutoff = sqldb.Micros(time.Now().Add(-4 * b.Retention))
	if _, err := b.db.Exec(ctx, `DELETE FROM event_applied WHERE applied_at < $1`, cutoff); err != nil {
		b.log.Warn("prune applied events", "err", err)
	}
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
