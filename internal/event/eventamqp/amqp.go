// Package eventamqp is the event.Broker driver for RabbitMQ (AMQP 0-9-1,
// RabbitMQ 3.8 or later).
//
// Publish sends each event to a durable topic exchange with the event's
// topic as routing key, its JSON as the persistent body and its ID as the
// message ID, on a channel in confirm mode, and returns once the broker
// confirmed every message. RabbitMQ does not drop a republished ID: a
// relay's retry is delivered again (at least once).
//
// A consumer group is a durable queue, QueueName(group), bound to each of
// its topics and declared with x-single-active-consumer, so RabbitMQ feeds
// one member of the group at a time and the group's order holds across
// processes; when the active member goes, its unacknowledged messages are
// requeued in place and the next member takes over. A member's prefetch is
// the batch size; it hands the handler what arrived, up to BatchSize or
// until Linger passes after the first message, and on success acknowledges
// the batch (multiple) with its last message. A batch whose handler fails
// is handed to the handler again, with backoff, holding the messages, so
// nothing after it is delivered first; a member that stops meanwhile
// closes its channel and RabbitMQ requeues the batch for the next member.
// A member whose connection drops reconnects with backoff until its ctx
// ends.
//
// A queue keeps the bindings of topics a group no longer consumes; the
// member drops (and acknowledges) their events. All members of a group must
// consume the same topics, for the same reason. Queues are not deleted when a group is
// retired (QueueExpires can make RabbitMQ delete an unused one).
package eventamqp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/bazaar-market/bazaar/internal/event"
)

// Options configures a Broker; zero fields take the defaults documented.
type Options struct {
	// Exchange is the topic exchange events are published to
	// ("bazaar.events"). It also prefixes queue names.
	Exchange string
	// Logger receives delivery and connection errors; nil discards them.
	Logger *slog.Logger
	// BatchSize is the most events one handler call receives, and each
	// member's prefetch (100).
	BatchSize int
	// Linger is how long a member waits, after a batch's first message, for
	// more before it hands the batch over (20 ms).
	Linger time.Duration
	// QueueExpires, if set, makes RabbitMQ delete a group's queue after
	// it has had no consumer for that long (x-expires), losing its events.
	// Zero keeps queues until deleted by hand.
	QueueExpires time.Duration
	// RetryMin and RetryMax bound the backoff before a failed batch is
	// handled again, and before a lost connection is dialled again (100 ms,
	// 10 s).
	RetryMin, RetryMax time.Duration
	// DialTimeout bounds connecting to the server (10 s).
	DialTimeout time.Duration
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Exchange == "" {
		o.Exchange = "bazaar.events"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 100
	}
	def(&o.Linger, 20*time.Millisecond)
	def(&o.RetryMin, 100*time.Millisecond)
	def(&o.RetryMax, 10*time.Second)
	def(&o.DialTimeout, 10*time.Second)
	return o
}

// Broker is an event.Broker on RabbitMQ.
type Broker struct {
	url  string
	opts Options

	closing context.Context // ends when Close is called
	close   context.CancelFunc
	wg      sync.WaitGroup // Consume goroutines

	mu   sync.Mutex // guards conn and ch, and serialises Publish
	conn *amqp.Connection
	ch   *amqp.Channel // in confirm mode
}

var _ event.Broker = (*Broker)(nil)

// Open connects to the RabbitMQ server at url (amqp:// or amqps://) and
// declares the exchange.
func Open(ctx context.Context, url string, opts Options) (*Broker, error) {
	opts = opts.withDefaults()
	closing, cancel := context.WithCancel(context.Background())
	b := &Broker{url: url, opts: opts, closing: closing, close: cancel}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.channel(ctx); err != nil {
		cancel()
		return nil, err
	}
	return b, nil
}

// dial connects to the server; its errors never carry the URL (which may
// hold a password).
func (b *Broker) dial() (*amqp.Connection, error) {
	if _, err := amqp.ParseURI(b.url); err != nil { // its error may repeat the URL
		return nil, errors.New("connect to rabbitmq: the url does not parse (amqp[s]://user:password@host:port/vhost, reserved characters percent-encoded)")
	}
	conn, err := amqp.DialConfig(b.url, amqp.Config{
		Dial:       amqp.DefaultDial(b.opts.DialTimeout),
		Properties: amqp.Table{"connection_name": "bazaar-events"},
	})
	if err != nil {
		return nil, fmt.Errorf("connect to rabbitmq: %w", err)
	}
	return conn, nil
}

