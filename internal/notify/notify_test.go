package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/notify/notifysql"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentevent"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// bus is an event.Subscriber that hands events to the handlers directly.
type bus struct{ h map[string]event.Handler }

func (b *bus) Subscribe(consumer, topic string, h event.Handler) {
	if consumer != notify.Consumer {
		panic("consumer " + consumer)
	}
	b.h[topic] = h
}

// send delivers an event of topic with payload p under the event ID eid.
func (b *bus) send(t *testing.T, eid id.Event, topic string, p any) {
	t.Helper()
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := b.h[topic]
	if !ok {
		t.Fatalf("notify does not subscribe to %s", topic)
	}
	if err := h(context.Background(), event.Event{ID: eid, Topic: topic, Payload: raw, Time: time.Now()}); err != nil {
		t.Fatalf("handle %s: %v", topic, err)
	}
}

// people is a fake notify.People.
type people struct{ owners map[id.Seller]id.User }

func (p people) Contact(ctx context.Context, u id.User) (notify.Contact, error) {
	return notify.Contact{Email: string(u) + "@example.com", Name: "Name of " + string(u)}, nil
}

func (p people) SellerOwner(ctx context.Context, s id.Seller) (id.User, error) {
	if u, ok := p.owners[s]; ok {
		return u, nil
	}
	return "", apperr.NotFound("seller %s not found", s)
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	svc   *notify.Service
	store *notifysql.Store
	bus   *bus
	clock *clock
}

func newEnv(t *testing.T, db *sqldb.DB, opts notify.Options) env {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := notifysql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	opts.Now = c.now
	st := notifysql.New(db)
	svc := notify.New(st, people{owners: map[id.Seller]id.User{"sel_a": "usr_seller_a", "sel_b": "usr_seller_b"}}, opts)
	b := &bus{h: map[string]event.Handler{}}
	svc.Subscribe(b)
	return env{svc: svc, store: st, bus: b, clock: c}
}

func as(u id.User, r auth.Role) context.Context {
	return auth.With(context.Background(), auth.Principal{UserID: u, Role: r})
}

func paidEvent() order.PaidEvent {
	return order.PaidEvent{OrderID: "ord_1", CustomerID: "usr_ann", PaidAt: time.Now(), SellerOrders: []order.PaidSeller{
		{SellerOrderID: "sor_1", SellerID: "sel_a", Lines: []order.PaidLine{{SKU: "A", Quantity: 2}}},
		{SellerOrderID: "sor_2", SellerID: "sel_b", Lines: []order.PaidLine{{SKU: "B", Quantity: 1}}},
		{SellerOrderID: "sor_3", SellerID: "sel_gone", Lines: []order.PaidLine{{SKU: "C", Quantity: 1}}},
	}}
}

// TestExactlyOnce: an event delivered twice (and a second time after a
// new delivery of the first) makes one notification and one mail per
// recipient.
func TestExactlyOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db, notify.Options{})
		for range 3 {
			e.bus.send(t, "evt_paid", order.TopicPaid.Name(), paidEvent())
		}
		for _, c := range []struct {
			user  id.User
			title string
			link  string
		}{
			{"usr_ann", "Order confirmed", "/orders/ord_1"},
			{"usr_seller_a", "New order to fulfil", "/seller/orders"},
			{"usr_seller_b", "New order to fulfil", "/seller/orders"},
		} {
			in, err := e.svc.Inbox(as(c.user, auth.Customer), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(in.Items) != 1 || in.Unread != 1 {
				t.Fatalf("inbox of %s = %d items, %d unread, want 1 and 1", c.user, len(in.Items), in.Unread)
			}
			n := in.Items[0]
			if n.Title != c.title || n.Link != c.link || n.EventID != "evt_paid" {
				t.Errorf("notification of %s = %+v, want title %q link %q", c.user, n, c.title, c.link)
			}
		}
		ms, err := e.svc.Mails(as("usr_adm", auth.Admin), notify.MailQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms.Items) != 3 {
			t.Fatalf("outbox has %d mails, want 3 (customer and two sellers)", len(ms.Items))
		}
		for _, m := range ms.Items {
			if m.Status != notify.MailPending || m.Text != "" {
				t.Errorf("listed mail %+v, want pending without bodies", m)
			}
			if (m.Category == notify.CategoryOrder) != (m.Unsubscribe == "") {
				t.Errorf("mail %s of category %s has unsubscribe %q: only non-transactional mail has one", m.ID, m.Category, m.Unsubscribe)
			}
		}
	})
}

