// Package eventkafka is the event.Broker driver for Kafka (franz-go).
//
// All events go to one topic (created if missing), the record key being the
// event's aggregate and the value its JSON, with the event's topic and ID
// in the headers "bazaar-topic" and "bazaar-id". Publish waits until every
// record is acknowledged. Kafka does not drop a republished ID: a relay's
// retry is delivered again (at least once).
//
// A consumer group is a Kafka consumer group of the same name. Consume
// sets it up durably before it returns: a new group's offsets are
// committed at the topic's end, so it receives what is published from then
// on, including while none of its members runs. A member polls a batch,
// drops the events of topics the group does not consume, hands the rest
// to the handler and commits the batch's offsets once the handler
// succeeded; rebalances wait until then (BlockRebalanceOnPoll), so a
// partition moves to another member only between batches. A batch whose
// handler fails is handed to the handler again, with backoff, by the same
// member; if the member stops meanwhile nothing was committed and the
// partition's next owner receives the batch again.
//
// Order: Kafka keeps order per partition, and the key puts every event of
// an aggregate in one partition, so a group receives each aggregate's
// events in publish order; events of different aggregates may arrive in
// another order than published, and the group's members handle their
// partitions at the same time. This is weaker than event.Broker's "publish
// order" for the group as a whole; consumers of Bazaar's events rely on
// per-aggregate order only. (eventtest.Caps.PerAggregateOrder.) A batch
// that keeps failing also delays rebalances of its member's partitions.
package eventkafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/bazaar-market/bazaar/internal/event"
)

// Header names carrying an event's topic and ID.
const (
	HeaderTopic = "bazaar-topic"
	HeaderID    = "bazaar-id"
)

// Options configures a Broker; zero fields take the defaults documented.
type Options struct {
	// Topic is the Kafka topic holding every event ("bazaar.events").
	Topic string
	// Partitions and ReplicationFactor are used if the Broker creates the
	// topic (12; the cluster's default).
	Partitions        int32
	ReplicationFactor int16
	// Logger receives delivery errors; nil discards them.
	Logger *slog.Logger
	// BatchSize is the most events one handler call receives (100).
	BatchSize int
	// RetryMin and RetryMax bound the backoff before a failed batch is
	// handled again (100 ms, 10 s).
	RetryMin, RetryMax time.Duration
	// HeartbeatInterval is the group members' heartbeat (kgo's default,
	// 3 s); a member learns of a rebalance within it.
	HeartbeatInterval time.Duration
	// ClientOpts are added to every franz-go client (TLS, SASL, ...).
	ClientOpts []kgo.Opt
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Topic == "" {
		o.Topic = "bazaar.events"
	}
	if o.Partitions <= 0 {
		o.Partitions = 12
	}
	if o.ReplicationFactor == 0 {
		o.ReplicationFactor = -1
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 100
	}
	def(&o.RetryMin, 100*time.Millisecond)
	def(&o.RetryMax, 10*time.Second)
	return o
}

// Broker is an event.Broker on Kafka.
type Broker struct {
	seeds []string
	opts  Options
	cl    *kgo.Client // producer and admin
	adm   *kadm.Client

	closing context.Context // ends when Close is called
	close   context.CancelFunc
	wg      sync.WaitGroup // Consume goroutines
}

var _ event.Broker = (*Broker)(nil)

// ParseURL returns the seed brokers of a "kafka://host:port[,host2:port]"
// URL.
func ParseURL(url string) ([]string, error) {
	rest, ok := strings.CutPrefix(url, "kafka://")
	if !ok {
		return nil, errors.New("kafka url: want kafka://host:port[,host:port]")
	}
	rest, _, _ = strings.Cut(rest, "/")
	rest, _, _ = strings.Cut(rest, "?")
	var seeds []string
	for _, s := range strings.Split(rest, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if strings.Contains(s, "@") {
				return nil, errors.New("kafka url: credentials are not taken from the url (use Options.ClientOpts)")
			}
			seeds = append(seeds, s)
		}
	}
	if len(seeds) == 0 {
		return nil, errors.New("kafka url: no brokers")
	}
	return seeds, nil
}

