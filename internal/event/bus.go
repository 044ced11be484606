package event

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/lease"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Defaults of a Bus.
const (
	DefaultMaxAttempts = 10
	relayLease         = "event.relay"
	// drainTopic marks a point in every group's stream (Drain with a real
	// broker): a group that sees it has handled everything before it.
	drainTopic = "event.drain.v1"
)

// Option configures a Bus.
type Option func(*Bus)

// WithBroker relays events through b instead of delivering them in
// process.
func WithBroker(b Broker) Option { return func(bus *Bus) { bus.broker = b } }

// WithLeases relays only while this process holds the relay's lease, so
// several processes on one database relay each event once, in order.
// Without it the Bus relays whenever it runs (one process).
func WithLeases(l *lease.Leases) Option { return func(bus *Bus) { bus.leases = l } }

// WithMaxAttempts dead-letters an event after n failed attempts.
func WithMaxAttempts(n int) Option { return func(bus *Bus) { bus.maxAttempts = n } }

// Bus relays db's outbox to a broker and delivers the broker's events to
// this process's consumers. It implements Subscriber.
type Bus struct {
	db          *sqldb.DB
	log         *slog.Logger
	broker      Broker
	leases      *lease.Leases
	maxAttempts int
	kick        chan struct{}
	retryKick   chan struct{}
	// relayMu makes this process's relays take turns: Drain may run while
	// Run relays (a server seeding its demo data as it serves), and on
	// SQLite two relays at once would hand the same events over twice.
	relayMu sync.Mutex

	mu        sync.Mutex
	consumers map[string]*consumer
	started   bool
	startErr  error
	stop      context.CancelFunc           // ends the consumers Start set up
	running   context.Context              // the consumers' context, once started
	markers   map[id.Event]map[string]bool // drain marker ID -> groups that saw it
	markerC   *sync.Cond
	// waits says, per consumer, whether it may have events waiting in
	// event_retry (absent: unknown). Kept only with the in-process broker,
	// where this process is the consumers' only member: it spares handle
	// a query per batch while nothing waits.
	waits map[string]bool

	// PollInterval is how often the relay and the retry worker look for
	// work when not kicked.
	PollInterval time.Duration
	// Retention is how long relayed events are kept before they are pruned.
	Retention time.Duration
	// BatchSize is how many events the relay hands the broker at once.
	BatchSize int
}

var _ Subscriber = (*Bus)(nil)

// NewBus returns a bus over db's outbox. It kicks itself after every commit.
func NewBus(db *sqldb.DB, log *slog.Logger, opts ...Option) *Bus {
	b := &Bus{
		db:           db,
		log:          log,
		maxAttempts:  DefaultMaxAttempts,
		kick:         make(chan struct{}, 1),
		retryKick:    make(chan struct{}, 1),
		consumers:    make(map[string]*consumer),
		markers:      make(map[id.Event]map[string]bool),
		waits:        make(map[string]bool),
		PollInterval: 250 * time.Millisecond,
		Retention:    7 * 24 * time.Hour,
		BatchSize:    200,
	}
	b.markerC = sync.NewCond(&b.mu)
	for _, o := range opts {
		o(b)
	}
	if b.broker == nil {
		b.broker = NewLocal()
	}
	db.OnCommit(b.Kick)
	return b
}

// Broker returns the broker the bus relays to.
func (b *Bus) Broker() Broker { return b.broker }

// consumer is one consumer's handlers in this process.
type consumer struct {
	name     string
	mu       sync.RWMutex
	handlers map[string]Handler
}

func (c *consumer) handler(topic string) Handler {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.handlers[topic]
}

// Subscribe delivers every event of topic to h under the consumer's name
// (see Subscriber). Consumers subscribe before the bus starts (Run, Drain);
// a topic added to a running consumer reaches it only with the in-process
// broker.
func (b *Bus) Subscribe(consumer, topic string, h Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.consumers[consumer]
	if c == nil {
		c = newConsumer(consumer)
		b.consumers[consumer] = c
		if b.started {
			// A consumer that arrives late starts on its own.
			if err := b.consume(b.running, c, []string{topic}); err != nil {
				b.log.Error("start consumer", "consumer", consumer, "err", err)
			}
		}
	}
	c.mu.Lock()
	c.handlers[topic] = h
	c.mu.Unlock()
}

func newConsumer(name string) *consumer {
	return &consumer{name: name, handlers: map[string]Handler{}}
}

