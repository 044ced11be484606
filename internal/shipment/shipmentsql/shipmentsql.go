// Package shipmentsql is the shipment Store on database/sql, for SQLite and
// PostgreSQL. Status moves are conditional UPDATEs (WHERE status = the
// expected one), so two concurrent moves from one status cannot both apply.
package shipmentsql

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

	"github.com/bazaar-market/bazaar/internal/shipment/shipmentevent"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/shipment"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or upgrades the shipment tables.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "shipment", sub)
}

// Store is the shipment store. A Store made by ApplyOnce is bound to its
// transaction: its writes join it and its reads see them.
type Store struct {
	db *sqldb.DB
	tx *sql.Tx // nil unless bound
}

var _ shipment.Store = (*Store)(nil)

// New returns a Store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// querier is *sql.DB or *sql.Tx.
type querier = sqldb.Querier

const shipmentCols = `id, order_id, seller_order_id, seller_id, customer_id, status, carrier, tracking_id, partner_id,
	ship_name, ship_line1, ship_line2, ship_city, ship_region, ship_postal_code, ship_country, ship_phone,
	items, created_at, updated_at, cash_due, cash_currency, cash_collected`

func scanShipment(row interface{ Scan(...any) error }) (shipment.Shipment, error) {
	var s shipment.Shipment
	var items, cashCurrency string
	var created, updated, cashDue int64
	var collected sql.NullInt64
	a := &s.ShippingAddress
	if err := row.Scan(&s.ID, &s.OrderID, &s.SellerOrderID, &s.SellerID, &s.CustomerID, &s.Status, &s.Carrier,
		&s.TrackingID, &s.PartnerID, &a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country,
		&a.Phone, &items, &created, &updated, &cashDue, &cashCurrency, &collected); err != nil {
		return s, err
	}
	if cashDue > 0 {
		s.CashDue = &money.Money{Amount: cashDue, Currency: cashCurrency}
		if collected.Valid {
			s.CashCollected = &money.Money{Amount: collected.Int64, Currency: cashCurrency}
		}
	}
	if err := json.Unmarshal([]byte(items), &s.Items); err != nil {
		return s, fmt.Errorf("decode items of shipment %s: %w", s.ID, err)
	}
	if s.Items == nil {
		s.Items = []shipment.Item{}
	}
	s.CreatedAt, s.UpdatedAt = sqldb.Time(created), sqldb.Time(updated)
	s.Timeline = []shipment.Entry{}
	return s, nil
}

// read returns the bound transaction, or the read pool.
func (s *Store) read() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db.Read()
}

// inTx runs fn in the bound transaction, or in a new one.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	return s.db.Tx(ctx, fn)
}

// ApplyOnce records eventID as applied by consumer and runs fn with a Store
// bound to the same transaction, unless the event was applied before.
func (s *Store) ApplyOnce(ctx context.Context, consumer string, eventID id.Event, fn func(ctx context.Context, st shipment.Store) error) (bool, error) {
	return event.ApplyOnceIn(ctx, s.inTx, consumer, eventID, func(tx *sql.Tx) error {
		return fn(ctx, &Store{db: s.db, tx: tx})
	})
}

// Create inserts the shipments whose seller orders have none yet.
func (s *Store) Create(ctx context.Context, shipments []shipment.Shipment) ([]shipment.Shipment, error) {
	var out []shipment.Shipment
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = nil // the transaction may run again
		for _, shp := range shipments {
			created, err := create(ctx, tx, shp)
			if err != nil {
				return err
			}
			if created != nil {
				out = append(out, *created)
			}
		}
		return nil
	})
	return out, err
}