// Open connects to the Kafka brokers seeds and makes sure the topic exists.
func Open(ctx context.Context, seeds []string, opts Options) (*Broker, error) {
	opts = opts.withDefaults()
	if len(seeds) == 0 {
		return nil, errors.New("open kafka: no seed brokers")
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.DefaultProduceTopic(opts.Topic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0),
	}, opts.ClientOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("open kafka: %w", err)
	}
	adm := kadm.NewClient(cl)
	resp, err := adm.CreateTopic(ctx, opts.Partitions, opts.ReplicationFactor, nil, opts.Topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		cl.Close()
		return nil, fmt.Errorf("create kafka topic %s: %w", opts.Topic, err)
	}
	closing, cancel := context.WithCancel(context.Background())
	return &Broker{seeds: seeds, opts: opts, cl: cl, adm: adm, closing: closing, close: cancel}, nil
}

// Publish produces events in order and returns once every record is
// acknowledged.
func (b *Broker) Publish(ctx context.Context, events []event.Event) error {
	if len(events) == 0 {
		return nil
	}
	recs := make([]*kgo.Record, len(events))
	for i, e := range events {
		if e.Topic == "" {
			return fmt.Errorf("publish %s: empty topic", e.ID)
		}
		body, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("publish %s: encode: %w", e.ID, err)
		}
		recs[i] = &kgo.Record{
			Key:   []byte(e.Aggregate),
			Value: body,
			Headers: []kgo.RecordHeader{
				{Key: HeaderTopic, Value: []byte(e.Topic)},
				{Key: HeaderID, Value: []byte(e.ID)},
			},
			Timestamp: e.Time,
		}
	}
	for i, r := range b.cl.ProduceSync(ctx, recs...) {
		if r.Err != nil {
			return fmt.Errorf("publish %s: %w", events[i].ID, r.Err)
		}
	}
	return nil
}

// Close stops the Broker's consumers (each leaves its group) and closes
// the connections.
func (b *Broker) Close() error {
	b.close()
	b.wg.Wait()
	b.cl.Close()
	return nil
}

// setupGroup commits the topic's end offsets for the partitions group has
// no committed offset for, so a new group starts at the end of the topic
// and keeps what is published from now on.
func (b *Broker) setupGroup(ctx context.Context, group string) error {
	committed, err := b.adm.FetchOffsetsForTopics(ctx, group, b.opts.Topic)
	if errors.Is(err, kerr.GroupIDNotFound) { // kfake's answer for a new group
		committed, err = kadm.OffsetResponses{}, nil
	}
	if err != nil {
		return fmt.Errorf("fetch offsets: %w", err)
	}
	ends, err := b.adm.ListEndOffsets(ctx, b.opts.Topic)
	if err != nil {
		return fmt.Errorf("list end offsets: %w", err)
	}
	if err := ends.Error(); err != nil {
		return fmt.Errorf("list end offsets: %w", err)
	}
	missing := kadm.Offsets{}
	ends.Each(func(l kadm.ListedOffset) {
		if c, ok := committed.Lookup(l.Topic, l.Partition); ok && c.Err == nil && c.At >= 0 {
			return
		}
		missing.Add(kadm.Offset{Topic: l.Topic, Partition: l.Partition, At: l.Offset, LeaderEpoch: -1})
	})
	if len(missing) == 0 {
		return nil
	}
	resp, err := b.adm.CommitOffsets(ctx, group, missing)
	if err != nil {
		return fmt.Errorf("commit start offsets: %w", err)
	}
	var first error
	resp.EachError(func(o kadm.OffsetResponse) {
		if first == nil {
			first = fmt.Errorf("commit start offset of partition %d: %w", o.Partition, o.Err)
		}
	})
	return first
}