// TestRecipients: which events tell whom, and which are ignored.
func TestRecipients(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db, notify.Options{})
		e.bus.send(t, "evt_1", order.TopicPlaced.Name(), order.Placed{OrderID: "ord_1", CustomerID: "usr_ann", Total: money.New(1999, "USD")})
		e.bus.send(t, "evt_1r", order.TopicPlaced.Name(), order.Placed{OrderID: "ord_r", CustomerID: "usr_ann", Total: money.New(0, "USD")}) // a replacement: paid tells
		e.bus.send(t, "evt_2", order.TopicCancelled.Name(), order.CancelledEvent{OrderID: "ord_1", CustomerID: "usr_ann", Whole: true, Reason: "changed my mind", RefundRequired: true})
		e.bus.send(t, "evt_3", order.TopicStatusChanged.Name(), order.StatusChanged{OrderID: "ord_1", CustomerID: "usr_ann", Status: order.Paid})
		e.bus.send(t, "evt_4", order.TopicStatusChanged.Name(), order.StatusChanged{OrderID: "ord_1", CustomerID: "usr_ann", Status: order.Refunded})
		e.bus.send(t, "evt_5", shipmentevent.TopicStatusChanged.Name(), shipmentevent.StatusChanged{OrderID: "ord_1", CustomerID: "usr_ann", SellerID: "sel_a", Status: "packed"})
		e.bus.send(t, "evt_6", shipmentevent.TopicStatusChanged.Name(), shipmentevent.StatusChanged{OrderID: "ord_1", CustomerID: "usr_ann", SellerID: "sel_a", Status: "out_for_delivery"})
		e.bus.send(t, "evt_7", shipmentevent.TopicStatusChanged.Name(), shipmentevent.StatusChanged{OrderID: "ord_1", CustomerID: "usr_ann", SellerID: "sel_a", Status: "returned_to_seller"})
		e.bus.send(t, "evt_8", supportevent.TopicReturnRequested.Name(), supportevent.Return{ReturnID: "ret_1", CustomerID: "usr_ann", SellerID: "sel_a"})
		e.bus.send(t, "evt_9", supportevent.TopicReturnRefunded.Name(), supportevent.Return{ReturnID: "ret_1", CustomerID: "usr_ann", SellerID: "sel_a", Refund: &money.Money{Amount: 1999, Currency: "USD"}})
		e.bus.send(t, "evt_10", supportevent.TopicTicketReplied.Name(), supportevent.TicketReplied{TicketID: "tkt_1", CustomerID: "usr_ann", SellerID: "sel_a", AuthorID: "usr_agent", AuthorRole: "support", Internal: true})
		e.bus.send(t, "evt_11", supportevent.TopicTicketReplied.Name(), supportevent.TicketReplied{TicketID: "tkt_1", CustomerID: "usr_ann", SellerID: "sel_a", AuthorID: "usr_seller_a", AuthorRole: "seller"})
		titles := func(u id.User) string {
			in, err := e.svc.Inbox(as(u, auth.Customer), "", 100)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for i := len(in.Items) - 1; i >= 0; i-- {
				out = append(out, in.Items[i].Title)
			}
			return strings.Join(out, "|")
		}
		if got, want := titles("usr_ann"), "Order placed|Order cancelled|Order refunded|Out for delivery|Parcel returned|Return refunded|New reply to your ticket"; got != want {
			t.Errorf("customer's inbox = %s, want %s", got, want)
		}
		if got, want := titles("usr_seller_a"), "Parcel returned to you|Return requested"; got != want {
			t.Errorf("seller's inbox = %s, want %s", got, want)
		}
		m, err := e.svc.Mails(as("usr_adm", auth.Admin), notify.MailQuery{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		full, err := e.svc.Mail(as("usr_adm", auth.Admin), m.Items[len(m.Items)-1].ID) // the cancellation, the oldest mail
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Order cancelled", "changed my mind", "http://localhost:8080/orders/ord_1", "Name of usr_ann"} {
			if !strings.Contains(full.Text, want) || !strings.Contains(full.HTML, want) {
				t.Errorf("mail %q lacks %q in a part:\n%s\n%s", full.Subject, want, full.Text, full.HTML)
			}
		}
	})
}

