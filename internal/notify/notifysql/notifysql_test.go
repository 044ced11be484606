package notifysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/notify/notifysql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// TestApply: one notification and one mail per (event, recipient), and
// an event applied once per consumer, on both engines.
func TestApply(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := notifysql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		s := notifysql.New(db)
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		n := func(nid notify.ID) notify.Notification {
			return notify.Notification{ID: nid, Recipient: "usr_a", Category: notify.CategoryOrder, Title: "t", EventID: "evt_1", CreatedAt: now}
		}
		m := func(mid notify.MailID) notify.Mail {
			return notify.Mail{ID: mid, EventID: "evt_1", Recipient: "usr_a", To: "a@example.com", Subject: "s", Status: notify.MailPending, NextAt: now, CreatedAt: now}
		}
		ok, err := s.Apply(ctx, "notify", "evt_1", []notify.Notification{n("ntf_1"), n("ntf_2")}, []notify.Mail{m("mal_1"), m("mal_2")})
		if !ok || err != nil {
			t.Fatalf("Apply = %v, %v, want applied", ok, err)
		}
		ok, err = s.Apply(ctx, "notify", "evt_1", []notify.Notification{n("ntf_3")}, []notify.Mail{m("mal_3")})
		if ok || err != nil {
			t.Fatalf("Apply again = %v, %v, want skipped", ok, err)
		}
		ns, err := s.Notifications(ctx, "usr_a", nil, 10)
		if err != nil || len(ns) != 1 || ns[0].ID != "ntf_1" {
			t.Errorf("Notifications = %+v, %v, want only ntf_1", ns, err)
		}
		ms, err := s.Mails(ctx, notify.MailFilter{})
		if err != nil || len(ms) != 1 || ms[0].ID != "mal_1" {
			t.Errorf("Mails = %+v, %v, want only mal_1", ms, err)
		}
		due, err := s.DueMails(ctx, now.Add(-time.Second), 10)
		if err != nil || len(due) != 0 {
			t.Errorf("DueMails(before its time) = %d, %v, want none", len(due), err)
		}
		due, err = s.DueMails(ctx, now, 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("DueMails(now) = %d, %v, want one", len(due), err)
		}
		due[0].Status, due[0].Attempts, due[0].LastError = notify.MailDead, 8, "550 no such user"
		if err := s.UpdateMail(ctx, due[0]); err != nil {
			t.Fatal(err)
		}
		got, err := s.Mail(ctx, "mal_1")
		if err != nil || got.Status != notify.MailDead || got.Attempts != 8 || got.LastError != "550 no such user" {
			t.Errorf("Mail after update = %+v, %v", got, err)
		}
		if ms, _ := s.Mails(ctx, notify.MailFilter{Status: notify.MailPending}); len(ms) != 0 {
			t.Errorf("pending mails = %d, want 0", len(ms))
		}
	})
}
