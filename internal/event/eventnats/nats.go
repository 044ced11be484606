// Package eventnats is the event.Broker driver for NATS JetStream (server
// 2.9 or later).
//
// Publish stores each event as a message on subject "<prefix>.<topic>" of
// one stream (created if missing: file storage, limits retention, MaxAge and
// a duplicates window), its body the event's JSON and its Nats-Msg-Id header
// the event ID, so a relay's retry within the duplicates window is dropped
// by the server. Publish waits for every message's acknowledgement.
//
// A consumer group is a durable pull consumer named from the group
// (ConsumerName), created with DeliverPolicy New, AckPolicy All and
// MaxAckPending the batch size. One topic is its FilterSubject; several
// topics filter "<prefix>.>" and the driver drops the other topics (server
// 2.9 has no multi-subject filters). Consume updates the filter when a
// group's topics change. All members of a group must consume the same
// topics: a member drops (and acknowledges) the events of topics it was
// not given, so during a rolling deploy that adds a topic to a group, the
// new topic's events handled by an old member are lost to the group.
//
// The group's members take turns through a lease, a key in the JetStream
// key-value bucket "<stream>_LEASES" (TTL LeaseTTL): only the member holding
// it fetches, so one batch at a time is in flight and the group's order
// holds across processes. A member renews its lease while it holds it and
// releases it when its ctx ends, after acknowledging or nak-ing what it
// fetched; a member that dies is replaced once its lease expires, and the
// next member waits AckWait (if anything is pending) so that the dead
// member's batch comes back before later events. (Without that wait it
// would be worse than late: with AckPolicy All, acknowledging a later event
// acknowledges the dead member's batch too, and it would never be handled.
// TestDeadMemberBatchComesFirst checks this.)
//
// A batch whose handler fails is delivered to the handler again, by the
// member holding it, with backoff (RetryMin doubling to RetryMax), and the
// messages are kept in progress meanwhile: nothing after it is fetched. If
// the member stops meanwhile it naks the batch for the next member.
//
// While a handler runs, its member keeps the batch in progress (every
// AckWait/3) and renews its lease. A member that cannot reach the server
// for LeaseTTL loses its turn, and for AckWait its batch: another member
// may then handle the batch again. Handlers must be idempotent, as every
// consumer of event is.
package eventnats

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bazaar-market/bazaar/internal/event"
)

// Options configures a Broker; zero fields take the defaults documented.
type Options struct {
	// Stream is the JetStream stream holding the events ("BAZAAR_EVENTS").
	Stream string
	// SubjectPrefix prefixes every topic's subject ("bazaar.events").
	SubjectPrefix string
	// Logger receives delivery errors; nil discards them.
	Logger *slog.Logger
	// MaxAge is how long the stream keeps an event (7 days).
	MaxAge time.Duration
	// Duplicates is the stream's window for dropping a republished event
	// ID (2 minutes).
	Duplicates time.Duration
	// BatchSize is the most events one handler call receives (100).
	BatchSize int
	// AckWait is how long a fetched batch may stay unacknowledged before
	// the server redelivers it (1 minute).
	AckWait time.Duration
	// FetchWait is how long one pull waits for an event (2 seconds); a
	// member notices its ctx ended within it.
	FetchWait time.Duration
	// LeaseTTL is how long a member's turn outlives its last renewal (15
	// seconds); LeasePoll is how often a waiting member tries to take the
	// turn (1 second).
	LeaseTTL, LeasePoll time.Duration
	// RetryMin and RetryMax bound the backoff before a failed batch is
	// handled again (100 ms, 10 s).
	RetryMin, RetryMax time.Duration
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Stream == "" {
		o.Stream = "BAZAAR_EVENTS"
	}
	if o.SubjectPrefix == "" {
		o.SubjectPrefix = "bazaar.events"
	}
	o.SubjectPrefix = strings.TrimSuffix(o.SubjectPrefix, ".")
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 100
	}
	def(&o.MaxAge, 7*24*time.Hour)
	def(&o.Duplicates, 2*time.Minute)
	def(&o.AckWait, time.Minute)
	def(&o.FetchWait, 2*time.Second)
	def(&o.LeaseTTL, 15*time.Second)
	def(&o.LeasePoll, time.Second)
	def(&o.RetryMin, 100*time.Millisecond)
	def(&o.RetryMax, 10*time.Second)
	return o
}

// setupTimeout bounds Consume's calls to the server.
const setupTimeout = 30 * time.Second

// Broker is an event.Broker on NATS JetStream.
type Broker struct {
	opts Options
	nc   *nats.Conn
	js   jetstream.JetStream

	closing context.Context // ends when Close is called
	close   context.CancelFunc
	wg      sync.WaitGroup // Consume goroutines

	mu     sync.Mutex
	leases jetstream.KeyValue // created by the first Consume
}