// TestInbox: paging newest first, read one and all, unread counts, and
// another user's notification answers NotFound.
func TestInbox(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db, notify.Options{})
		for i := range 5 {
			e.clock.add(time.Second)
			e.bus.send(t, id.Event(fmt.Sprintf("evt_%d", i)), order.TopicPlaced.Name(), order.Placed{OrderID: id.Order(fmt.Sprintf("ord_%d", i)), CustomerID: "usr_ann", Total: money.New(500, "USD")})
		}
		ann := as("usr_ann", auth.Customer)
		var got []string
		cursor := ""
		for range 5 {
			in, err := e.svc.Inbox(ann, cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			if in.Unread != 5 {
				t.Errorf("unread = %d, want 5", in.Unread)
			}
			for _, n := range in.Items {
				got = append(got, n.Link)
			}
			if cursor = in.NextCursor; cursor == "" {
				break
			}
		}
		if want := "/orders/ord_4 /orders/ord_3 /orders/ord_2 /orders/ord_1 /orders/ord_0"; strings.Join(got, " ") != want {
			t.Errorf("pages = %v, want %s", got, want)
		}
		if _, err := e.svc.Inbox(ann, "bogus!", 2); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("Inbox(bad cursor) = %v, want invalid", err)
		}
		in, _ := e.svc.Inbox(ann, "", 1)
		first := in.Items[0].ID
		if _, err := e.svc.MarkRead(as("usr_bob", auth.Customer), first); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("MarkRead(another's) = %v, want NotFound", err)
		}
		n, err := e.svc.MarkRead(ann, first)
		if err != nil || n.ReadAt == nil {
			t.Fatalf("MarkRead = %+v, %v, want read", n, err)
		}
		e.clock.add(time.Hour)
		again, err := e.svc.MarkRead(ann, first)
		if err != nil || !again.ReadAt.Equal(*n.ReadAt) {
			t.Errorf("MarkRead again = %v, %v, want the first read time %v", again.ReadAt, err, n.ReadAt)
		}
		marked, err := e.svc.MarkAllRead(ann)
		if err != nil || marked != 4 {
			t.Errorf("MarkAllRead = %d, %v, want 4", marked, err)
		}
		if in, _ := e.svc.Inbox(ann, "", 1); in.Unread != 0 {
			t.Errorf("unread after all read = %d", in.Unread)
		}
		if _, err := e.svc.Inbox(context.Background(), "", 1); !apperr.Is(err, apperr.KindUnauthorized) {
			t.Errorf("Inbox(anonymous) = %v, want unauthorized", err)
		}
	})
}

// TestPreferences: defaults, the transactional rule, and channels turned
// off are honoured for later events.
func TestPreferences(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db, notify.Options{})
		ann := as("usr_ann", auth.Customer)
		p, err := e.svc.Preferences(ann)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != len(notify.Categories) || !p.Items[0].EmailRequired || !p.Items[1].Email {
			t.Errorf("default preferences = %+v", p)
		}
		_, err = e.svc.SetPreferences(ann, notify.Preferences{Items: []notify.Preference{{Category: "order", InApp: true, Email: false}, {Category: "spam"}}})
		ae, _ := apperr.As(err)
		if ae == nil || len(ae.Fields) != 2 || ae.Fields[0].Field != "items[0].email" || ae.Fields[1].Field != "items[1].category" {
			t.Fatalf("SetPreferences(order e-mail off, unknown) = %v, want field errors on items[0].email and items[1].category", err)
		}
		p, err = e.svc.SetPreferences(ann, notify.Preferences{Items: []notify.Preference{{Category: "shipment", InApp: false, Email: false}, {Category: "order", InApp: false, Email: true}}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Items[1].Email || p.Items[1].InApp || p.Items[0].InApp || !p.Items[2].Email {
			t.Errorf("preferences after set = %+v", p)
		}
		e.bus.send(t, "evt_s", shipmentevent.TopicStatusChanged.Name(), shipmentevent.StatusChanged{OrderID: "ord_1", CustomerID: "usr_ann", Status: "delivered"})
		e.bus.send(t, "evt_c", order.TopicCancelled.Name(), order.CancelledEvent{OrderID: "ord_1", CustomerID: "usr_ann", Whole: true})
		in, _ := e.svc.Inbox(ann, "", 10)
		if len(in.Items) != 0 {
			t.Errorf("inbox = %+v, want empty (in-app off for order and shipment)", in.Items)
		}
		ms, _ := e.svc.Mails(as("usr_adm", auth.Admin), notify.MailQuery{})
		if len(ms.Items) != 1 || ms.Items[0].Category != notify.CategoryOrder {
			t.Errorf("outbox = %+v, want only the cancellation (transactional)", ms.Items)
		}
	})
}

