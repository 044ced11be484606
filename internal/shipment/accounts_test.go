package shipment_test

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/account/accounttest"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventbrokertest"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/shipment"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentsql"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmenttest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// TestWithAccounts runs handover against the real account service (the
// wiring's Partners): sellers own shipments through their stores, partners
// are chosen among active delivery users, suspended ones are skipped.
func TestWithAccounts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for _, m := range []func(context.Context, *sqldb.DB) error{event.Migrate, accountsql.Migrate, shipmentsql.Migrate} {
			if err := m(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		accStore := accountsql.New(db)
		accounts := account.New(accStore, auth.NewTokens(ed25519.NewKeyFromSeed(make([]byte, 32)), time.Minute), account.Options{})
		mk := func(role auth.Role) account.User {
			u := accounttest.NewUser(role)
			if err := accStore.CreateUser(ctx, u, "x"); err != nil {
				t.Fatal(err)
			}
			return u
		}
		seller := mk(auth.Seller)
		store := account.Seller{ID: id.Make[id.Seller](), UserID: seller.ID, Name: "Shop", Slug: "shop-" + string(seller.ID),
			Status: account.SellerActive, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := accStore.CreateSeller(ctx, store); err != nil {
			t.Fatal(err)
		}
		p1, p2 := mk(auth.Delivery), mk(auth.Delivery)
		mk(auth.Customer)

		svc := shipment.New(shipmentsql.New(db), shipmenttest.NewOrders(), accounts, shipment.Options{})
		bus := eventbrokertest.Bus(t, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		svc.Subscribe(bus)
		e := &env{t: t, db: db, bus: bus, store: shipmentsql.New(db), svc: svc}
		sctx := auth.With(ctx, auth.Principal{UserID: seller.ID, Role: auth.Seller})
		handover := func(in shipment.HandoverInput) (shipment.Shipment, error) {
			t.Helper()
			shp := e.paid(string(store.ID))[0]
			if _, err := svc.Pack(sctx, shp.ID); err != nil {
				t.Fatal(err)
			}
			return svc.Handover(sctx, shp.ID, in)
		}

		if got, err := handover(shipment.HandoverInput{}); err != nil || got.PartnerID != p1.ID {
			t.Errorf("first Handover = %q, %v; want %s (lowest ID)", got.PartnerID, err, p1.ID)
		}
		if got, err := handover(shipment.HandoverInput{}); err != nil || got.PartnerID != p2.ID {
			t.Errorf("second Handover = %q, %v; want %s (least loaded)", got.PartnerID, err, p2.ID)
		}
		if _, err := accStore.SetUserStatus(ctx, p1.ID, account.UserSuspended, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, err := handover(shipment.HandoverInput{}); err != nil || got.PartnerID != p2.ID {
			t.Errorf("Handover with p1 suspended = %q, %v; want %s", got.PartnerID, err, p2.ID)
		}
		_, err := handover(shipment.HandoverInput{PartnerID: p1.ID})
		wantErr(t, "Handover to a suspended partner", err, apperr.KindUnprocessable, "invalid_partner")
		if got, err := handover(shipment.HandoverInput{PartnerID: p2.ID}); err != nil || got.PartnerID != p2.ID {
			t.Errorf("Handover to p2 = %q, %v", got.PartnerID, err)
		}
	})
}