var _ event.Broker = (*Broker)(nil)

// Open connects to the NATS server at url and makes sure the stream exists.
func Open(ctx context.Context, url string, opts Options) (*Broker, error) {
	opts = opts.withDefaults()
	if err := validStreamName(opts.Stream); err != nil {
		return nil, err
	}
	for _, u := range strings.Split(url, ",") {
		if _, err := neturl.Parse(strings.TrimSpace(u)); err != nil { // its error repeats the URL
			return nil, errors.New("connect to nats: the url does not parse (nats://[user:password@]host:port, reserved characters percent-encoded)")
		}
	}
	nc, err := nats.Connect(url, nats.Name("bazaar-events"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("connect to nats: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if err := ensureStream(ctx, js, opts); err != nil {
		nc.Close()
		return nil, err
	}
	closing, cancel := context.WithCancel(context.Background())
	return &Broker{opts: opts, nc: nc, js: js, closing: closing, close: cancel}, nil
}

func ensureStream(ctx context.Context, js jetstream.JetStream, opts Options) error {
	_, err := js.Stream(ctx, opts.Stream)
	if err == nil {
		return nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("look up stream %s: %w", opts.Stream, err)
	}
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{
		Name:        opts.Stream,
		Description: "Bazaar's events, relayed from the outbox",
		Subjects:    []string{opts.SubjectPrefix + ".>"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      opts.MaxAge,
		Duplicates:  opts.Duplicates,
		Discard:     jetstream.DiscardOld,
	})
	if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return fmt.Errorf("create stream %s: %w", opts.Stream, err)
	}
	return nil
}

func validStreamName(name string) error {
	if strings.ContainsAny(name, ".*> \t\r\n/\\") {
		return fmt.Errorf("nats stream name %q: must not contain '.', '*', '>', '/', '\\' or spaces", name)
	}
	return nil
}

// subject returns topic's subject, refusing topics that are not a valid
// sequence of subject tokens.
func (b *Broker) subject(topic string) (string, error) {
	if topic == "" || strings.ContainsAny(topic, "*> \t\r\n") || strings.HasPrefix(topic, ".") || strings.HasSuffix(topic, ".") || strings.Contains(topic, "..") {
		return "", fmt.Errorf("topic %q is not a valid NATS subject", topic)
	}
	return b.opts.SubjectPrefix + "." + topic, nil
}

// Publish stores events in order and returns once the server acknowledged
// every one.
func (b *Broker) Publish(ctx context.Context, events []event.Event) error {
	if len(events) == 0 {
		return nil
	}
	futures := make([]jetstream.PubAckFuture, 0, len(events))
	for _, e := range events {
		subj, err := b.subject(e.Topic)
		if err != nil {
			return fmt.Errorf("publish %s: %w", e.ID, err)
		}
		body, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("publish %s: encode: %w", e.ID, err)
		}
		m := nats.NewMsg(subj)
		m.Data = body
		m.Header.Set(jetstream.MsgIDHeader, string(e.ID))
		f, err := b.js.PublishMsgAsync(m, jetstream.WithExpectStream(b.opts.Stream))
		if err != nil {
			return fmt.Errorf("publish %s: %w", e.ID, err)
		}
		futures = append(futures, f)
	}
	for i, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("publish %s: %w", events[i].ID, err)
		case <-ctx.Done():
			return fmt.Errorf("publish %s: %w", events[i].ID, ctx.Err())
		}
	}
	return nil
}

// Close stops the Broker's consumers (each finishes or naks its batch and
// releases its lease) and closes the connection.
func (b *Broker) Close() error {
	b.close()
	b.wg.Wait()
	b.nc.Close()
	return nil
}

// ConsumerName returns the durable consumer name (and lease key) for group:
// the group with every character other than ASCII letters, digits, '-' and
// '_' replaced by '_', and a hash of the group appended if anything was
// replaced or cut, so distinct groups keep distinct names.
func ConsumerName(group string) string {
	const max = 64
	var sb strings.Builder
	changed := false
	for _, r := range group {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			sb.WriteRune(r)
		default:
			sb.WriteByte('_')
			changed = true
		}
	}
	name := sb.String()
	if !changed && len(name) <= max {
		return name
	}
	sum := sha256.Sum256([]byte(group))
	return name[:min(len(name), max-9)] + "_" + hex.EncodeToString(sum[:4])
}