// Start sets up every subscribed consumer on the broker. Run and Drain call
// it; it runs once.
func (b *Bus) Start(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		return b.startErr
	}
	b.started = true
	ctx, b.stop = context.WithCancel(ctx)
	b.running = ctx
	names := make([]string, 0, len(b.consumers))
	for n := range b.consumers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := b.consumers[n]
		c.mu.RLock()
		topics := make([]string, 0, len(c.handlers))
		for t := range c.handlers {
			topics = append(topics, t)
		}
		c.mu.RUnlock()
		sort.Strings(topics)
		if err := b.consume(ctx, c, topics); err != nil {
			b.startErr = err
			return err
		}
	}
	return nil
}

// Close stops the consumers Start set up (Run stops them when its ctx
// ends; a bus only drained, as in tests, needs Close). It does not close
// the broker.
func (b *Bus) Close() {
	b.mu.Lock()
	stop := b.stop
	b.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// consume subscribes c to the broker (b.mu held).
func (b *Bus) consume(ctx context.Context, c *consumer, topics []string) error {
	topics = append(topics, drainTopic)
	if err := b.broker.Consume(ctx, c.name, topics, func(ctx context.Context, batch []Event) error {
		return b.handle(ctx, c, batch)
	}); err != nil {
		return fmt.Errorf("consume events as %s: %w", c.name, err)
	}
	return nil
}

// Kick wakes the relay to deliver new events now.
func (b *Bus) Kick() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

func (b *Bus) kickRetries() {
	select {
	case b.retryKick <- struct{}{}:
	default:
	}
}

// Run starts the consumers, relays events (under the relay's lease, when
// the bus has leases) and retries parked events until ctx ends.
func (b *Bus) Run(ctx context.Context) error {
	if err := b.Start(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Go(func() { b.runRetries(ctx) })
	if b.leases != nil {
		b.leases.Run(ctx, relayLease, b.runRelay)
	} else {
		b.runRelay(ctx)
	}
	wg.Wait()
	return nil
}

// runRelay relays until ctx ends.
func (b *Bus) runRelay(ctx context.Context) {
	t := time.NewTicker(b.PollInterval)
	defer t.Stop()
	lastPrune := time.Time{}
	failures := 0
	for {
		for {
			n, err := b.relay(ctx)
			if err != nil && ctx.Err() == nil {
				failures++
				backoff := min(time.Duration(1<<min(failures, 8))*50*time.Millisecond, 10*time.Second)
				b.log.Error("event relay", "err", err, "retry_in", backoff)
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				break
			}
			failures = 0
			if n == 0 {
				break
			}
		}
		if time.Since(lastPrune) > time.Hour {
			b.prune(ctx)
			lastPrune = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-b.kick:
		case <-t.C:
		}
	}
}

// relay hands one batch of committed, unrelayed events to the broker, in
// outbox order, and marks them relayed. On PostgreSQL the rows are claimed
// (FOR UPDATE SKIP LOCKED) for the whole hand-over, so even two relays that
// both think they hold the lease never hand over the same event twice.
func (b *Bus) relay(ctx context.Context) (int, error) {
	b.relayMu.Lock()
	defer b.relayMu.Unlock()
	if b.db.Dialect == sqldb.Postgres {
		n := 0
		err := b.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			n, err = b.relayIn(ctx, tx, ` FOR UPDATE SKIP LOCKED`)
			return err
		})
		return n, err
	}
	// SQLite has one writer: the broker's handlers write too, so the rows
	// are read, handed over and marked outside a transaction (the relay's
	// lease keeps other processes out).
	return b.relayIn(ctx, nil, "")
}

