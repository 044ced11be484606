package event

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Subscriber is what a module needs to react to events: the composition root
// passes a *Bus (one process) or whatever relays a broker's events to this
// process. Modules take this interface, never *Bus.
type Subscriber interface {
	// Subscribe delivers every event of topic to h under the consumer's
	// name. All the topics of one consumer share one delivery state: events
	// reach h in order per aggregate, at least once; a failing event is
	// retried with backoff (later events of its aggregate wait behind it,
	// other aggregates and other consumers go on) and dead-lettered after
	// MaxAttempts. h must be idempotent: a consumer with effects in its own
	// database records the events it applied in the same transaction
	// (ApplyOnce).
	Subscribe(consumer, topic string, h Handler)
}

// Topic names one kind of event and the type of its payload. The publishing
// module declares each topic once,
//
//	var TopicPaid = event.Topic[PaidEvent]("order.paid.v1")
//
// and its consumers subscribe through it (On), so a payload rename or a
// changed type is a compile error rather than a silent mismatch.
type Topic[T any] string

// Name returns the topic's name.
func (t Topic[T]) Name() string { return string(t) }

// Decode unmarshals e's payload as the topic's payload type.
func (t Topic[T]) Decode(e Event) (T, error) {
	var v T
	if e.Topic != string(t) {
		return v, fmt.Errorf("decode event %s: topic %s is not %s", e.ID, e.Topic, string(t))
	}
	if err := json.Unmarshal(e.Payload, &v); err != nil {
		return v, fmt.Errorf("decode %s event %s: %w", e.Topic, e.ID, err)
	}
	return v, nil
}

// On subscribes h to topic t under consumer, decoding each payload as T.
func On[T any](s Subscriber, consumer string, t Topic[T], h func(ctx context.Context, e Event, payload T) error) {
	registerDecoder(consumer, t)
	s.Subscribe(consumer, string(t), func(ctx context.Context, e Event) error {
		p, err := t.Decode(e)
		if err != nil {
			return err
		}
		return h(ctx, e, p)
	})
}

// Broker carries events from the outbox relay to consumers across processes.
// Implementations: Local (in process, the default), and the drivers in
// eventnats, eventamqp and eventkafka; eventtest.BrokerSuite is the contract
// every one of them passes.
type Broker interface {
	// Publish hands events to the broker in the order given and returns
	// once the broker holds them durably. After an error the relay
	// publishes the same events again (same IDs): delivery is at least
	// once, and a broker may drop a duplicate it recognises by ID.
	Publish(ctx context.Context, events []Event) error
	// Consume sets up the consumer group (durably: events published while
	// no member runs are kept for it) and returns; delivery then runs in
	// the background until ctx ends. h receives batches of the group's
	// events of topics, in publish order, and sees no other topic. Every
	// process that consumes the same group shares its events, one batch at
	// a time, so the group's order holds across processes; a group per
	// process (a search replica) sees every event. A batch for which h
	// returns an error (or whose process dies) is delivered again.
	Consume(ctx context.Context, group string, topics []string, h func(ctx context.Context, batch []Event) error) error
	// Close releases the broker's connections.
	Close() error
}

// ApplyOnce records in tx that consumer applied eventID. It returns false if
// the consumer had applied it already; the caller then skips its effect. A
// consumer's store calls it in the transaction that applies the event, in
// the consumer's own database (its migrations include the event tables).
func ApplyOnce(ctx context.Context, tx *sql.Tx, consumer string, eventID id.Event) (bool, error) {
	return Once(ctx, tx, consumer, eventID)
}

// ApplyOnceIn runs fn in a transaction that also records that consumer
// applied eventID, and reports whether fn ran (false: the consumer had
// applied the event before). inTx runs a function in the consumer store's
// transaction (the store's own, or the one it is bound to). It is the body
// of every store's ApplyOnce.
func ApplyOnceIn(ctx context.Context, inTx func(ctx context.Context, fn func(tx *sql.Tx) error) error, consumer string, eventID id.Event, fn func(tx *sql.Tx) error) (bool, error) {
	var applied bool
	err := inTx(ctx, func(tx *sql.Tx) error {
		applied = false // the transaction may run again
		first, err := Once(ctx, tx, consumer, eventID)
		if err != nil || !first {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		applied = true
		return nil
	})
	return applied, err
}

// TopicSet checks the arguments of a Broker's Consume (a group, at least
// one topic, no empty name) and returns the topics as a set, for the
// drivers to filter deliveries with.
func TopicSet(group string, topics []string) (map[string]bool, error) {
	if group == "" {
		return nil, errors.New("consume: empty group")
	}
	if len(topics) == 0 {
		return nil, fmt.Errorf("consume %s: no topics", group)
	}
	want := make(map[string]bool, len(topics))
	for _, tp := range topics {
		if tp == "" {
			return nil, fmt.Errorf("consume %s: empty topic", group)
		}
		want[tp] = true
	}
	return want, nil
}