func (b *Broker) leaseBucket(ctx context.Context) (jetstream.KeyValue, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.leases != nil {
		return b.leases, nil
	}
	name := b.opts.Stream + "_LEASES"
	kv, err := b.js.KeyValue(ctx, name)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = b.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:      name,
			Description: "which member of each consumer group of " + b.opts.Stream + " fetches",
			History:     1,
			TTL:         b.opts.LeaseTTL,
			Storage:     jetstream.FileStorage,
		})
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = b.js.KeyValue(ctx, name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("lease bucket %s: %w", name, err)
	}
	b.leases = kv
	return kv, nil
}

// Consume creates (or updates) group's durable consumer and starts this
// member's delivery loop, which runs until ctx ends or the Broker closes.
func (b *Broker) Consume(ctx context.Context, group string, topics []string, h func(ctx context.Context, batch []event.Event) error) error {
	if group == "" {
		return errors.New("consume: empty group")
	}
	if len(topics) == 0 {
		return fmt.Errorf("consume %s: no topics", group)
	}
	want := map[string]bool{}
	filter := b.opts.SubjectPrefix + ".>"
	for _, tp := range topics {
		subj, err := b.subject(tp)
		if err != nil {
			return fmt.Errorf("consume %s: %w", group, err)
		}
		want[tp] = true
		if len(topics) == 1 {
			filter = subj
		}
	}
	name := ConsumerName(group)
	setup, cancelSetup := context.WithTimeout(ctx, setupTimeout)
	defer cancelSetup()
	cons, err := b.js.CreateOrUpdateConsumer(setup, b.opts.Stream, jetstream.ConsumerConfig{
		Durable:       name,
		Description:   "bazaar consumer group " + group,
		DeliverPolicy: jetstream.DeliverNewPolicy,
		AckPolicy:     jetstream.AckAllPolicy,
		AckWait:       b.opts.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: b.opts.BatchSize,
		FilterSubject: filter,
	})
	if err != nil {
		return fmt.Errorf("consume %s: consumer %s on %s: %w", group, name, filter, err)
	}
	kv, err := b.leaseBucket(setup)
	if err != nil {
		return fmt.Errorf("consume %s: %w", group, err)
	}
	m := &member{
		b:     b,
		group: group,
		key:   name,
		id:    memberID(),
		cons:  cons,
		kv:    kv,
		want:  want,
		h:     h,
		log:   b.opts.Logger.With("group", group, "consumer", name),
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(b.closing, cancel)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer cancel()
		defer stop()
		m.run(ctx)
	}()
	return nil
}

func memberID() string {
	var r [8]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// member is one process's part of a consumer group.
type member struct {
	b     *Broker
	group string
	key   string // lease key
	id    string
	cons  jetstream.Consumer
	kv    jetstream.KeyValue
	want  map[string]bool
	h     func(context.Context, []event.Event) error
	log   *slog.Logger
}

// released is the lease's value while no member holds it.
const released = "released"

var errHeld = errors.New("lease held by another member")

// run waits for the group's lease and fetches while it holds it.
func (m *member) run(ctx context.Context) {
	for ctx.Err() == nil {
		rev, clean, err := m.acquire(ctx)
		if err != nil {
			if !errors.Is(err, errHeld) && !errors.Is(err, jetstream.ErrKeyExists) && ctx.Err() == nil {
				m.log.Warn("eventnats: take lease", "err", err)
			}
			event.Sleep(ctx, m.b.opts.LeasePoll)
			continue
		}
		m.lead(ctx, rev, clean)
	}
}

// acquire takes the group's lease. clean reports that the previous holder
// released it (rather than letting it expire, or there being none).
func (m *member) acquire(ctx context.Context) (rev uint64, clean bool, err error) {
	e, err := m.kv.Get(ctx, m.key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		rev, err = m.kv.Create(ctx, m.key, []byte(m.id))
		return rev, false, err
	case err != nil:
		return 0, false, err
	case string(e.Value()) == released:
		rev, err = m.kv.Update(ctx, m.key, []byte(m.id), e.Revision())
		return rev, true, err
	default:
		return 0, false, errHeld
	}
}

// lead fetches and handles batches until ctx ends or the lease is lost.
func (m *member) lead(ctx context.Context, rev uint64, clean bool) {
	opts := m.b.opts
	lost := make(chan struct{})
	keep, stopKeeping := context.WithCancel(ctx)
	var finalRev uint64
	kept := make(chan struct{})
	go func() { // renew the lease until told to stop
		defer close(kept)
		t := time.NewTicker(opts.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-keep.Done():
				finalRev = rev
				return
			case <-t.C:
			}
			rctx, cancel := context.WithTimeout(keep, opts.LeaseTTL/3)
			next, err := m.kv.Update(rctx, m.key, []byte(m.id), rev)
			cancel()
			if err != nil {
				if keep.Err() == nil {
					m.log.Warn("eventnats: lease lost", "err", err)
					close(lost)
				}
				return
			}
			rev = next
		}
	}()
	defer func() {
		stopKeeping()
		<-kept
		select {
		case <-lost:
		default:
			dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := m.kv.Update(dctx, m.key, []byte(released), finalRev); err != nil {
				m.log.Warn("eventnats: release lease", "err", err)
			}
		}
	}()

	if !clean {
		if err := m.awaitOrphans(ctx); err != nil {
			return
		}
	}
	backoff := opts.RetryMin
	for {
		select {
		case <-ctx.Done():
			return
		case <-lost:
			return
		default:
		}
		msgs, err := m.fetch()
		if err != nil {
			m.log.Warn("eventnats: fetch", "err", err)
			event.Sleep(ctx, backoff)
			backoff = min(2*backoff, opts.RetryMax)
			if len(msgs) == 0 {
				continue
			}
		}
		backoff = opts.RetryMin
		if len(msgs) == 0 {
			continue
		}
		if err := m.deliver(ctx, lost, msgs); err != nil {
			return
		}
	}
}