// sender fails its first fails sends, then delivers.
type sender struct {
	mu    sync.Mutex
	fails int
	sent  []notify.Mail
	tries int
}

func (s *sender) Send(ctx context.Context, m notify.Mail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tries++
	if s.tries <= s.fails {
		return errors.New("421 try again later")
	}
	s.sent = append(s.sent, m)
	return nil
}

// TestSendRetryThenDead: a failing SMTP server is retried with backoff;
// a mail is sent when it recovers, and dead with its error after the last
// attempt.
func TestSendRetryThenDead(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		fake := &sender{fails: 2}
		e := newEnv(t, db, notify.Options{Sender: fake, MaxAttempts: 3})
		e.bus.send(t, "evt_1", order.TopicCancelled.Name(), order.CancelledEvent{OrderID: "ord_1", CustomerID: "usr_ann", Whole: true})
		admin := as("usr_adm", auth.Admin)
		status := func() notify.Mail {
			t.Helper()
			ms, err := e.svc.Mails(admin, notify.MailQuery{})
			if err != nil || len(ms.Items) != 1 {
				t.Fatalf("Mails = %+v, %v, want one", ms, err)
			}
			return ms.Items[0]
		}
		if n, err := e.svc.SendDue(ctx); n != 0 || err != nil {
			t.Fatalf("SendDue = %d, %v, want 0 (failed)", n, err)
		}
		if m := status(); m.Status != notify.MailPending || m.Attempts != 1 || m.LastError != "421 try again later" {
			t.Fatalf("after one failure: %+v", m)
		}
		if n, _ := e.svc.SendDue(ctx); n != 0 || fake.tries != 1 {
			t.Fatalf("SendDue before the backoff = %d (tries %d), want no attempt", n, fake.tries)
		}
		e.clock.add(31 * time.Second)
		e.svc.SendDue(ctx)
		e.clock.add(61 * time.Second)
		if n, err := e.svc.SendDue(ctx); n != 1 || err != nil {
			t.Fatalf("third SendDue = %d, %v, want sent", n, err)
		}
		if m := status(); m.Status != notify.MailSent || m.Attempts != 3 || m.SentAt == nil || m.LastError != "" {
			t.Errorf("after recovery: %+v", m)
		}
		if len(fake.sent) != 1 || fake.sent[0].To != "usr_ann@example.com" {
			t.Errorf("sent %+v", fake.sent)
		}

		// Now the server never recovers.
		fake.fails, fake.tries = 100, 0
		e.bus.send(t, "evt_2", order.TopicCancelled.Name(), order.CancelledEvent{OrderID: "ord_2", CustomerID: "usr_ann", Whole: true})
		for range 5 {
			e.svc.SendDue(ctx)
			e.clock.add(time.Hour)
		}
		dead, err := e.svc.Mails(admin, notify.MailQuery{Status: notify.MailDead})
		if err != nil || len(dead.Items) != 1 {
			t.Fatalf("dead mails = %+v, %v, want one", dead, err)
		}
		if m := dead.Items[0]; m.Attempts != 3 || m.LastError != "421 try again later" || fake.tries != 3 {
			t.Errorf("dead mail = %+v after %d tries, want 3 attempts with the error kept", m, fake.tries)
		}
		if _, err := e.svc.Mails(as("usr_ann", auth.Customer), notify.MailQuery{}); !apperr.Is(err, apperr.KindForbidden) {
			t.Errorf("Mails(customer) = %v, want forbidden", err)
		}
		if _, err := e.svc.Mail(admin, "mal_missing"); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("Mail(missing) = %v, want NotFound", err)
		}
	})
}

