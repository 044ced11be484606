// Package event is Bazaar's transactional outbox and its delivery.
//
// A use case writes its rows and its events in one transaction (Publish).
// The Bus's relay claims committed events in outbox order and hands them to
// a Broker: Local (in process, the default) or a real broker (NATS
// JetStream, RabbitMQ, Kafka: eventbroker.Open). With a lease
// (WithLeases) one process at a time relays, however many run, so every
// event is relayed once and in order per aggregate.
//
// Every consumer has its own delivery state. Its events reach its handlers
// in order per aggregate; an event that fails is parked in event_retry and
// retried with backoff, later events of the same aggregate queue behind it,
// and the consumer's other aggregates and every other consumer go on. After
// MaxAttempts an event is dead-lettered: listed for admins and replayable
// (Console). Delivery is at least once; a consumer with effects in a
// database records the events it applied in the same transaction
// (ApplyOnce), in its own store.
//
// Tables: event_outbox (the log), event_applied (consumer, event_id),
// event_retry (per consumer: failed, queued and dead events).
// Topics are owned by the publishing module and versioned: "catalog.product.created.v1".
package event

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
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
	ID        id.Event        `json:"id"`
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

// Publish records an event of topic about aggregate in tx; it is delivered
// only if tx commits.
func Publish[T any](ctx context.Context, tx *sql.Tx, topic Topic[T], aggregate string, payload T) error {
	return PublishRaw(ctx, tx, string(topic), aggregate, payload)
}

// PublishRaw is Publish for a store that relays events its module built
// (with the module's typed constructors); prefer Publish.
func PublishRaw(ctx context.Context, tx *sql.Tx, topic, aggregate string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", topic, err)
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO event_outbox (id, topic, aggregate, payload, created_at) VALUES ($1, $2, $3, $4, $5)`,
		id.Make[id.Event](), topic, aggregate, string(b), sqldb.Micros(time.Now()))
	if err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

// Once records that consumer applied eventID, in tx. It returns false if the
// consumer had already applied it, in which case the caller skips its effect.
func Once(ctx context.Context, tx *sql.Tx, consumer string, eventID id.Event) (bool, error) {
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