// create inserts shp unless its seller order has a shipment, retrying with a
// fresh tracking ID if the random one is taken. It returns nil if the seller
// order already had a shipment.
func create(ctx context.Context, tx *sql.Tx, shp shipment.Shipment) (*shipment.Shipment, error) {
	items, err := json.Marshal(shp.Items)
	if err != nil {
		return nil, fmt.Errorf("encode items: %w", err)
	}
	a := shp.ShippingAddress
	var cashDue money.Money
	if shp.CashDue != nil {
		cashDue = *shp.CashDue
	}
	for attempt := 0; ; attempt++ {
		// ON CONFLICT DO NOTHING covers both unique indexes; which one
		// fired is told apart below, without aborting the transaction.
		res, err := tx.ExecContext(ctx, `INSERT INTO shipment_shipment (`+shipmentCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, NULL)
			ON CONFLICT DO NOTHING`,
			shp.ID, shp.OrderID, shp.SellerOrderID, shp.SellerID, shp.CustomerID, string(shp.Status), shp.Carrier,
			shp.TrackingID, shp.PartnerID, a.Name, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country, a.Phone,
			string(items), sqldb.Micros(shp.CreatedAt), sqldb.Micros(shp.UpdatedAt), cashDue.Amount, cashDue.Currency)
		if err != nil {
			return nil, fmt.Errorf("insert shipment for %s: %w", shp.SellerOrderID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 1 {
			break
		}
		var exists int
		err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM shipment_shipment WHERE seller_order_id = $1`,
			shp.SellerOrderID).Scan(&exists)
		if err != nil {
			return nil, err
		}
		if exists > 0 {
			return nil, nil
		}
		if attempt == 5 {
			return nil, fmt.Errorf("insert shipment for %s: no free tracking ID after %d attempts", shp.SellerOrderID, attempt+1)
		}
		shp.TrackingID = shipment.NewTrackingID()
	}
	for _, e := range shp.Timeline {
		if err := insertEntry(ctx, tx, shp.ID, e); err != nil {
			return nil, err
		}
	}
	if err := event.Publish(ctx, tx, shipment.TopicCreated, string(shp.ID), shipment.Created{
		ShipmentID: shp.ID, OrderID: shp.OrderID, SellerOrderID: shp.SellerOrderID, SellerID: shp.SellerID,
		CustomerID: shp.CustomerID, TrackingID: shp.TrackingID, Carrier: shp.Carrier, Status: shipmentevent.Status(shp.Status),
	}); err != nil {
		return nil, err
	}
	stored, err := read(ctx, tx, shp.ID)
	if err != nil {
		return nil, err
	}
	return &stored, nil
}

func insertEntry(ctx context.Context, tx *sql.Tx, shipmentID id.Shipment, e shipment.Entry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO shipment_event (id, shipment_id, status, location, note, proof, actor_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id.New("sev"), shipmentID, string(e.Status), e.Location, e.Note, e.Proof, e.ActorID, sqldb.Micros(e.At))
	if err != nil {
		return fmt.Errorf("add timeline event to %s: %w", shipmentID, err)
	}
	return nil
}

// Cancel cancels the pending or packed shipments of the seller orders.
func (s *Store) Cancel(ctx context.Context, sellerOrderIDs []id.SellerOrder, note string, now time.Time) ([]shipment.Shipment, error) {
	var out []shipment.Shipment
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = cancel(ctx, tx, sellerOrderIDs, note, now)
		return err
	})
	return out, err
}

func cancel(ctx context.Context, tx *sql.Tx, sellerOrderIDs []id.SellerOrder, note string, now time.Time) ([]shipment.Shipment, error) {
	var out []shipment.Shipment
	for _, so := range sellerOrderIDs {
		var shpID string
		var status shipment.Status
		err := tx.QueryRowContext(ctx, `SELECT id, status FROM shipment_shipment WHERE seller_order_id = $1`, so).Scan(&shpID, &status)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read shipment of %s: %w", so, err)
		}
		if !shipment.CanMove(shipment.ByOrder, status, shipment.Cancelled) {
			continue
		}
		shp, err := move(ctx, tx, shipment.Change{ID: id.Shipment(shpID), From: status,
			Entry: shipment.Entry{Status: shipment.Cancelled, Note: note, At: now}})
		if err != nil {
			return nil, err
		}
		out = append(out, shp)
	}
	return out, nil
}

// Move applies one status change in its own transaction.
func (s *Store) Move(ctx context.Context, c shipment.Change) (shipment.Shipment, error) {
	var shp shipment.Shipment
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		shp, err = move(ctx, tx, c)
		return err
	})
	return shp, err
}

