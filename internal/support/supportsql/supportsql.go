// Package supportsql is the support Store on database/sql, for SQLite and
// PostgreSQL. A ticket or return is changed by reading it under a lock
// (FOR UPDATE on PostgreSQL; SQLite has one writer) and writing it back
// with the events of the change in the same transaction.
package supportsql

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/support"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or upgrades the support tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "support", sub)
}

// Store is the support store.
type Store struct{ db *sqldb.DB }

var _ support.Store = (*Store)(nil)

// New returns a Store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

type querier = sqldb.Querier

// forUpdate locks the rows read on PostgreSQL.
func (s *Store) forUpdate() string {
	if s.db.Dialect == sqldb.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func publish(ctx context.Context, tx *sql.Tx, evs []support.Event) error {
	for _, e := range evs {
		if err := event.PublishRaw(ctx, tx, e.Topic, e.Aggregate, e.Payload); err != nil {
			return err
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return sqldb.Micros(*t)
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := sqldb.Time(v.Int64)
	return &t
}

// ---- tickets

const ticketCols = `id, subject, category, status, priority, customer_id, seller_id, assignee_id, order_id,
	seller_order_id, product_id, return_id, first_response_due, first_response_at, last_reply_by, message_count,
	last_message_at, resolved_at, closed_at, created_at, updated_at, internal_count`

func scanTicket(row interface{ Scan(...any) error }) (support.Ticket, error) {
	var t support.Ticket
	var due, last, created, updated int64
	var first, resolved, closed sql.NullInt64
	var lastBy string
	err := row.Scan(&t.ID, &t.Subject, &t.Category, &t.Status, &t.Priority, &t.CustomerID, &t.SellerID, &t.AssigneeID,
		&t.OrderID, &t.SellerOrderID, &t.ProductID, &t.ReturnID, &due, &first, &lastBy, &t.MessageCount, &last,
		&resolved, &closed, &created, &updated, &t.InternalCount)
	if err != nil {
		return t, err
	}
	t.LastReplyBy = auth.Role(lastBy)
	t.FirstResponseDue, t.LastMessage = sqldb.Time(due), sqldb.Time(last)
	t.CreatedAt, t.UpdatedAt = sqldb.Time(created), sqldb.Time(updated)
	t.FirstResponseAt, t.ResolvedAt, t.ClosedAt = timePtr(first), timePtr(resolved), timePtr(closed)
	return t, nil
}

func ticketArgs(t support.Ticket) []any {
	return []any{t.ID, t.Subject, string(t.Category), string(t.Status), string(t.Priority), t.CustomerID, t.SellerID,
		t.AssigneeID, t.OrderID, t.SellerOrderID, t.ProductID, t.ReturnID, sqldb.Micros(t.FirstResponseDue),
		nullMicros(t.FirstResponseAt), string(t.LastReplyBy), t.MessageCount, sqldb.Micros(t.LastMessage),
		nullMicros(t.ResolvedAt), nullMicros(t.ClosedAt), sqldb.Micros(t.CreatedAt), sqldb.Micros(t.UpdatedAt), t.InternalCount}
}

func getTicket(ctx context.Context, q querier, id id.Ticket, lock string) (support.Ticket, error) {
	t, err := scanTicket(q.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM support_ticket WHERE id = $1`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFound("ticket %s not found", id)
	}
	if err != nil {
		return t, fmt.Errorf("read ticket %s: %w", id, err)
	}
	return t, nil
}

// CreateTicket implements support.Store.
func (s *Store) CreateTicket(ctx context.Context, t support.Ticket, m support.Message, evs []support.Event) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO support_ticket (`+ticketCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7,
			$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`, ticketArgs(t)...); err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		if err := insertMessage(ctx, tx, m); err != nil {
			return err
		}
		return publish(ctx, tx, evs)
	})
}

func insertMessage(ctx context.Context, tx *sql.Tx, m support.Message) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO support_message (id, ticket_id, author_id, author_role, body, internal, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ID, m.TicketID, m.AuthorID, string(m.AuthorRole), m.Body, b2i(m.Internal),
		sqldb.Micros(m.CreatedAt)); err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	for _, a := range m.Attachments {
		res, err := tx.ExecContext(ctx, `UPDATE support_attachment SET ticket_id = $1, message_id = $2
			WHERE id = $3 AND owner_id = $4 AND message_id = '' AND return_id = ''`, m.TicketID, m.ID, a.ID, m.AuthorID)
		if err != nil {
			return fmt.Errorf("attach %s: %w", a.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.NotFound("attachment %s not found (upload it first; each file is attached once)", a.ID)
		}
	}
	return nil
}

// Ticket implements support.Store.
func (s *Store) Ticket(ctx context.Context, id id.Ticket) (support.Ticket, error) {
	return getTicket(ctx, s.db.Read(), id, "")
}

// Messages implements support.Store.
func (s *Store) Messages(ctx context.Context, ticketID id.Ticket) ([]support.Message, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, ticket_id, author_id, author_role, body, internal, created_at
		FROM support_message WHERE ticket_id = $1 ORDER BY created_at, id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	defer rows.Close()
	var out []support.Message
	index := map[id.Message]int{}
	for rows.Next() {
		var m support.Message
		var internal int
		var created int64
		var role string
		if err := rows.Scan(&m.ID, &m.TicketID, &m.AuthorID, &role, &m.Body, &internal, &created); err != nil {
			return nil, fmt.Errorf("read messages: %w", err)
		}
		m.AuthorRole, m.Internal, m.CreatedAt = auth.Role(role), internal == 1, sqldb.Time(created)
		m.Attachments = []support.Attachment{}
		index[m.ID] = len(out)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	as, err := s.attachments(ctx, `ticket_id = $1 AND message_id <> ''`, ticketID)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if i, ok := index[a.MessageID]; ok {
			out[i].Attachments = append(out[i].Attachments, a)
		}
	}
	return out, nil
}

// UpdateTicket implements support.Store.
func (s *Store) UpdateTicket(ctx context.Context, id id.Ticket, fn func(t *support.Ticket) ([]support.Event, error)) (support.Ticket, error) {
	t, _, err := s.change(ctx, id, func(t *support.Ticket) (*support.Message, []support.Event, error) {
		evs, err := fn(t)
		return nil, evs, err
	})
	return t, err
}

// AddMessage implements support.Store.
func (s *Store) AddMessage(ctx context.Context, ticketID id.Ticket, fn func(t *support.Ticket) (support.Message, []support.Event, error)) (support.Ticket, support.Message, error) {
	var msg support.Message
	t, _, err := s.change(ctx, ticketID, func(t *support.Ticket) (*support.Message, []support.Event, error) {
		m, evs, err := fn(t)
		msg = m
		return &m, evs, err
	})
	return t, msg, err
}

func (s *Store) change(ctx context.Context, id id.Ticket, fn func(t *support.Ticket) (*support.Message, []support.Event, error)) (support.Ticket, bool, error) {
	var out support.Ticket
	changed := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := getTicket(ctx, tx, id, s.forUpdate())
		if err != nil {
			return err
		}
		orig := t
		m, evs, err := fn(&t)
		if errors.Is(err, support.ErrUnchanged) {
			out, changed = orig, false
			return nil
		}
		if err != nil {
			return err
		}
		if t.ID != orig.ID || t.CustomerID != orig.CustomerID {
			return fmt.Errorf("ticket %s: a change may not alter its identity", id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE support_ticket SET subject = $1, category = $2, status = $3, priority = $4,
			seller_id = $5, assignee_id = $6, first_response_due = $7, first_response_at = $8, last_reply_by = $9,
			message_count = $10, last_message_at = $11, resolved_at = $12, closed_at = $13, updated_at = $14,
			internal_count = $15 WHERE id = $16`, t.Subject, string(t.Category), string(t.Status), string(t.Priority), t.SellerID, t.AssigneeID,
			sqldb.Micros(t.FirstResponseDue), nullMicros(t.FirstResponseAt), string(t.LastReplyBy), t.MessageCount,
			sqldb.Micros(t.LastMessage), nullMicros(t.ResolvedAt), nullMicros(t.ClosedAt), sqldb.Micros(t.UpdatedAt),
			t.InternalCount, t.ID); err != nil {
			return fmt.Errorf("update ticket %s: %w", id, err)
		}
		if m != nil {
			if err := insertMessage(ctx, tx, *m); err != nil {
				return err
			}
		}
		out, changed = t, true
		return publish(ctx, tx, evs)
	})
	return out, changed, err
}

// Tickets implements support.Store.
func (s *Store) Tickets(ctx context.Context, f support.TicketFilter) ([]support.Ticket, error) {
	var where []string
	var args []any
	add := func(cond string, v ...any) {
		for _, x := range v {
			args = append(args, x)
			cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(args)), 1)
		}
		where = append(where, cond)
	}
	const open = `status NOT IN ('resolved', 'closed')`
	if f.CustomerID != "" {
		add(`customer_id = ?`, f.CustomerID)
	}
	if f.SellerID != "" {
		add(`seller_id = ?`, f.SellerID)
	}
	if f.Status != "" {
		add(`status = ?`, string(f.Status))
	}
	if f.Open {
		add(open)
	}
	if f.AssigneeID != "" {
		add(`assignee_id = ?`, f.AssigneeID)
	}
	if f.Unassigned {
		add(`assignee_id = ''`)
	}
	if f.Priority != "" {
		add(`priority = ?`, string(f.Priority))
	}
	if !f.OverdueAt.IsZero() {
		add(`first_response_at IS NULL AND `+open+` AND first_response_due < ?`, sqldb.Micros(f.OverdueAt))
	}
	if f.OrderID != "" {
		add(`order_id = ?`, f.OrderID)
	}
	if f.SellerOrderID != "" {
		add(`seller_order_id = ?`, f.SellerOrderID)
	}
	if f.ReturnID != "" {
		add(`return_id = ?`, f.ReturnID)
	}
	cond := "1 = 1"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	var q string
	if f.Sort == support.Due {
		// qr: 0 while a first response is awaited (ordered by due time),
		// 1 after (ordered by latest message, newest first).
		inner := `SELECT ` + ticketCols + `,
			CASE WHEN first_response_at IS NULL AND ` + open + ` THEN 0 ELSE 1 END AS qr,
			CASE WHEN first_response_at IS NULL AND ` + open + ` THEN first_response_due ELSE -last_message_at END AS qk
			FROM support_ticket WHERE ` + cond
		outer := "1 = 1"
		if c := f.After; c != nil {
			r, k := 0, sqldb.Micros(c.Key)
			if c.Responded {
				r, k = 1, -k
			}
			args = append(args, r, k, c.ID)
			n := len(args)
			outer = fmt.Sprintf(`(qr > $%d OR qr = $%d AND (qk > $%d OR qk = $%d AND id > $%d))`, n-2, n-2, n-1, n-1, n)
		}
		q = `SELECT ` + ticketCols + ` FROM (` + inner + `) t WHERE ` + outer + ` ORDER BY qr, qk, id`
	} else {
		if f.After != nil {
			args = append(args, f.After.ID)
			cond += fmt.Sprintf(` AND id < $%d`, len(args))
		}
		q = `SELECT ` + ticketCols + ` FROM support_ticket WHERE ` + cond + ` ORDER BY id DESC`
	}
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	out := []support.Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("list tickets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ResolvedBefore implements support.Store.
func (s *Store) ResolvedBefore(ctx context.Context, t time.Time, limit int) ([]string, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id FROM support_ticket WHERE status = 'resolved' AND resolved_at < $1
		ORDER BY resolved_at LIMIT `+fmt.Sprint(limit), sqldb.Micros(t))
	if err != nil {
		return nil, fmt.Errorf("find resolved tickets: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ---- attachments

const attachmentCols = `id, owner_id, name, content_type, size, sha256, ticket_id, message_id, return_id, created_at`

func (s *Store) attachments(ctx context.Context, cond string, args ...any) ([]support.Attachment, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+attachmentCols+` FROM support_attachment WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read attachments: %w", err)
	}
	defer rows.Close()
	var out []support.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("read attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func scanAttachment(row interface{ Scan(...any) error }) (support.Attachment, error) {
	var a support.Attachment
	var created int64
	err := row.Scan(&a.ID, &a.OwnerID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.TicketID, &a.MessageID, &a.ReturnID, &created)
	a.CreatedAt, a.URL = sqldb.Time(created), support.AttachmentURL(a.ID)
	return a, err
}

// SaveAttachment implements support.Store.
func (s *Store) SaveAttachment(ctx context.Context, a support.Attachment) error {
	_, err := s.db.Exec(ctx, `INSERT INTO support_attachment (`+attachmentCols+`) VALUES ($1, $2, $3, $4, $5, $6, '', '', '', $7)`,
		a.ID, a.OwnerID, a.Name, a.ContentType, a.Size, a.SHA256, sqldb.Micros(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("save attachment: %w", err)
	}
	return nil
}

// Attachment implements support.Store.
func (s *Store) Attachment(ctx context.Context, id id.Attachment) (support.Attachment, error) {
	a, err := scanAttachment(s.db.Read().QueryRowContext(ctx, `SELECT `+attachmentCols+` FROM support_attachment WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("attachment %s not found", id)
	}
	if err != nil {
		return a, fmt.Errorf("read attachment %s: %w", id, err)
	}
	return a, nil
}

// DeleteOrphans implements support.Store.
func (s *Store) DeleteOrphans(ctx context.Context, before time.Time, limit int) ([]string, error) {
	var ids []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		ids = nil
		rows, err := tx.QueryContext(ctx, `SELECT id FROM support_attachment WHERE message_id = '' AND return_id = ''
			AND created_at < $1 ORDER BY created_at LIMIT `+fmt.Sprint(limit)+s.forUpdate(), sqldb.Micros(before))
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM support_attachment WHERE id = $1 AND message_id = '' AND return_id = ''`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete unattached uploads: %w", err)
	}
	return ids, nil
}

// ---- returns

const returnCols = `id, order_id, seller_order_id, seller_id, customer_id, status, lines, comment, auto_approved,
	reject_reason, currency, restocking_fee, refund, restocked, pickup, delivered_at, timeline, created_at, updated_at,
	exchange_order_id`

func scanReturn(row interface{ Scan(...any) error }) (support.Return, error) {
	var r support.Return
	var lines, pickup, timeline, currency string
	var auto int
	var fee, refund, delivered, created, updated int64
	if err := row.Scan(&r.ID, &r.OrderID, &r.SellerOrderID, &r.SellerID, &r.CustomerID, &r.Status, &lines, &r.Comment,
		&auto, &r.RejectReason, &currency, &fee, &refund, &r.Restocked, &pickup, &delivered, &timeline, &created, &updated,
		&r.ExchangeOrderID); err != nil {
		return r, err
	}
	r.AutoApproved = auto == 1
	r.RestockingFee, r.Refund = money.New(fee, currency), money.New(refund, currency)
	r.DeliveredAt, r.CreatedAt, r.UpdatedAt = sqldb.Time(delivered), sqldb.Time(created), sqldb.Time(updated)
	if err := json.Unmarshal([]byte(lines), &r.Lines); err != nil {
		return r, fmt.Errorf("decode lines of return %s: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(timeline), &r.Timeline); err != nil {
		return r, fmt.Errorf("decode timeline of return %s: %w", r.ID, err)
	}
	if pickup != "" {
		r.Pickup = &support.Pickup{}
		if err := json.Unmarshal([]byte(pickup), r.Pickup); err != nil {
			return r, fmt.Errorf("decode pickup of return %s: %w", r.ID, err)
		}
	}
	r.Photos = []support.Attachment{}
	return r, nil
}

func returnArgs(r support.Return) ([]any, error) {
	lines, err := json.Marshal(r.Lines)
	if err != nil {
		return nil, err
	}
	timeline, err := json.Marshal(r.Timeline)
	if err != nil {
		return nil, err
	}
	pickup, partner, pstatus := "", "", ""
	if r.Pickup != nil {
		b, err := json.Marshal(r.Pickup)
		if err != nil {
			return nil, err
		}
		pickup, partner, pstatus = string(b), string(r.Pickup.PartnerID), string(r.Pickup.Status)
	}
	return []any{r.ID, r.OrderID, r.SellerOrderID, r.SellerID, r.CustomerID, string(r.Status), string(lines), r.Comment,
		b2i(r.AutoApproved), r.RejectReason, r.Refund.Currency, r.RestockingFee.Amount, r.Refund.Amount, r.Restocked,
		pickup, sqldb.Micros(r.DeliveredAt), string(timeline), sqldb.Micros(r.CreatedAt), sqldb.Micros(r.UpdatedAt),
		r.ExchangeOrderID, partner, pstatus}, nil
}

func (s *Store) getReturn(ctx context.Context, q querier, id id.Return, lock string) (support.Return, error) {
	r, err := scanReturn(q.QueryRowContext(ctx, `SELECT `+returnCols+` FROM support_return WHERE id = $1`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("return %s not found", id)
	}
	if err != nil {
		return r, fmt.Errorf("read return %s: %w", id, err)
	}
	return r, nil
}

// CreateReturn implements support.Store.
func (s *Store) CreateReturn(ctx context.Context, r support.Return, limits map[string]int64, evs []support.Event) error {
	args, err := returnArgs(r)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Take the seller order's lock row: concurrent requests for one
		// seller order queue here, so each counts the others' units.
		if _, err := tx.ExecContext(ctx, `INSERT INTO support_return_lock (seller_order_id, n) VALUES ($1, 1)
			ON CONFLICT (seller_order_id) DO UPDATE SET n = support_return_lock.n + 1`, r.SellerOrderID); err != nil {
			return fmt.Errorf("lock returns of %s: %w", r.SellerOrderID, err)
		}
		taken, err := returned(ctx, tx, r.SellerOrderID)
		if err != nil {
			return err
		}
		for i, l := range r.Lines {
			if taken[l.SKU]+l.Quantity > limits[l.SKU] {
				left := max(0, limits[l.SKU]-taken[l.SKU])
				return &apperr.Error{Kind: apperr.KindUnprocessable, Code: "quantity_exceeds_delivered",
					Message: fmt.Sprintf("only %d of %s can still be returned", left, l.SKU),
					Fields:  []apperr.FieldError{{Field: fmt.Sprintf("lines[%d].quantity", i), Message: fmt.Sprintf("must be at most %d", left)}}}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO support_return (`+returnCols+`, partner_id, pickup_status) VALUES ($1, $2, $3,
			$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`, args...); err != nil {
			return fmt.Errorf("insert return: %w", err)
		}
		for _, p := range r.Photos {
			res, err := tx.ExecContext(ctx, `UPDATE support_attachment SET return_id = $1
				WHERE id = $2 AND owner_id = $3 AND message_id = '' AND return_id = ''`, r.ID, p.ID, r.CustomerID)
			if err != nil {
				return fmt.Errorf("attach %s: %w", p.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return apperr.NotFound("attachment %s not found (upload it first; each file is attached once)", p.ID)
			}
		}
		return publish(ctx, tx, evs)
	})
}

func returned(ctx context.Context, q querier, sellerOrderID id.SellerOrder) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT lines FROM support_return WHERE seller_order_id = $1
		AND status NOT IN ('rejected', 'cancelled')`, sellerOrderID)
	if err != nil {
		return nil, fmt.Errorf("read returns of %s: %w", sellerOrderID, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var lines []support.ReturnLine
		if err := json.Unmarshal([]byte(b), &lines); err != nil {
			return nil, err
		}
		for _, l := range lines {
			out[l.SKU] += l.Quantity
		}
	}
	return out, rows.Err()
}

// Returned implements support.Store.
func (s *Store) Returned(ctx context.Context, sellerOrderID id.SellerOrder) (map[string]int64, error) {
	return returned(ctx, s.db.Read(), sellerOrderID)
}

// Return implements support.Store.
func (s *Store) Return(ctx context.Context, id id.Return) (support.Return, error) {
	r, err := s.getReturn(ctx, s.db.Read(), id, "")
	if err != nil {
		return r, err
	}
	as, err := s.attachments(ctx, `return_id = $1`, id)
	if err != nil {
		return r, err
	}
	if as != nil {
		r.Photos = as
	}
	return r, nil
}

// UpdateReturn implements support.Store.
func (s *Store) UpdateReturn(ctx context.Context, id id.Return, fn func(r *support.Return) ([]support.Event, error)) (support.Return, error) {
	var out support.Return
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.getReturn(ctx, tx, id, s.forUpdate())
		if err != nil {
			return err
		}
		orig := r
		r.Lines = append([]support.ReturnLine(nil), r.Lines...)
		r.Timeline = append([]support.Entry(nil), r.Timeline...)
		evs, err := fn(&r)
		if errors.Is(err, support.ErrUnchanged) {
			out = orig
			return nil
		}
		if err != nil {
			return err
		}
		if r.ID != orig.ID || r.SellerOrderID != orig.SellerOrderID || r.CustomerID != orig.CustomerID {
			return fmt.Errorf("return %s: a change may not alter its identity", id)
		}
		a, err := returnArgs(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE support_return SET status = $2, lines = $3, reject_reason = $4,
			restocking_fee = $5, refund = $6, restocked = $7, pickup = $8, partner_id = $9, pickup_status = $10,
			timeline = $11, updated_at = $12, auto_approved = $13, exchange_order_id = $14 WHERE id = $1`,
			a[0], a[5], a[6], a[9], a[11], a[12], a[13], a[14], a[20], a[21], a[16], a[18], a[8], a[19]); err != nil {
			return fmt.Errorf("update return %s: %w", id, err)
		}
		out = r
		return publish(ctx, tx, evs)
	})
	if err != nil {
		return support.Return{}, err
	}
	as, err := s.attachments(ctx, `return_id = $1`, id)
	if err != nil {
		return out, err
	}
	out.Photos = []support.Attachment{}
	if as != nil {
		out.Photos = as
	}
	return out, nil
}

// Returns implements support.Store.
func (s *Store) Returns(ctx context.Context, f support.ReturnFilter) ([]support.Return, error) {
	var where []string
	var args []any
	add := func(col string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if f.CustomerID != "" {
		add("customer_id", f.CustomerID)
	}
	if f.SellerID != "" {
		add("seller_id", f.SellerID)
	}
	if f.PartnerID != "" {
		add("partner_id", f.PartnerID)
	}
	if f.Status != "" {
		add("status", string(f.Status))
	}
	if f.SellerOrderID != "" {
		add("seller_order_id", f.SellerOrderID)
	}
	if f.OrderID != "" {
		add("order_id", f.OrderID)
	}
	if f.Before != "" {
		args = append(args, f.Before)
		where = append(where, fmt.Sprintf("id < $%d", len(args)))
	}
	cond := "1 = 1"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	q := `SELECT ` + returnCols + ` FROM support_return WHERE ` + cond + ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list returns: %w", err)
	}
	out := []support.Return{}
	for rows.Next() {
		r, err := scanReturn(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list returns: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		as, err := s.attachments(ctx, `return_id = $1`, out[i].ID)
		if err != nil {
			return nil, err
		}
		if as != nil {
			out[i].Photos = as
		}
	}
	return out, nil
}

// PartnerLoads implements support.Store.
func (s *Store) PartnerLoads(ctx context.Context) (map[id.User]int, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT partner_id, COUNT(*) FROM support_return
		WHERE partner_id <> '' AND pickup_status IN ('scheduled', 'picked_up', 'failed_attempt') GROUP BY partner_id`)
	if err != nil {
		return nil, fmt.Errorf("count pickups: %w", err)
	}
	defer rows.Close()
	out := map[id.User]int{}
	for rows.Next() {
		var uid id.User
		var n int
		if err := rows.Scan(&uid, &n); err != nil {
			return nil, err
		}
		out[uid] = n
	}
	return out, rows.Err()
}

// ---- policies

// Policy implements support.Store.
func (s *Store) Policy(ctx context.Context, sellerID id.Seller) (support.Policy, error) {
	p := support.Policy{SellerID: sellerID, WindowDays: support.DefaultWindowDays, AutoApprove: []support.Reason{}}
	var auto string
	var updated int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT window_days, auto_approve, updated_at FROM support_policy WHERE seller_id = $1`,
		sellerID).Scan(&p.WindowDays, &auto, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read return policy of %s: %w", sellerID, err)
	}
	if err := json.Unmarshal([]byte(auto), &p.AutoApprove); err != nil {
		return p, fmt.Errorf("decode return policy of %s: %w", sellerID, err)
	}
	p.UpdatedAt = sqldb.Time(updated)
	return p, nil
}

// SetPolicy implements support.Store.
func (s *Store) SetPolicy(ctx context.Context, p support.Policy) error {
	auto, err := json.Marshal(p.AutoApprove)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO support_policy (seller_id, window_days, auto_approve, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (seller_id) DO UPDATE SET window_days = excluded.window_days, auto_approve = excluded.auto_approve,
		updated_at = excluded.updated_at`, p.SellerID, p.WindowDays, string(auto), sqldb.Micros(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("write return policy: %w", err)
	}
	return nil
}

// NonReturnable implements support.Store.
func (s *Store) NonReturnable(ctx context.Context) (map[id.Category]bool, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT category_id FROM support_category_rule WHERE returnable = 0`)
	if err != nil {
		return nil, fmt.Errorf("read category rules: %w", err)
	}
	defer rows.Close()
	out := map[id.Category]bool{}
	for rows.Next() {
		var cid id.Category
		if err := rows.Scan(&cid); err != nil {
			return nil, err
		}
		out[cid] = true
	}
	return out, rows.Err()
}

// SetReturnable implements support.Store.
func (s *Store) SetReturnable(ctx context.Context, categoryID id.Category, returnable bool, now time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO support_category_rule (category_id, returnable, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (category_id) DO UPDATE SET returnable = excluded.returnable, updated_at = excluded.updated_at`,
		categoryID, b2i(returnable), sqldb.Micros(now))
	if err != nil {
		return fmt.Errorf("write category rule: %w", err)
	}
	return nil
}
