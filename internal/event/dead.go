package event

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// DeadLetter is an event a consumer failed MaxAttempts times.
type DeadLetter struct {
	ID        id.Delivery     `json:"id"` // the dead letter's ID (replay it by this)
	Consumer  string          `json:"consumer"`
	EventID   id.Event        `json:"event_id"`
	Topic     string          `json:"topic"`
	Aggregate string          `json:"aggregate"`
	Payload   json.RawMessage `json:"payload"`
	Attempts  int             `json:"attempts"`
	LastError string          `json:"last_error"`
	EventTime time.Time       `json:"event_time"`
	DeadAt    time.Time       `json:"dead_at"`
}

// DeadFilter selects dead letters.
type DeadFilter struct {
	Consumer string // only this consumer's
	Topic    string // only this topic
	After    string // the ID after which the page starts (the previous page's NextCursor)
	Limit    int    // 1..100; 50 when 0
}

// DeadPage is one page of dead letters, oldest first.
type DeadPage struct {
	Items      []DeadLetter `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// Console is the admins' view of event delivery: the dead letters of every
// consumer of the bus's database, and their replay. Every method requires
// the admin role.
type Console struct{ bus *Bus }

// NewConsole returns the console over bus's database.
func NewConsole(bus *Bus) *Console { return &Console{bus: bus} }

// DeadLetters lists dead letters, oldest first.
func (c *Console) DeadLetters(ctx context.Context, f DeadFilter) (DeadPage, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return DeadPage{}, err
	}
	var fs apperr.Fields
	if f.Limit == 0 {
		f.Limit = 50
	}
	fs.Check(f.Limit >= 1 && f.Limit <= 100, "limit", "must be an integer from 1 to 100")
	fs.Check(f.After == "" || strings.HasPrefix(f.After, "dlv_") && len(f.After) < 64, "cursor", "is not a cursor this list gave")
	if err := fs.Err(); err != nil {
		return DeadPage{}, err
	}
	where := []string{"status = 'dead'"}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Consumer != "" {
		where = append(where, "consumer = "+arg(f.Consumer))
	}
	if f.Topic != "" {
		where = append(where, "topic = "+arg(f.Topic))
	}
	if f.After != "" {
		where = append(where, "id > "+arg(f.After))
	}
	rows, err := c.bus.db.Read().QueryContext(ctx, `
		SELECT id, consumer, event_id, topic, aggregate, payload, attempts, COALESCE(last_error, ''), created_at, COALESCE(dead_at, 0)
		FROM event_retry WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT `+arg(f.Limit+1), args...)
	if err != nil {
		return DeadPage{}, fmt.Errorf("list dead letters: %w", err)
	}
	defer rows.Close()
	p := DeadPage{Items: []DeadLetter{}}
	for rows.Next() {
		var d DeadLetter
		var payload string
		var created, dead int64
		if err := rows.Scan(&d.ID, &d.Consumer, &d.EventID, &d.Topic, &d.Aggregate, &payload, &d.Attempts, &d.LastError, &created, &dead); err != nil {
			return DeadPage{}, fmt.Errorf("list dead letters: %w", err)
		}
		d.Payload, d.EventTime, d.DeadAt = json.RawMessage(payload), sqldb.Time(created), sqldb.Time(dead)
		p.Items = append(p.Items, d)
	}
	if err := rows.Err(); err != nil {
		return DeadPage{}, fmt.Errorf("list dead letters: %w", err)
	}
	if len(p.Items) > f.Limit {
		p.Items = p.Items[:f.Limit]
		p.NextCursor = string(p.Items[f.Limit-1].ID)
	}
	return p, nil
}

// Replay gives a dead letter to its consumer again: it goes back to the
// head of its aggregate's queue with a fresh count of attempts, and is
// retried at once. It returns the letter as it was; NotFound if id names no
// dead letter (a replayed one is no longer dead).
func (c *Console) Replay(ctx context.Context, id id.Delivery) (DeadLetter, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return DeadLetter{}, err
	}
	var d DeadLetter
	var payload string
	var created, dead int64
	err := c.bus.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			SELECT id, consumer, event_id, topic, aggregate, payload, attempts, COALESCE(last_error, ''), created_at, COALESCE(dead_at, 0)
			FROM event_retry WHERE id = $1 AND status = 'dead'`, id).
			Scan(&d.ID, &d.Consumer, &d.EventID, &d.Topic, &d.Aggregate, &payload, &d.Attempts, &d.LastError, &created, &dead)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("dead letter %s not found", id)
		}
		if err != nil {
			return err
		}
		// Conditional on still being dead: of two admins replaying at once,
		// one replays and the other gets NotFound.
		res, err := tx.ExecContext(ctx, `
			UPDATE event_retry SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = 0, dead_at = NULL
			WHERE id = $1 AND status = 'dead'`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.NotFound("dead letter %s not found", id)
		}
		return nil
	})
	if err != nil {
		if apperr.KindOf(err) != apperr.KindInternal {
			return DeadLetter{}, err
		}
		return DeadLetter{}, fmt.Errorf("replay %s: %w", id, err)
	}
	d.Payload, d.EventTime, d.DeadAt = json.RawMessage(payload), sqldb.Time(created), sqldb.Time(dead)
	c.bus.mayWait(d.Consumer)
	c.bus.kickRetries()
	return d, nil
}

// DeadCount counts the dead letters (for metrics; no caller check).
func (b *Bus) DeadCount(ctx context.Context) (int, error) {
	var n int
	err := b.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM event_retry WHERE status = 'dead'`).Scan(&n)
	return n, err
}