// Consume sets up group (durably) and starts this member's delivery loop,
// which runs until ctx ends or the Broker closes.
func (b *Broker) Consume(ctx context.Context, group string, topics []string, h func(ctx context.Context, batch []event.Event) error) error {
	want, err := event.TopicSet(group, topics)
	if err != nil {
		return err
	}
	setup, cancelSetup := context.WithTimeout(ctx, 30*time.Second)
	err = b.setupGroup(setup, group)
	cancelSetup()
	if err != nil {
		return fmt.Errorf("consume %s: %w", group, err)
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(b.seeds...),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(b.opts.Topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), // partitions added later
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
	}
	if b.opts.HeartbeatInterval > 0 {
		opts = append(opts, kgo.HeartbeatInterval(b.opts.HeartbeatInterval))
	}
	cl, err := kgo.NewClient(append(opts, b.opts.ClientOpts...)...)
	if err != nil {
		return fmt.Errorf("consume %s: %w", group, err)
	}
	m := &member{b: b, cl: cl, want: want, h: h, log: b.opts.Logger.With("group", group)}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(b.closing, cancel)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer cancel()
		defer stop()
		defer cl.CloseAllowingRebalance()
		m.run(ctx)
	}()
	return nil
}

// member is one process's part of a consumer group.
type member struct {
	b    *Broker
	cl   *kgo.Client
	want map[string]bool
	h    func(context.Context, []event.Event) error
	log  *slog.Logger
}

func (m *member) run(ctx context.Context) {
	opts := m.b.opts
	backoff := opts.RetryMin
	for ctx.Err() == nil {
		fetches := m.cl.PollRecords(ctx, opts.BatchSize)
		if ctx.Err() != nil {
			return
		}
		var fetchErr error
		fetches.EachError(func(topic string, p int32, err error) {
			if fetchErr == nil && !errors.Is(err, context.Canceled) {
				fetchErr = fmt.Errorf("fetch %s/%d: %w", topic, p, err)
			}
		})
		recs := fetches.Records()
		if fetchErr != nil {
			m.log.Warn("eventkafka: poll", "err", fetchErr, "backoff", backoff)
			if len(recs) == 0 {
				m.cl.AllowRebalance()
				event.Sleep(ctx, backoff)
				backoff = min(2*backoff, opts.RetryMax)
				continue
			}
		}
		backoff = opts.RetryMin
		if len(recs) > 0 && !m.deliver(ctx, recs) {
			return
		}
		m.cl.AllowRebalance()
	}
}

// deliver hands recs' events of the group's topics to h until it
// succeeds, then commits recs. It returns false, committing nothing, if ctx
// ended first.
func (m *member) deliver(ctx context.Context, recs []*kgo.Record) bool {
	opts := m.b.opts
	events := make([]event.Event, 0, len(recs))
	for _, r := range recs {
		if !m.want[header(r, HeaderTopic)] {
			continue
		}
		var e event.Event
		if err := json.Unmarshal(r.Value, &e); err != nil {
			m.log.Error("eventkafka: dropping a record that is not an event", "partition", r.Partition, "offset", r.Offset, "err", err)
			continue
		}
		events = append(events, e)
	}
	if len(events) > 0 {
		err := event.Retry(ctx, opts.RetryMin, opts.RetryMax, func() error { return m.h(ctx, events) }, func(err error, wait time.Duration) {
			m.log.Warn("eventkafka: handler failed; retrying the batch", "first", events[0].ID, "events", len(events), "err", err, "backoff", wait)
		})
		if err != nil {
			return false
		}
	}
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.cl.CommitRecords(cctx, recs...); err != nil {
		// The partitions' next owner (maybe this member again) receives
		// the batch again: at least once.
		m.log.Error("eventkafka: commit batch", "err", err)
	}
	return true
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