// TestOnNotified: the listener (live updates) is told of an event's
// notifications once they are committed, once however often the event is
// delivered.
func TestOnNotified(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		var told [][]notify.Notification
		var e env
		e = newEnv(t, db, notify.Options{OnNotified: func(ns []notify.Notification) {
			// Committed: the recipient's inbox already holds it.
			in, err := e.svc.Inbox(as(ns[0].Recipient, auth.Customer), "", 0)
			if err != nil || len(in.Items) == 0 || in.Items[0].ID != ns[0].ID {
				t.Errorf("told of %s before it was in the inbox (%v, %v)", ns[0].ID, in.Items, err)
			}
			told = append(told, ns)
		}})
		for range 3 {
			e.bus.send(t, "evt_paid", order.TopicPaid.Name(), paidEvent())
		}
		if len(told) != 1 {
			t.Fatalf("told %d times, want once", len(told))
		}
		var got []string
		for _, n := range told[0] {
			got = append(got, string(n.Recipient)+" "+n.Title)
		}
		if want := "usr_ann Order confirmed|usr_seller_a New order to fulfil|usr_seller_b New order to fulfil"; strings.Join(got, "|") != want {
			t.Errorf("told %q, want %q", strings.Join(got, "|"), want)
		}
	})
}

// TestLowStock: a seller hears once each time a SKU's available stock
// falls to or below the threshold, not on every change below it, and
// again after it was restocked above it; other SKUs have their own level.
func TestLowStock(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db, notify.Options{LowStock: 5})
		steps := []struct {
			sku       string
			available int64
		}{
			{"LMP-1", 20}, {"LMP-1", 9}, {"LMP-1", 5}, // falls to the threshold: told
			{"LMP-1", 4}, {"LMP-1", 2}, // still low: nothing
			{"LMP-2", 3},                // another SKU: told
			{"LMP-1", 12}, {"LMP-1", 0}, // restocked, then sold out: told again
			{"LMP-1", 0},
		}
		for i, s := range steps {
			e.clock.add(time.Second)
			e.bus.send(t, id.Event(fmt.Sprintf("evt_%d", i)), inventory.TopicStockChanged.Name(), inventory.StockChanged{
				SKU: s.sku, ProductID: "prd_lamp", SellerID: "sel_a", OnHand: s.available + 1, Reserved: 1, Available: s.available})
		}
		e.bus.send(t, "evt_2", inventory.TopicStockChanged.Name(), inventory.StockChanged{ // a redelivery
			SKU: "LMP-1", ProductID: "prd_lamp", SellerID: "sel_a", OnHand: 6, Reserved: 1, Available: 5})
		in, err := e.svc.Inbox(as("usr_seller_a", auth.Seller), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range in.Items {
			got = append(got, n.Title+": "+n.Body)
			if n.Category != notify.CategoryStock || n.Link != "/seller/products/prd_lamp" {
				t.Errorf("notification %+v, want category stock linking to the product", n)
			}
		}
		want := []string{
			"Sold out: LMP-1 is sold out: customers cannot buy it until you add stock.",
			"Low stock: Only 3 of LMP-2 left to sell (4 on hand, 1 reserved).",
			"Low stock: Only 5 of LMP-1 left to sell (6 on hand, 1 reserved).",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("seller's inbox (-want +got):\n%s", diff)
		}
		ms, err := e.svc.Mails(as("usr_adm", auth.Admin), notify.MailQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms.Items) != 3 || ms.Items[0].To != "usr_seller_a@example.com" || ms.Items[0].Unsubscribe == "" {
			t.Errorf("outbox = %+v, want three mails to the seller, each with List-Unsubscribe", ms.Items)
		}

		// A seller who turned the category's channels off hears nothing,
		// and the level is still followed.
		if _, err := e.svc.SetPreferences(as("usr_seller_b", auth.Seller), notify.Preferences{Items: []notify.Preference{{Category: notify.CategoryStock}}}); err != nil {
			t.Fatal(err)
		}
		e.bus.send(t, "evt_b", inventory.TopicStockChanged.Name(), inventory.StockChanged{SKU: "B-1", SellerID: "sel_b", Available: 1})
		if in, _ := e.svc.Inbox(as("usr_seller_b", auth.Seller), "", 10); len(in.Items) != 0 {
			t.Errorf("inbox of a seller with stock news off = %+v, want empty", in.Items)
		}
	})
}