// channel returns the publishing channel, connecting (again) if needed and
// declaring the exchange. b.mu is held.
func (b *Broker) channel(ctx context.Context) (*amqp.Channel, error) {
	if b.ch != nil && !b.ch.IsClosed() {
		return b.ch, nil
	}
	b.dropChannel()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conn, err := b.dial()
	if err != nil {
		return nil, err
	}
	ch, err := conn.Channel()
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("open channel: %w", err)
	}
	if err := ch.ExchangeDeclare(b.opts.Exchange, amqp.ExchangeTopic, true, false, false, false, nil); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("declare exchange %s: %w", b.opts.Exchange, err)
	}
	if err := ch.Confirm(false); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("confirm mode: %w", err)
	}
	b.conn, b.ch = conn, ch
	return ch, nil
}

// dropChannel closes the publishing connection. b.mu is held.
func (b *Broker) dropChannel() {
	if b.conn != nil {
		_ = b.conn.Close()
	}
	b.conn, b.ch = nil, nil
}

// Publish sends events in order and returns once RabbitMQ confirmed every
// one. After an error the publishing connection is replaced.
func (b *Broker) Publish(ctx context.Context, events []event.Event) error {
	if len(events) == 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ch, err := b.channel(ctx)
	if err != nil {
		return fmt.Errorf("publish %s: %w", events[0].ID, err)
	}
	confirms := make([]*amqp.DeferredConfirmation, 0, len(events))
	for _, e := range events {
		if e.Topic == "" {
			return fmt.Errorf("publish %s: empty topic", e.ID)
		}
		body, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("publish %s: encode: %w", e.ID, err)
		}
		dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, b.opts.Exchange, e.Topic, false, false, amqp.Publishing{
			ContentType:  "application/json",
			DeliveryMode: amqp.Persistent,
			MessageId:    string(e.ID),
			Timestamp:    e.Time,
			Type:         e.Topic,
			Body:         body,
		})
		if err != nil {
			b.dropChannel()
			return fmt.Errorf("publish %s: %w", e.ID, err)
		}
		confirms = append(confirms, dc)
	}
	for i, dc := range confirms {
		ok, err := dc.WaitContext(ctx)
		if err != nil {
			b.dropChannel()
			return fmt.Errorf("publish %s: awaiting confirm: %w", events[i].ID, err)
		}
		if !ok {
			return fmt.Errorf("publish %s: rabbitmq refused the message", events[i].ID)
		}
	}
	return nil
}

// Close stops the Broker's consumers and closes its connections.
func (b *Broker) Close() error {
	b.close()
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropChannel()
	return nil
}

// QueueName returns group's queue: "<exchange>.<group>".
func (b *Broker) QueueName(group string) string {
	return b.opts.Exchange + "." + group
}

func (b *Broker) queueArgs() amqp.Table {
	args := amqp.Table{"x-single-active-consumer": true}
	if b.opts.QueueExpires > 0 {
		args["x-expires"] = b.opts.QueueExpires.Milliseconds()
	}
	return args
}

// declare declares group's queue on ch and binds it to topics.
func (b *Broker) declare(ch *amqp.Channel, queue string, topics []string) error {
	if _, err := ch.QueueDeclare(queue, true, false, false, false, b.queueArgs()); err != nil {
		return fmt.Errorf("declare queue %s: %w", queue, err)
	}
	for _, tp := range topics {
		if err := ch.QueueBind(queue, tp, b.opts.Exchange, false, nil); err != nil {
			return fmt.Errorf("bind queue %s to %s: %w", queue, tp, err)
		}
	}
	return nil
}