// awaitOrphans waits, once, for a batch a departed member left
// unacknowledged to come due again (AckWait), so that it is fetched before
// later events.
func (m *member) awaitOrphans(ctx context.Context) error {
	ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
	info, err := m.cons.Info(ictx)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			m.log.Warn("eventnats: consumer info", "err", err)
		}
		return nil
	}
	if info.NumAckPending == 0 {
		return nil
	}
	m.log.Info("eventnats: waiting for a departed member's batch", "pending", info.NumAckPending, "wait", m.b.opts.AckWait)
	event.Sleep(ctx, m.b.opts.AckWait)
	return ctx.Err()
}

// fetch returns what is available, up to BatchSize, or waits up to
// FetchWait for one message and then takes what else is available.
func (m *member) fetch() ([]jetstream.Msg, error) {
	n := m.b.opts.BatchSize
	msgs, err := drain(m.cons.FetchNoWait(n))
	if err != nil || len(msgs) > 0 {
		return msgs, err
	}
	msgs, err = drain(m.cons.Fetch(1, jetstream.FetchMaxWait(m.b.opts.FetchWait)))
	if err != nil || len(msgs) == 0 || n == 1 {
		return msgs, err
	}
	more, err := drain(m.cons.FetchNoWait(n - 1))
	return append(msgs, more...), err
}

func drain(batch jetstream.MessageBatch, err error) ([]jetstream.Msg, error) {
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	var msgs []jetstream.Msg
	for msg := range batch.Messages() {
		msgs = append(msgs, msg)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
		return msgs, fmt.Errorf("fetch: %w", err)
	}
	return msgs, nil
}

// deliver hands msgs' events of the group's topics to h until it succeeds,
// then acknowledges the batch. It returns an error if the member must stop
// leading: ctx ended or the lease was lost (the batch is nak'd for the next
// member), or the acknowledgement failed.
func (m *member) deliver(ctx context.Context, lost <-chan struct{}, msgs []jetstream.Msg) error {
	opts := m.b.opts
	events := make([]event.Event, 0, len(msgs))
	for _, msg := range msgs {
		var e event.Event
		if err := json.Unmarshal(msg.Data(), &e); err != nil {
			m.log.Error("eventnats: dropping a message that is not an event", "subject", msg.Subject(), "err", err)
			continue
		}
		if m.want[e.Topic] {
			events = append(events, e)
		}
	}
	backoff := opts.RetryMin
	for len(events) > 0 {
		stopped := ctx.Err()
		if stopped == nil {
			select {
			case <-lost:
				stopped = errors.New("lease lost")
			default:
			}
		}
		if stopped != nil {
			for _, msg := range msgs {
				_ = msg.Nak()
			}
			return stopped
		}
		err := m.handle(ctx, msgs, events)
		if err == nil {
			break
		}
		if ctx.Err() == nil {
			m.log.Warn("eventnats: handler failed; retrying the batch", "first", events[0].ID, "events", len(events), "err", err, "backoff", backoff)
		}
		for _, msg := range msgs {
			_ = msg.InProgress()
		}
		event.Sleep(ctx, backoff)
		backoff = min(2*backoff, opts.RetryMax)
	}
	actx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	last := msgs[len(msgs)-1]
	if err := last.DoubleAck(actx); err != nil {
		m.log.Error("eventnats: acknowledge batch", "err", err)
		return fmt.Errorf("ack %s: %w", last.Subject(), err)
	}
	return nil
}

// handle calls h, keeping msgs in progress on the server while it runs.
func (m *member) handle(ctx context.Context, msgs []jetstream.Msg, events []event.Event) error {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(m.b.opts.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				for _, msg := range msgs {
					_ = msg.InProgress()
				}
			}
		}
	}()
	defer wg.Wait()
	defer close(done)
	return m.h(ctx, events)
}