func (b *Bus) relayIn(ctx context.Context, tx *sql.Tx, lock string) (int, error) {
	var q sqldb.Querier = b.db.Read()
	if tx != nil {
		q = tx
	}
	rows, err := q.QueryContext(ctx, `
		SELECT seq, id, topic, aggregate, payload, created_at FROM event_outbox
		WHERE published_at IS NULL ORDER BY seq LIMIT $1`+lock, b.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	var seqs []int64
	var batch []Event
	for rows.Next() {
		var seq, created int64
		var e Event
		var payload string
		if err := rows.Scan(&seq, &e.ID, &e.Topic, &e.Aggregate, &payload, &created); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read outbox: %w", err)
		}
		e.Payload, e.Time = json.RawMessage(payload), sqldb.Time(created)
		seqs, batch = append(seqs, seq), append(batch, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	if len(batch) == 0 {
		return 0, nil
	}
	if err := b.broker.Publish(ctx, batch); err != nil {
		return 0, fmt.Errorf("hand %d events to the broker: %w", len(batch), err)
	}
	// The commit hook would kick the relay for its own bookkeeping; write
	// directly instead of through Tx.
	var exec func(ctx context.Context, q string, args ...any) (sql.Result, error) = b.db.Exec
	if tx != nil {
		exec = tx.ExecContext
	}
	now := sqldb.Micros(time.Now())
	for start := 0; start < len(seqs); start += 500 {
		part := seqs[start:min(start+500, len(seqs))]
		args := []any{now}
		marks := make([]string, len(part))
		for i, s := range part {
			args = append(args, s)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		if _, err := exec(ctx, `UPDATE event_outbox SET published_at = $1 WHERE seq IN (`+strings.Join(marks, ",")+`)`, args...); err != nil {
			return 0, fmt.Errorf("mark events relayed: %w", err)
		}
	}
	return len(batch), nil
}

// handle takes one batch of a consumer's events: each is applied, or parked
// when it fails or an earlier event of its aggregate waits in event_retry.
// It returns an error only when an event could be neither applied nor
// parked; the broker then delivers the batch again.
func (b *Bus) handle(ctx context.Context, c *consumer, batch []Event) error {
	var blocked map[string]bool
	for _, e := range batch {
		if e.Topic == drainTopic {
			b.sawMarker(c.name, e.ID)
			continue
		}
		h := c.handler(e.Topic)
		if h == nil {
			continue
		}
		if blocked == nil {
			var err error
			if blocked, err = b.blocked(ctx, c.name); err != nil {
				return err
			}
		}
		if blocked[e.Aggregate] {
			if err := b.park(ctx, c.name, e, nil); err != nil {
				return err
			}
			continue
		}
		if err := call(ctx, h, e); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			b.log.Warn("event failed; parked for a retry", "consumer", c.name, "event", e.ID, "topic", e.Topic, "err", err)
			if err := b.park(ctx, c.name, e, err); err != nil {
				return err
			}
			blocked[e.Aggregate] = true
		}
	}
	return nil
}

// call runs h, turning a panic into an error.
func call(ctx context.Context, h Handler, e Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	return h(ctx, e)
}

// blocked returns the aggregates with an event waiting in consumer's retry
// queue.
func (b *Bus) blocked(ctx context.Context, consumer string) (map[string]bool, error) {
	_, local := b.broker.(*Local)
	if local {
		b.mu.Lock()
		may, known := b.waits[consumer]
		b.mu.Unlock()
		if known && !may {
			return map[string]bool{}, nil
		}
	}
	m, err := b.waiting(ctx, consumer)
	if err == nil && local {
		b.mu.Lock()
		b.waits[consumer] = len(m) > 0
		b.mu.Unlock()
	}
	return m, err
}

// mayWait notes that consumer may have events waiting in event_retry.
func (b *Bus) mayWait(consumer string) {
	b.mu.Lock()
	b.waits[consumer] = true
	b.mu.Unlock()
}

// waiting reads the aggregates with an event waiting in consumer's retry
// queue.
func (b *Bus) waiting(ctx context.Context, consumer string) (map[string]bool, error) {
	rows, err := b.db.Read().QueryContext(ctx,
		`SELECT DISTINCT aggregate FROM event_retry WHERE consumer = $1 AND status = 'pending'`, consumer)
	if err != nil {
		return nil, fmt.Errorf("read %s's retries: %w", consumer, err)
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var agg string
		if err := rows.Scan(&agg); err != nil {
			return nil, fmt.Errorf("read %s's retries: %w", consumer, err)
		}
		m[agg] = true
	}
	return m, rows.Err()
}

// park puts e in consumer's retry queue: failed (cause != nil) with its
// first backoff, or queued behind an earlier event of its aggregate.
func (b *Bus) park(ctx context.Context, consumer string, e Event, cause error) error {
	attempts, next := 0, int64(0)
	var last any
	if cause != nil {
		attempts, next, last = 1, sqldb.Micros(time.Now().Add(backoff(1))), truncate(cause.Error(), 500)
	}
	_, err := b.db.Exec(ctx, `
		INSERT INTO event_retry (id, consumer, event_id, topic, aggregate, payload, created_at, attempts, next_attempt_at, last_error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (consumer, event_id) DO NOTHING`,
		id.Make[id.Delivery](), consumer, e.ID, e.Topic, e.Aggregate, string(e.Payload), sqldb.Micros(e.Time), attempts, next, last)
	if err != nil {
		return fmt.Errorf("park event %s for %s: %w", e.ID, consumer, err)
	}
	b.mayWait(consumer)
	b.kickRetries()
	return nil
}

// backoff is the wait before attempt n+1 of an event that failed n times:
// 1 s, 2 s, 4 s ... up to 5 minutes (ten attempts span about 13 minutes).
func backoff(n int) time.Duration {
	return min(time.Duration(1<<min(max(n-1, 0), 12))*time.Second, 5*time.Minute)
}

// runRetries retries this process's consumers' parked events until ctx
// ends.
func (b *Bus) runRetries(ctx context.Context) {
	t := time.NewTicker(b.PollInterval)
	defer t.Stop()
	for {
		for {
			n, err := b.retryDue(ctx)
			if err != nil && ctx.Err() == nil {
				b.log.Error("event retries", "err", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-b.retryKick:
		case <-t.C:
		}
	}
}

// claimFor is how long a process owns a retry it took.
const claimFor = time.Minute

// retryDue retries the due events at the head of their aggregate's queue,
// for the consumers subscribed in this process, and returns how many it
// tried.
func (b *Bus) retryDue(ctx context.Context) (int, error) {
	b.mu.Lock()
	names := make([]any, 0, len(b.consumers))
	marks := make([]string, 0, len(b.consumers))
	for n := range b.consumers {
		names = append(names, n)
		marks = append(marks, fmt.Sprintf("$%d", len(names)+1))
	}
	b.mu.Unlock()
	if len(names) == 0 {
		return 0, nil
	}
	now := time.Now()
	rows, err := b.db.Read().QueryContext(ctx, `
		SELECT r.seq, r.consumer, r.event_id, r.topic, r.aggregate, r.payload, r.created_at, r.attempts FROM event_retry r
		WHERE r.status = 'pending' AND r.next_attempt_at <= $1 AND r.claimed_until <= $1
		  AND r.consumer IN (`+strings.Join(marks, ",")+`)
		  AND NOT EXISTS (SELECT 1 FROM event_retry p WHERE p.consumer = r.consumer AND p.aggregate = r.aggregate
		                  AND p.status = 'pending' AND p.seq < r.seq)
		ORDER BY r.seq LIMIT 100`, append([]any{sqldb.Micros(now)}, names...)...)
	if err != nil {
		return 0, fmt.Errorf("read due retries: %w", err)
	}
	type due struct {
		seq      int64
		consumer string
		e        Event
		attempts int
	}
	var list []due
	for rows.Next() {
		var d due
		var payload string
		var created int64
		if err := rows.Scan(&d.seq, &d.consumer, &d.e.ID, &d.e.Topic, &d.e.Aggregate, &payload, &created, &d.attempts); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read due retries: %w", err)
		}
		d.e.Payload, d.e.Time = json.RawMessage(payload), sqldb.Time(created)
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read due retries: %w", err)
	}
	tried := 0
	for _, d := range list {
		if ctx.Err() != nil {
			return tried, nil
		}
		res, err := b.db.Exec(ctx, `UPDATE event_retry SET claimed_until = $1 WHERE seq = $2 AND status = 'pending' AND claimed_until <= $3`,
			sqldb.Micros(time.Now().Add(claimFor)), d.seq, sqldb.Micros(now))
		if err != nil {
			return tried, fmt.Errorf("claim retry: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // another process took it
		}
		tried++
		b.mu.Lock()
		c := b.consumers[d.consumer]
		b.mu.Unlock()
		var herr error
		if h := c.handler(d.e.Topic); h != nil {
			herr = call(ctx, h, d.e)
		}
		if herr == nil {
			if _, err := b.db.Exec(ctx, `DELETE FROM event_retry WHERE seq = $1`, d.seq); err != nil {
				return tried, fmt.Errorf("clear retry: %w", err)
			}
			continue
		}
		attempts := d.attempts + 1
		if attempts >= b.maxAttempts {
			b.log.Error("event dead-lettered", "consumer", d.consumer, "event", d.e.ID, "topic", d.e.Topic, "attempts", attempts, "err", herr)
			_, err = b.db.Exec(ctx, `UPDATE event_retry SET status = 'dead', attempts = $1, last_error = $2, dead_at = $3, claimed_until = 0 WHERE seq = $4`,
				attempts, truncate(herr.Error(), 500), sqldb.Micros(time.Now()), d.seq)
		} else {
			wait := backoff(attempts)
			b.log.Warn("event retry failed", "consumer", d.consumer, "event", d.e.ID, "topic", d.e.Topic, "attempt", attempts, "retry_in", wait, "err", herr)
			_, err = b.db.Exec(ctx, `UPDATE event_retry SET attempts = $1, last_error = $2, next_attempt_at = $3, claimed_until = 0 WHERE seq = $4`,
				attempts, truncate(herr.Error(), 500), sqldb.Micros(time.Now().Add(wait)), d.seq)
		}
		if err != nil {
			return tried, fmt.Errorf("record failed retry: %w", err)
		}
	}
	return tried, nil
}

// Drain relays everything committed, waits until this process's consumers
// have taken it, and runs the retries that are due (tests and graceful
// shutdown). It returns how many events are still pending: not relayed, or
// waiting in a consumer's retry queue (dead letters do not count).
func (b *Bus) Drain(ctx context.Context) (int, error) {
	if err := b.Start(context.WithoutCancel(ctx)); err != nil {
		return 0, err
	}
	_, local := b.broker.(*Local)
	// Handlers publish events of their own; with a real broker they run
	// after the relay's pass, so go round until a pass finds nothing new.
	for range 20 {
		relayed := 0
		for {
			n, err := b.relay(ctx)
			if err != nil {
				return 0, err
			}
			if n == 0 {
				break
			}
			relayed += n
		}
		if !local {
			if err := b.waitMarker(ctx); err != nil {
				return 0, err
			}
		}
		retried := 0
		for {
			n, err := b.retryDue(ctx)
			if err != nil {
				return 0, err
			}
			if n == 0 {
				break
			}
			retried += n
		}
		if local && retried == 0 || !local && relayed == 0 && retried == 0 {
			break
		}
	}
	return b.Pending(ctx)
}

// Pending counts the events not yet relayed plus those waiting in this
// process's consumers' retry queues.
func (b *Bus) Pending(ctx context.Context) (int, error) {
	var unrelayed, waiting int
	if err := b.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM event_outbox WHERE published_at IS NULL`).Scan(&unrelayed); err != nil {
		return 0, fmt.Errorf("count outbox: %w", err)
	}
	b.mu.Lock()
	names := make([]any, 0, len(b.consumers))
	marks := make([]string, 0, len(b.consumers))
	for n := range b.consumers {
		names = append(names, n)
		marks = append(marks, fmt.Sprintf("$%d", len(names)))
	}
	b.mu.Unlock()
	if len(names) > 0 {
		if err := b.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM event_retry WHERE status = 'pending' AND consumer IN (`+strings.Join(marks, ",")+`)`, names...).Scan(&waiting); err != nil {
			return 0, fmt.Errorf("count retries: %w", err)
		}
	}
	return unrelayed + waiting, nil
}

// waitMarker publishes a marker to every group and waits until each of
// this process's consumers has seen it: each has then taken every event
// relayed before it.
func (b *Bus) waitMarker(ctx context.Context) error {
	m := Event{ID: id.Make[id.Event](), Topic: drainTopic, Aggregate: "drain", Payload: json.RawMessage(`{}`), Time: time.Now()}
	b.mu.Lock()
	b.markers[m.ID] = map[string]bool{}
	want := len(b.consumers)
	b.mu.Unlock()
	if err := b.broker.Publish(ctx, []Event{m}); err != nil {
		return fmt.Errorf("publish drain marker: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	stop := context.AfterFunc(ctx, func() { b.mu.Lock(); b.markerC.Broadcast(); b.mu.Unlock() })
	defer stop()
	timer := time.AfterFunc(time.Until(deadline), func() { b.mu.Lock(); b.markerC.Broadcast(); b.mu.Unlock() })
	defer timer.Stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	defer delete(b.markers, m.ID)
	for len(b.markers[m.ID]) < want {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return errors.New("drain: the consumers did not catch up within 30s")
		}
		b.markerC.Wait()
	}
	return nil
}

func (b *Bus) sawMarker(consumer string, markerID id.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if seen, ok := b.markers[markerID]; ok {
		seen[consumer] = true
		b.markerC.Broadcast()
	}
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