// Consume declares group's queue and its bindings, then starts this
// member's delivery loop, which runs until ctx ends or the Broker closes.
func (b *Broker) Consume(ctx context.Context, group string, topics []string, h func(ctx context.Context, batch []event.Event) error) error {
	want, err := event.TopicSet(group, topics)
	if err != nil {
		return err
	}
	queue := b.QueueName(group)
	if len(queue) > 255 || strings.HasPrefix(queue, "amq.") {
		return fmt.Errorf("consume %s: queue name %q is not allowed (at most 255 bytes, not amq.*)", group, queue)
	}
	b.mu.Lock()
	ch, err := b.channel(ctx)
	if err == nil {
		err = b.declare(ch, queue, topics)
		if err != nil {
			b.dropChannel() // a failed declare closes the channel
		}
	}
	b.mu.Unlock()
	if err != nil {
		return fmt.Errorf("consume %s: %w", group, err)
	}
	m := &member{b: b, queue: queue, topics: topics, want: want, h: h, log: b.opts.Logger.With("group", group, "queue", queue)}
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

// member is one process's part of a consumer group.
type member struct {
	b      *Broker
	queue  string
	topics []string
	want   map[string]bool
	h      func(context.Context, []event.Event) error
	log    *slog.Logger
}

// run consumes, reconnecting with backoff, until ctx ends.
func (m *member) run(ctx context.Context) {
	opts := m.b.opts
	backoff := opts.RetryMin
	for ctx.Err() == nil {
		delivered, err := m.consume(ctx)
		if ctx.Err() != nil {
			return
		}
		if delivered {
			backoff = opts.RetryMin
		}
		m.log.Warn("eventamqp: consumer interrupted; reconnecting", "err", err, "backoff", backoff)
		event.Sleep(ctx, backoff)
		backoff = min(2*backoff, opts.RetryMax)
	}
}

// consume runs one connection's consumer until ctx ends or the connection
// fails. Closing the connection requeues whatever it holds unacknowledged.
func (m *member) consume(ctx context.Context) (delivered bool, err error) {
	opts := m.b.opts
	conn, err := m.b.dial()
	if err != nil {
		return false, err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return false, fmt.Errorf("open channel: %w", err)
	}
	if err := ch.Qos(opts.BatchSize, 0, false); err != nil {
		return false, fmt.Errorf("qos: %w", err)
	}
	// Declared again: the queue may have expired, or the server lost it.
	if err := m.b.declare(ch, m.queue, m.topics); err != nil {
		return false, err
	}
	// Not ConsumeWithContext: cancelling the consumer while its channel
	// still holds unacknowledged messages would let the next member (the
	// queue's single active consumer) start on later messages before these
	// are requeued. Closing the connection does both at once.
	deliveries, err := ch.Consume(m.queue, "", false, false, false, false, nil)
	if err != nil {
		return false, fmt.Errorf("consume %s: %w", m.queue, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	for {
		batch, open := m.collect(ctx, deliveries)
		if len(batch) > 0 {
			if err := m.deliver(ctx, batch); err != nil {
				return delivered, err
			}
			delivered = true
		}
		if ctx.Err() != nil {
			return delivered, ctx.Err()
		}
		if !open {
			return delivered, errors.New("delivery channel closed")
		}
	}
}

// collect waits for a message, then gathers more until BatchSize, Linger
// passes, ctx ends or deliveries closes (open false).
func (m *member) collect(ctx context.Context, deliveries <-chan amqp.Delivery) (batch []amqp.Delivery, open bool) {
	select {
	case <-ctx.Done():
		return nil, true
	case d, ok := <-deliveries:
		if !ok {
			return nil, false
		}
		batch = append(batch, d)
	}
	linger := time.NewTimer(m.b.opts.Linger)
	defer linger.Stop()
	for len(batch) < m.b.opts.BatchSize {
		select {
		case <-ctx.Done():
			return batch, true
		case <-linger.C:
			return batch, true
		case d, ok := <-deliveries:
			if !ok {
				return batch, false
			}
			batch = append(batch, d)
		}
	}
	return batch, true
}

// deliver hands batch's events of the group's topics to h until it
// succeeds, then acknowledges the batch. An error means the batch was not
// acknowledged (ctx ended, or the ack failed) and the member must close
// its channel so that RabbitMQ requeues it.
func (m *member) deliver(ctx context.Context, batch []amqp.Delivery) error {
	opts := m.b.opts
	events := make([]event.Event, 0, len(batch))
	for _, d := range batch {
		var e event.Event
		if err := json.Unmarshal(d.Body, &e); err != nil {
			m.log.Error("eventamqp: dropping a message that is not an event", "message_id", d.MessageId, "err", err)
			continue
		}
		if m.want[e.Topic] {
			events = append(events, e)
		}
	}
	if len(events) > 0 {
		err := event.Retry(ctx, opts.RetryMin, opts.RetryMax, func() error { return m.h(ctx, events) }, func(err error, wait time.Duration) {
			m.log.Warn("eventamqp: handler failed; retrying the batch", "first", events[0].ID, "events", len(events), "err", err, "backoff", wait)
		})
		if err != nil {
			return err
		}
	}
	if err := batch[len(batch)-1].Ack(true); err != nil {
		return fmt.Errorf("ack: %w", err)
	}
	return nil
}