func move(ctx context.Context, tx *sql.Tx, c shipment.Change) (shipment.Shipment, error) {
	res, err := tx.ExecContext(ctx, `UPDATE shipment_shipment
		SET status = $1, partner_id = CASE WHEN CAST($2 AS TEXT) = '' THEN partner_id ELSE CAST($2 AS TEXT) END, updated_at = $3
		WHERE id = $4 AND status = $5`,
		string(c.Entry.Status), c.PartnerID, sqldb.Micros(c.Entry.At), c.ID, string(c.From))
	if err != nil {
		return shipment.Shipment{}, fmt.Errorf("update shipment %s: %w", c.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return shipment.Shipment{}, err
	} else if n == 0 {
		var now shipment.Status
		err := tx.QueryRowContext(ctx, `SELECT status FROM shipment_shipment WHERE id = $1`, c.ID).Scan(&now)
		if errors.Is(err, sql.ErrNoRows) {
			return shipment.Shipment{}, apperr.NotFound("shipment %s not found", c.ID)
		}
		if err != nil {
			return shipment.Shipment{}, err
		}
		return shipment.Shipment{}, apperr.Conflict("illegal_transition", "a %s shipment cannot become %s", now, c.Entry.Status)
	}
	if c.CashCollected != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE shipment_shipment SET cash_collected = $1 WHERE id = $2`, c.CashCollected.Amount, c.ID); err != nil {
			return shipment.Shipment{}, fmt.Errorf("record cash collected for %s: %w", c.ID, err)
		}
	}
	if err := insertEntry(ctx, tx, c.ID, c.Entry); err != nil {
		return shipment.Shipment{}, err
	}
	shp, err := read(ctx, tx, c.ID)
	if err != nil {
		return shipment.Shipment{}, err
	}
	if err := event.Publish(ctx, tx, shipment.TopicStatusChanged, string(shp.ID), shipment.StatusChanged{
		ShipmentID: shp.ID, OrderID: shp.OrderID, SellerOrderID: shp.SellerOrderID, SellerID: shp.SellerID,
		CustomerID: shp.CustomerID, PartnerID: shp.PartnerID, Status: shipmentevent.Status(shp.Status), PreviousStatus: shipmentevent.Status(c.From),
		Location: c.Entry.Location, At: sqldb.Time(sqldb.Micros(c.Entry.At)), CashCollected: c.CashCollected,
	}); err != nil {
		return shipment.Shipment{}, err
	}
	return shp, nil
}

// Shipment returns a shipment with its timeline.
func (s *Store) Shipment(ctx context.Context, id id.Shipment) (shipment.Shipment, error) {
	return read(ctx, s.read(), id)
}

func read(ctx context.Context, q querier, id id.Shipment) (shipment.Shipment, error) {
	shp, err := scanShipment(q.QueryRowContext(ctx, `SELECT `+shipmentCols+` FROM shipment_shipment WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return shp, apperr.NotFound("shipment %s not found", id)
	}
	if err != nil {
		return shp, fmt.Errorf("read shipment %s: %w", id, err)
	}
	list := []shipment.Shipment{shp}
	if err := timelines(ctx, q, list); err != nil {
		return shp, err
	}
	return list[0], nil
}

// timelines fills in the timelines of shipments.
func timelines(ctx context.Context, q querier, shipments []shipment.Shipment) error {
	if len(shipments) == 0 {
		return nil
	}
	at := make(map[id.Shipment]int, len(shipments))
	args := make([]any, len(shipments))
	marks := make([]string, len(shipments))
	for i, shp := range shipments {
		at[shp.ID] = i
		args[i] = shp.ID
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	rows, err := q.QueryContext(ctx, `SELECT shipment_id, status, location, note, proof, actor_id, at FROM shipment_event
		WHERE shipment_id IN (`+strings.Join(marks, ", ")+`) ORDER BY shipment_id, at, id`, args...)
	if err != nil {
		return fmt.Errorf("read timelines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var shpID string
		var e shipment.Entry
		var ts int64
		if err := rows.Scan(&shpID, &e.Status, &e.Location, &e.Note, &e.Proof, &e.ActorID, &ts); err != nil {
			return fmt.Errorf("read timelines: %w", err)
		}
		e.At = sqldb.Time(ts)
		i := at[id.Shipment(shpID)]
		shipments[i].Timeline = append(shipments[i].Timeline, e)
	}
	return rows.Err()
}

// Shipments lists shipments matching f, newest first.
func (s *Store) Shipments(ctx context.Context, f shipment.Filter) ([]shipment.Shipment, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.PartnerID != "" {
		add("partner_id = $%d", f.PartnerID)
	}
	if f.SellerID != "" {
		add("seller_id = $%d", f.SellerID)
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.Before != "" {
		add("id < $%d", f.Before)
	}
	query := `SELECT ` + shipmentCols + ` FROM shipment_shipment`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	query += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))

	db := s.read()
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list shipments: %w", err)
	}
	out := []shipment.Shipment{}
	for rows.Next() {
		shp, err := scanShipment(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, shp)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := timelines(ctx, db, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Loads counts the shipments under way per delivery partner.
func (s *Store) Loads(ctx context.Context) (map[id.User]int, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT partner_id, COUNT(*) FROM shipment_shipment
		WHERE status IN ('handed_over', 'picked_up', 'in_transit', 'out_for_delivery', 'failed_attempt')
		AND partner_id <> '' GROUP BY partner_id`)
	if err != nil {
		return nil, fmt.Errorf("read partner loads: %w", err)
	}
	defer rows.Close()
	out := make(map[id.User]int)
	for rows.Next() {
		var pid id.User
		var n int
		if err := rows.Scan(&pid, &n); err != nil {
			return nil, err
		}
		out[pid] = n
	}
	return out, rows.Err()
}