// TestLowStockOff: a negative threshold never tells; a threshold of 1
// tells once, when 1 is left (not again at 0).
func TestLowStockOff(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		for _, c := range []struct {
			threshold int
			seller    id.User
			want      int
		}{{-1, "usr_seller_a", 0}, {1, "usr_seller_b", 1}} {
			e := newEnv(t, db, notify.Options{LowStock: c.threshold})
			sel := map[id.User]id.Seller{"usr_seller_a": "sel_a", "usr_seller_b": "sel_b"}[c.seller]
			for i, avail := range []int64{2, 1, 0} {
				e.bus.send(t, id.Event(fmt.Sprintf("evt_%s_%d", sel, i)), inventory.TopicStockChanged.Name(),
					inventory.StockChanged{SKU: "SKU-" + string(sel), SellerID: sel, Available: avail})
			}
			if in, _ := e.svc.Inbox(as(c.seller, auth.Seller), "", 10); len(in.Items) != c.want {
				t.Errorf("threshold %d: %d notifications, want %d", c.threshold, len(in.Items), c.want)
			}
		}
	})
}

// TestReviewHidden: the author of a review moderation hid is told why, in
// the inbox and by e-mail (the review category, which may be turned off).
func TestReviewHidden(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db, notify.Options{})
		e.bus.send(t, "evt_h", review.TopicHidden.Name(), review.HiddenEvent{ReviewID: "rev_1", ProductID: "prd_lamp",
			CustomerID: "usr_ann", Title: "Great lamp", Reason: "contains a phone number"})
		in, err := e.svc.Inbox(as("usr_ann", auth.Customer), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Items) != 1 {
			t.Fatalf("inbox = %+v, want one notification", in.Items)
		}
		n := in.Items[0]
		if n.Title != "Review hidden" || n.Category != notify.CategoryReview || n.Link != "/p/prd_lamp" ||
			!strings.Contains(n.Body, `"Great lamp"`) || !strings.Contains(n.Body, "contains a phone number") {
			t.Errorf("notification = %+v, want the hidden review, its reason and a link to the product", n)
		}
		ms, _ := e.svc.Mails(as("usr_adm", auth.Admin), notify.MailQuery{})
		if len(ms.Items) != 1 || ms.Items[0].Subject != "Review hidden" || ms.Items[0].Unsubscribe != "http://localhost:8080/account/notifications" {
			t.Errorf("outbox = %+v, want the mail, unsubscribing at the preferences page", ms.Items)
		}
		if _, err := e.svc.SetPreferences(as("usr_bob", auth.Customer), notify.Preferences{Items: []notify.Preference{{Category: notify.CategoryReview, InApp: true}}}); err != nil {
			t.Fatal(err)
		}
		e.bus.send(t, "evt_h2", review.TopicHidden.Name(), review.HiddenEvent{ReviewID: "rev_2", ProductID: "prd_lamp", CustomerID: "usr_bob"})
		if ms, _ := e.svc.Mails(as("usr_adm", auth.Admin), notify.MailQuery{}); len(ms.Items) != 1 {
			t.Errorf("outbox = %d mails, want still 1 (bob turned review e-mail off)", len(ms.Items))
		}
		if in, _ := e.svc.Inbox(as("usr_bob", auth.Customer), "", 10); len(in.Items) != 1 || in.Items[0].Body != "Your review was hidden by our moderators. It no longer shows on the product page or counts in its rating; you can still edit it." {
			t.Errorf("bob's inbox = %+v", in.Items)
		}
	})
}
