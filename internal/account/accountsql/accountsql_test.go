package accountsql_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/account/accounttest"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func migrate(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := accountsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := accountsql.Migrate(ctx, db); err != nil { // idempotent
		t.Fatalf("second Migrate: %v", err)
	}
}

// TestStore runs the contract suite on both engines, each part on a fresh
// database.
func TestStore(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *sqldb.DB{"sqlite": sqldbtest.SQLite, "postgres": sqldbtest.Postgres} {
		t.Run(name, func(t *testing.T) {
			accounttest.StoreSuite(t, func(t *testing.T) account.Store {
				db := open(t)
				migrate(t, db)
				return accountsql.New(db)
			})
		})
	}
}

type outboxRow struct {
	Topic, Aggregate string
	Payload          map[string]any
}

func outbox(t *testing.T, db *sqldb.DB) []outboxRow {
	t.Helper()
	rows, err := db.Read().Query(`SELECT topic, aggregate, payload FROM event_outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		var p string
		if err := rows.Scan(&r.Topic, &r.Aggregate, &p); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(p), &r.Payload); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		migrate(t, db)
		ctx := context.Background()
		s := accountsql.New(db)
		u := accounttest.NewUser(auth.Seller)
		if err := s.CreateUser(ctx, u, "secret-hash"); err != nil {
			t.Fatal(err)
		}
		// A refused change publishes nothing.
		dup := accounttest.NewUser(auth.Customer)
		dup.Email = u.Email
		_ = s.CreateUser(ctx, dup, "h")
		for range 2 { // the second is a no-op: no second event
			if _, err := s.SetUserStatus(ctx, u.ID, account.UserSuspended, u.CreatedAt); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SetUserStatus(ctx, u.ID, account.UserActive, u.CreatedAt); err != nil {
			t.Fatal(err)
		}
		sel := account.Seller{ID: id.Make[id.Seller](), UserID: u.ID, Name: "Acme", Slug: "acme", Status: account.SellerActive,
			CreatedAt: u.CreatedAt, UpdatedAt: u.CreatedAt}
		if err := s.CreateSeller(ctx, sel); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetSellerStatus(ctx, sel.ID, account.SellerSuspended, u.CreatedAt); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetSellerStatus(ctx, sel.ID, account.SellerActive, u.CreatedAt); err != nil {
			t.Fatal(err)
		}
		want := []outboxRow{
			{account.TopicUserRegistered.Name(), string(u.ID), map[string]any{"user_id": string(u.ID), "email": u.Email, "name": u.Name, "role": "seller"}},
			{account.TopicUserSuspended.Name(), string(u.ID), map[string]any{"user_id": string(u.ID), "role": "seller", "status": "suspended"}},
			{account.TopicUserReinstated.Name(), string(u.ID), map[string]any{"user_id": string(u.ID), "role": "seller", "status": "active"}},
			{account.TopicSellerCreated.Name(), string(sel.ID), map[string]any{"seller_id": string(sel.ID), "user_id": string(u.ID), "name": "Acme", "slug": "acme"}},
			{account.TopicSellerSuspended.Name(), string(sel.ID), map[string]any{"seller_id": string(sel.ID), "user_id": string(u.ID), "status": "suspended"}},
			{account.TopicSellerReinstated.Name(), string(sel.ID), map[string]any{"seller_id": string(sel.ID), "user_id": string(u.ID), "status": "active"}},
		}
		if diff := cmp.Diff(want, outbox(t, db)); diff != "" {
			t.Errorf("outbox mismatch (-want +got):\n%s", diff)
		}
	})
}
