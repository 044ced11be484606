package supporttest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/support"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// Env is one scenario's service, its world and its clock.
type Env struct {
	Svc   *support.Service
	World *World
	DB    *sqldb.DB
	now   atomic.Int64
}

// Advance moves the clock on.
func (e *Env) Advance(d time.Duration) { e.now.Add(int64(d)) }

// Now is the clock's time.
func (e *Env) Now() time.Time { return time.Unix(0, e.now.Load()).UTC() }

// As is a context signed in as user with role.
func As(user string, role auth.Role) context.Context {
	return auth.With(context.Background(), auth.Principal{UserID: id.User(user), Role: role})
}

var (
	ann     = As("usr_ann", auth.Customer)
	bob     = As("usr_bob", auth.Customer)
	sellerA = As("usr_sa", auth.Seller)
	sellerB = As("usr_sb", auth.Seller)
	agent   = As("usr_agent", auth.Support)
	rider   = As("usr_rider", auth.Delivery)
	rider2  = As("usr_rider2", auth.Delivery)
)

// Open builds an Env on a migrated store.
type Open func(t *testing.T) (support.Store, *sqldb.DB)

// Suite runs every scenario against the store open makes, each on a fresh
// database.
func Suite(t *testing.T, open Open) {
	for name, fn := range map[string]func(*testing.T, *Env){
		"TicketThread":       ticketThread,
		"TicketQueue":        ticketQueue,
		"ReturnJourney":      returnJourney,
		"ReturnRules":        returnRules,
		"ConcurrentRequests": concurrentRequests,
		"ConcurrentReceive":  concurrentReceive,
		"SettleRetries":      settleRetries,
		"Escalation":         escalation,
		"Attachments":        attachments,
		"Exchange":           exchange,
	} {
		t.Run(name, func(t *testing.T) {
			st, db := open(t)
			e := &Env{World: NewWorld(), DB: db}
			e.now.Store(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixNano())
			w := e.World
			w.Partners = []id.User{"usr_rider", "usr_rider2"}
			w.Staff["usr_agent"] = true
			w.SellerOf["usr_sa"], w.SellerOf["usr_sb"] = "sel_a", "sel_b"
			e.Svc = support.New(st, w.Deps(), support.Options{FileDir: t.TempDir(), Now: e.Now})
			defer func() {
				if p := recover(); p != nil {
					f, ok := p.(failure)
					if !ok {
						panic(p)
					}
					t.Fatalf("unexpected error: %v", f.err)
				}
			}()
			fn(t, e)
		})
	}
}

// failure is what must panics with; Suite turns it into a test failure.
type failure struct{ err error }

// must returns v, or stops the scenario when err is not nil.
func must[T any](v T, err error) T {
	if err != nil {
		panic(failure{err})
	}
	return v
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Errorf("%s: err = %v (code %q), want code %q", what, err, apperr.CodeOf(err), code)
	}
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if !apperr.Is(err, kind) {
		t.Errorf("%s: err = %v, want kind %v", what, err, kind)
	}
}

// topics counts the outbox's events per topic.
func topics(t *testing.T, db *sqldb.DB) map[string]int {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), `SELECT topic, COUNT(*) FROM event_outbox GROUP BY topic`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	return out
}

func ticketThread(t *testing.T, e *Env) {
	o := e.World.DeliveredOrder("ord_1", "usr_ann", e.Now(), map[string]map[string]int64{"sel_a": {"LAMP": 1}, "sel_b": {"MUG": 2}})
	soA := o.SellerOrders[0].ID
	if o.SellerOrders[0].SellerID != "sel_a" {
		soA = o.SellerOrders[1].ID
	}
	if _, err := e.Svc.OpenTicket(bob, support.TicketInput{Subject: "Hi", Body: "x", SellerOrderID: soA}); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("OpenTicket about another's seller order = %v, want NotFound", err)
	}
	_, err := e.Svc.OpenTicket(ann, support.TicketInput{Subject: " ", Body: ""})
	wantCode(t, "empty ticket", err, "validation_failed")
	tk := must(e.Svc.OpenTicket(ann, support.TicketInput{Subject: "Lamp arrived broken", Body: "The shade is cracked.", SellerOrderID: soA}))
	if tk.Status != support.Open || tk.SellerID != "sel_a" || tk.OrderID != "ord_1" || tk.Category != support.CategoryOrder ||
		!tk.FirstResponseDue.Equal(e.Now().Add(24*time.Hour)) || len(tk.Messages) != 1 {
		t.Fatalf("opened ticket = %+v", tk)
	}
	if _, err := e.Svc.Ticket(sellerB, tk.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("another seller's view = %v, want NotFound", err)
	}
	if _, err := e.Svc.Ticket(bob, tk.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("another customer's view = %v, want NotFound", err)
	}
	_, err = e.Svc.Reply(ann, tk.ID, support.MessageInput{Body: "note", Internal: true})
	wantCode(t, "customer's internal note", err, "validation_failed")
	must(e.Svc.Reply(agent, tk.ID, support.MessageInput{Body: "Seller has a history of this.", Internal: true}))
	tk = must(e.Svc.Ticket(agent, tk.ID))
	if tk.Status != support.Open || tk.FirstResponseAt != nil || len(tk.Messages) != 2 {
		t.Errorf("after an internal note: status %s, first response %v, %d messages; want open, none, 2", tk.Status, tk.FirstResponseAt, len(tk.Messages))
	}
	e.Advance(time.Hour)
	must(e.Svc.Reply(sellerA, tk.ID, support.MessageInput{Body: "Sorry! Please send a photo."}))
	steps := []struct {
		who  context.Context
		want support.TicketStatus
	}{{ann, support.AwaitingSeller}, {agent, support.AwaitingCustomer}, {ann, support.AwaitingSupport}}
	for i, s := range steps {
		must(e.Svc.Reply(s.who, tk.ID, support.MessageInput{Body: fmt.Sprintf("message %d", i)}))
		if got := must(e.Svc.Ticket(agent, tk.ID)).Status; got != s.want {
			t.Errorf("after reply %d: status %s, want %s", i, got, s.want)
		}
	}
	for _, c := range []context.Context{ann, sellerA} {
		v := must(e.Svc.Ticket(c, tk.ID))
		for _, m := range v.Messages {
			if m.Internal || m.Body == "Seller has a history of this." {
				t.Errorf("a customer or seller sees the internal note %+v", m)
			}
		}
		if len(v.Messages) != 5 {
			t.Errorf("customer/seller sees %d messages, want 5", len(v.Messages))
		}
	}
	tk = must(e.Svc.Ticket(agent, tk.ID))
	if tk.FirstResponseAt == nil || !tk.FirstResponseAt.Equal(e.Now()) || tk.Overdue {
		t.Errorf("first response = %v, overdue %v; want the seller's reply, not overdue", tk.FirstResponseAt, tk.Overdue)
	}
	must(e.Svc.Resolve(ann, tk.ID))
	must(e.Svc.Reopen(ann, tk.ID))
	must(e.Svc.Resolve(agent, tk.ID))
	e.Advance(support.AutoCloseAfter - time.Minute)
	if n := must(e.Svc.CloseResolved(context.Background())); n != 0 {
		t.Errorf("CloseResolved before 7 days closed %d", n)
	}
	e.Advance(2 * time.Minute)
	if n := must(e.Svc.CloseResolved(context.Background())); n != 1 {
		t.Errorf("CloseResolved after 7 days closed %d, want 1", n)
	}
	_, err = e.Svc.Reply(ann, tk.ID, support.MessageInput{Body: "one more thing"})
	wantCode(t, "reply to a closed ticket", err, "ticket_closed")
	_, err = e.Svc.Reopen(ann, tk.ID)
	wantCode(t, "reopen a closed ticket", err, "ticket_closed")
	got := topics(t, e.DB)
	if got[supportevent.TopicTicketOpened.Name()] != 1 || got[supportevent.TopicTicketReplied.Name()] != 5 {
		t.Errorf("events = %v, want 1 opened and 5 replied", got)
	}
}

func ticketQueue(t *testing.T, e *Env) {
	var ids []string
	for i := range 7 {
		tk := must(e.Svc.OpenTicket(ann, support.TicketInput{Subject: fmt.Sprintf("T%d", i), Body: "help"}))
		ids = append(ids, string(tk.ID))
		e.Advance(time.Minute)
	}
	must(e.Svc.OpenTicket(bob, support.TicketInput{Subject: "Bob's", Body: "help"}))
	urgent := support.Urgent
	must(e.Svc.UpdateTicket(agent, id.Ticket(ids[6]), support.TicketUpdate{Priority: &urgent}))
	nobody := id.User("usr_ann")
	_, err := e.Svc.UpdateTicket(agent, id.Ticket(ids[0]), support.TicketUpdate{AssigneeID: &nobody})
	wantCode(t, "assign to a customer", err, "validation_failed")
	_, err = e.Svc.UpdateTicket(ann, id.Ticket(ids[0]), support.TicketUpdate{Priority: &urgent})
	wantKind(t, "customer sets priority", err, apperr.KindForbidden)
	me := id.User("usr_agent")
	must(e.Svc.UpdateTicket(agent, id.Ticket(ids[1]), support.TicketUpdate{AssigneeID: &me}))
	must(e.Svc.Reply(agent, id.Ticket(ids[2]), support.MessageInput{Body: "on it"}))
	e.Advance(2 * time.Hour) // the urgent one (due in 1 h) is now overdue
	over := must(e.Svc.Tickets(agent, support.TicketQuery{Overdue: true}))
	if len(over.Items) != 1 || over.Items[0].ID != id.Ticket(ids[6]) || !over.Items[0].Overdue {
		t.Errorf("overdue = %+v, want only the urgent ticket", over.Items)
	}
	// The whole queue, in pages of 3: every ticket once, the urgent first,
	// the answered one last.
	var seen []string
	cursor := ""
	for range 10 {
		p := must(e.Svc.Tickets(agent, support.TicketQuery{Cursor: cursor, Limit: 3}))
		for _, tk := range p.Items {
			seen = append(seen, string(tk.ID))
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != 8 || seen[0] != ids[6] || seen[7] != ids[2] {
		t.Errorf("queue = %v (%d), want 8 with %s first and %s last", seen, len(seen), ids[6], ids[2])
	}
	mine := must(e.Svc.Tickets(agent, support.TicketQuery{Assignee: "me"}))
	if len(mine.Items) != 1 || mine.Items[0].ID != id.Ticket(ids[1]) {
		t.Errorf("assigned to me = %v", mine.Items)
	}
	own := must(e.Svc.Tickets(bob, support.TicketQuery{}))
	if len(own.Items) != 1 || own.Items[0].Subject != "Bob's" || own.Items[0].AssigneeID != "" {
		t.Errorf("bob's tickets = %+v", own.Items)
	}
	none := must(e.Svc.Tickets(sellerA, support.TicketQuery{}))
	if len(none.Items) != 0 {
		t.Errorf("a seller sees general tickets: %v", none.Items)
	}
}

// partOf returns the ID of seller's part of o.
func partOf(t *testing.T, e *Env, orderID id.Order, seller string) string {
	t.Helper()
	for _, so := range e.World.Orders[orderID].SellerOrders {
		if so.SellerID == id.Seller(seller) {
			return string(so.ID)
		}
	}
	t.Fatalf("order %s has no part of %s", orderID, seller)
	return ""
}

func returnJourney(t *testing.T, e *Env) {
	e.World.DeliveredOrder("ord_1", "usr_ann", e.Now(), map[string]map[string]int64{"sel_a": {"LAMP": 2, "BULB": 1}, "sel_b": {"MUG": 1}})
	so := partOf(t, e, "ord_1", "sel_a")
	e.Advance(3 * 24 * time.Hour)
	el := must(e.Svc.Eligibility(ann, id.SellerOrder(so)))
	if !el.Open || len(el.Lines) != 2 {
		t.Fatalf("eligibility = %+v", el)
	}
	r := must(e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Comment: "cracked",
		Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 1, Reason: support.Damaged}}}))
	if r.Status != support.Requested || r.SellerID != "sel_a" || r.Pickup != nil {
		t.Fatalf("requested = %+v", r)
	}
	if _, err := e.Svc.Return(sellerB, r.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("another seller reads the return: %v", err)
	}
	if _, err := e.Svc.Return(bob, r.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("another customer reads the return: %v", err)
	}
	if _, err := e.Svc.Approve(sellerB, r.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("another seller approves: %v", err)
	}
	_, err := e.Svc.Approve(ann, r.ID)
	wantKind(t, "the customer approves", err, apperr.KindForbidden)
	r = must(e.Svc.Approve(sellerA, r.ID))
	if r.Status != support.Approved || r.Pickup == nil || r.Pickup.Status != support.PickupScheduled || r.Pickup.PartnerID != "usr_rider" ||
		r.Pickup.Address.Line1 != "1 Main St" {
		t.Fatalf("approved = %+v pickup %+v", r, r.Pickup)
	}
	if _, err := e.Svc.UpdatePickup(rider2, r.ID, support.PickupInput{Status: support.PickupPickedUp}); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("another partner records the pickup: %v", err)
	}
	_, err = e.Svc.UpdatePickup(rider, r.ID, support.PickupInput{Status: support.PickupDelivered})
	wantCode(t, "deliver before pickup", err, "illegal_transition")
	r = must(e.Svc.UpdatePickup(rider, r.ID, support.PickupInput{Status: support.PickupPickedUp, Location: "Springfield"}))
	if r.Status != support.InTransit {
		t.Errorf("after pickup: %s, want in_transit", r.Status)
	}
	_, err = e.Svc.Cancel(ann, r.ID)
	wantCode(t, "cancel after pickup", err, "illegal_transition")
	pickups := must(e.Svc.Returns(rider, support.ReturnQuery{}))
	if len(pickups.Items) != 1 || pickups.Items[0].ID != r.ID {
		t.Errorf("the partner's pickups = %v", pickups.Items)
	}
	must(e.Svc.UpdatePickup(rider, r.ID, support.PickupInput{Status: support.PickupDelivered}))
	_, err = e.Svc.Receive(sellerA, r.ID, support.ReceiveInput{Lines: []support.ReceiveLine{{SKU: "LAMP", Quantity: 2, Condition: support.Sellable}}})
	wantCode(t, "receive more than returned", err, "quantity_exceeds_returned")
	r = must(e.Svc.Receive(sellerA, r.ID, support.ReceiveInput{Lines: []support.ReceiveLine{{SKU: "LAMP", Quantity: 1, Condition: support.Sellable}}}))
	if r.Status != support.ReturnRefunded || r.Refund != money.New(1100, "USD") || r.Restocked != 1 {
		t.Errorf("received = status %s refund %v restocked %d; want refunded, 1100 USD (price and its 10%% tax), 1", r.Status, r.Refund, r.Restocked)
	}
	if got := e.World.Refunded[string("return:"+r.ID)]; got != money.New(1100, "USD") {
		t.Errorf("refunded to the payment: %v", got)
	}
	if got := e.World.Restocked[[2]string{string(r.ID), "LAMP"}]; got != 1 {
		t.Errorf("restocked %d, want 1", got)
	}
	for _, topic := range []string{"return.requested.v1", "return.approved.v1", "return.in_transit.v1", "return.received.v1", "return.refunded.v1"} {
		if n := topics(t, e.DB)[topic]; n != 1 {
			t.Errorf("%s published %d times, want 1", topic, n)
		}
	}
	for _, c := range []context.Context{ann, sellerA} {
		v := must(e.Svc.Return(c, r.ID))
		for _, en := range v.Timeline {
			if en.ActorID != "" {
				t.Errorf("a non-staff viewer sees who acted: %+v", en)
			}
		}
	}
	// A second return of the same seller order: only the unit left.
	_, err = e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 2, Reason: support.Defective}}})
	wantCode(t, "return more than is left", err, "quantity_exceeds_delivered")
	must(e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 1, Reason: support.Defective}}}))
}

func returnRules(t *testing.T, e *Env) {
	e.World.DeliveredOrder("ord_1", "usr_ann", e.Now(), map[string]map[string]int64{"sel_a": {"LAMP": 1, "SOAP": 1}})
	so := partOf(t, e, "ord_1", "sel_a")
	e.World.Cats = []catalog.Category{{ID: "cat_health"}, {ID: "cat_SOAP", ParentID: ptr(id.Category("cat_health"))}}
	must(e.Svc.SetReturnable(As("usr_admin", auth.Admin), "cat_health", false))
	_, err := e.Svc.SetReturnable(agent, "cat_health", true)
	wantKind(t, "support marks a category", err, apperr.KindForbidden)
	_, err = e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "SOAP", Quantity: 1, Reason: support.NoLongerNeeded}}})
	wantCode(t, "a non-returnable category's product", err, "not_returnable")
	_, err = e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "NOPE", Quantity: 1, Reason: support.Damaged}}})
	wantCode(t, "a SKU not in the order", err, "validation_failed")
	_, err = e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 1, Reason: "meh"}}})
	wantCode(t, "an unknown reason", err, "validation_failed")
	_, err = e.Svc.RequestReturn(bob, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 1, Reason: support.Damaged}}})
	wantKind(t, "another's seller order", err, apperr.KindNotFound)
	e.Advance(15 * 24 * time.Hour)
	_, err = e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 1, Reason: support.Damaged}}})
	wantCode(t, "after the default 14-day window", err, "return_window_closed")
	must(e.Svc.SetPolicy(sellerA, support.PolicyInput{WindowDays: 30, AutoApprove: []support.Reason{support.Damaged}}))
	r := must(e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 1, Reason: support.Damaged}}}))
	if r.Status != support.Approved || !r.AutoApproved || r.Pickup == nil {
		t.Errorf("auto-approved return = %+v", r)
	}
	r = must(e.Svc.Cancel(ann, r.ID))
	if r.Status != support.ReturnCancelled || r.Pickup.Status != support.PickupCancelled {
		t.Errorf("cancelled = %s, pickup %s", r.Status, r.Pickup.Status)
	}
	// A cancelled return gives its units back to what may be returned.
	if el := must(e.Svc.Eligibility(ann, id.SellerOrder(so))); el.Lines[0].Available+el.Lines[1].Available != 1 {
		t.Errorf("eligibility after cancel = %+v, want LAMP available again", el.Lines)
	}
}

func ptr[T any](v T) *T { return &v }

func concurrentRequests(t *testing.T, e *Env) {
	e.World.DeliveredOrder("ord_1", "usr_ann", e.Now(), map[string]map[string]int64{"sel_a": {"LAMP": 3}})
	so := partOf(t, e, "ord_1", "sel_a")
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 1, Reason: support.Defective}}})
			switch {
			case err == nil:
				ok.Add(1)
			case apperr.CodeOf(err) != "quantity_exceeds_delivered":
				t.Errorf("RequestReturn: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 3 {
		t.Errorf("%d concurrent returns of 1 unit of 3 succeeded, want 3", ok.Load())
	}
}

func concurrentReceive(t *testing.T, e *Env) {
	e.World.DeliveredOrder("ord_1", "usr_ann", e.Now(), map[string]map[string]int64{"sel_a": {"LAMP": 2}})
	so := partOf(t, e, "ord_1", "sel_a")
	r := must(e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 2, Reason: support.SizeOrFit}}}))
	must(e.Svc.Approve(sellerA, r.ID))
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := e.Svc.Receive(sellerA, r.ID, support.ReceiveInput{Lines: []support.ReceiveLine{
				{SKU: "LAMP", Quantity: 1, Condition: support.Sellable}, {SKU: "LAMP", Quantity: 1, Condition: support.DamagedOnReceipt}}})
			switch {
			case err == nil:
				ok.Add(1)
			case apperr.CodeOf(err) != "illegal_transition":
				t.Errorf("Receive: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Errorf("%d concurrent receipts succeeded, want 1", ok.Load())
	}
	// And the consumer of return.received.v1, redelivered: nothing more.
	for range 3 {
		if err := e.Svc.OnReceived(context.Background(), event.Event{ID: "evt_x"}, supportevent.Return{ReturnID: r.ID}); err != nil {
			t.Fatal(err)
		}
	}
	got := must(e.Svc.Return(agent, r.ID))
	if got.Status != support.ReturnRefunded || got.Restocked != 1 || got.Refund != money.New(2200, "USD") {
		t.Errorf("return = %s restocked %d refund %v; want refunded, 1 (the sellable unit), 2200 USD", got.Status, got.Restocked, got.Refund)
	}
	if len(e.World.Refunded) != 1 || e.World.Restocked[[2]string{string(r.ID), "LAMP"}] != 1 {
		t.Errorf("refunds %v, restocks %v; want one each", e.World.Refunded, e.World.Restocked)
	}
}

func settleRetries(t *testing.T, e *Env) {
	e.World.DeliveredOrder("ord_1", "usr_ann", e.Now(), map[string]map[string]int64{"sel_a": {"LAMP": 1}})
	so := partOf(t, e, "ord_1", "sel_a")
	r := must(e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 1, Reason: support.WrongItem}}}))
	must(e.Svc.Approve(sellerA, r.ID))
	e.World.RefundErr = ErrDown
	fee := money.New(100, "USD")
	r = must(e.Svc.Receive(sellerA, r.ID, support.ReceiveInput{RestockingFee: &fee,
		Lines: []support.ReceiveLine{{SKU: "LAMP", Quantity: 1, Condition: support.Sellable}}}))
	if r.Status != support.Received || r.Refund != money.New(1000, "USD") {
		t.Fatalf("received with the gateway down = %s, refund %v; want received, 1000 USD (1100 less the fee)", r.Status, r.Refund)
	}
	if err := e.Svc.OnReceived(context.Background(), event.Event{ID: "evt_1"}, supportevent.Return{ReturnID: r.ID}); err == nil {
		t.Error("OnReceived with the gateway down = nil, want an error (the outbox retries)")
	}
	e.World.RefundErr = nil
	if err := e.Svc.OnReceived(context.Background(), event.Event{ID: "evt_1"}, supportevent.Return{ReturnID: r.ID}); err != nil {
		t.Fatal(err)
	}
	got := must(e.Svc.Return(ann, r.ID))
	if got.Status != support.ReturnRefunded || e.World.Refunded[string("return:"+r.ID)] != money.New(1000, "USD") || got.Restocked != 1 {
		t.Errorf("after the retry: %s, refunded %v, restocked %d", got.Status, e.World.Refunded, got.Restocked)
	}
}

func escalation(t *testing.T, e *Env) {
	e.World.DeliveredOrder("ord_1", "usr_ann", e.Now(), map[string]map[string]int64{"sel_a": {"LAMP": 1}})
	so := partOf(t, e, "ord_1", "sel_a")
	r := must(e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{{SKU: "LAMP", Quantity: 1, Reason: support.NotAsDescribed}}}))
	_, err := e.Svc.Reject(sellerA, r.ID, support.RejectInput{})
	wantCode(t, "reject without a reason", err, "validation_failed")
	r = must(e.Svc.Reject(sellerA, r.ID, support.RejectInput{Reason: "Used item"}))
	if r.Status != support.Rejected || r.RejectReason != "Used item" {
		t.Fatalf("rejected = %+v", r)
	}
	_, err = e.Svc.Approve(sellerA, r.ID)
	wantCode(t, "the seller approves a rejected return", err, "illegal_transition")
	tk := must(e.Svc.OpenTicket(ann, support.TicketInput{Subject: "Return rejected", Body: "It was never used.", ReturnID: r.ID}))
	if tk.Category != support.CategoryReturn || tk.Priority != support.High || tk.SellerID != "sel_a" {
		t.Errorf("escalation ticket = %+v", tk)
	}
	if got := must(e.Svc.Return(ann, r.ID)); got.TicketID != tk.ID {
		t.Errorf("return's ticket = %q, want %q", got.TicketID, tk.ID)
	}
	_, err = e.Svc.RefundWithoutReceipt(sellerA, r.ID, support.RefundInput{Note: "x"})
	wantKind(t, "a seller refunds without receipt", err, apperr.KindForbidden)
	r = must(e.Svc.RefundWithoutReceipt(agent, r.ID, support.RefundInput{Note: "Photos show it unused"}))
	if r.Status != support.ReturnRefunded || r.Refund != money.New(1100, "USD") || r.Restocked != 0 {
		t.Errorf("refunded without receipt = %s %v restocked %d", r.Status, r.Refund, r.Restocked)
	}
	if len(e.World.Restocked) != 0 {
		t.Errorf("a refund without receipt restocked %v", e.World.Restocked)
	}
}

func attachments(t *testing.T, e *Env) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	a := must(e.Svc.Upload(ann, "crack.png", "image/png", png))
	if a.ContentType != "image/png" || a.Name != "crack.png" {
		t.Errorf("upload = %+v", a)
	}
	_, err := e.Svc.Upload(ann, "x.txt", "", []byte("hello"))
	wantCode(t, "a text file", err, "unsupported_media_type")
	wantKind(t, "a text file", err, apperr.KindUnsupportedMedia)
	_, err = e.Svc.Upload(ann, "x.png", "image/jpeg", png)
	wantKind(t, "a PNG declared JPEG", err, apperr.KindUnsupportedMedia)
	_, err = e.Svc.Upload(ann, "big.pdf", "", append([]byte("%PDF-"), make([]byte, support.MaxAttachmentSize)...))
	wantCode(t, "too big", err, "attachment_too_large")
	if _, err := e.Svc.OpenTicket(bob, support.TicketInput{Subject: "s", Body: "b", Attachments: []id.Attachment{a.ID}}); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("attaching another's upload = %v, want NotFound", err)
	}
	tk := must(e.Svc.OpenTicket(ann, support.TicketInput{Subject: "s", Body: "b", Attachments: []id.Attachment{a.ID}}))
	if len(tk.Messages[0].Attachments) != 1 || tk.Messages[0].Attachments[0].URL != support.AttachmentURL(a.ID) {
		t.Errorf("ticket's attachments = %+v", tk.Messages[0].Attachments)
	}
	if _, err := e.Svc.OpenTicket(ann, support.TicketInput{Subject: "again", Body: "b", Attachments: []id.Attachment{a.ID}}); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("attaching a file twice = %v, want NotFound", err)
	}
	_, f, err := e.Svc.OpenAttachment(agent, a.ID)
	if err != nil {
		t.Fatalf("staff opens the attachment: %v", err)
	}
	f.Close()
	if _, _, err := e.Svc.OpenAttachment(bob, a.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("another customer opens the attachment: %v", err)
	}
	note := must(e.Svc.Upload(agent, "log.pdf", "", []byte("%PDF-1.4 x")))
	must(e.Svc.Reply(agent, tk.ID, support.MessageInput{Body: "internal", Internal: true, Attachments: []id.Attachment{note.ID}}))
	if _, _, err := e.Svc.OpenAttachment(ann, note.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("the customer opens an internal note's file: %v", err)
	}
	orphan := must(e.Svc.Upload(bob, "", "", png))
	e.Advance(support.OrphanAfter + time.Minute)
	if n := must(e.Svc.PurgeOrphans(context.Background())); n != 1 {
		t.Errorf("PurgeOrphans = %d, want 1", n)
	}
	if _, _, err := e.Svc.OpenAttachment(bob, orphan.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("a purged upload opens: %v", err)
	}
}

func exchange(t *testing.T, e *Env) {
	w := e.World
	w.DeliveredOrder("ord_1", "usr_ann", e.Now(), map[string]map[string]int64{"sel_a": {"TEE-M": 2, "CAP": 1}})
	so := partOf(t, e, "ord_1", "sel_a")
	w.Variants["prd_TEE-M"] = []string{"TEE-M", "TEE-L", "TEE-XL"}
	w.Variants["prd_CAP"] = []string{"CAP"}
	w.Stock["TEE-L"], w.Stock["TEE-XL"] = 5, 0
	el := must(e.Svc.Eligibility(ann, id.SellerOrder(so)))
	for _, l := range el.Lines {
		switch l.SKU {
		case "TEE-M":
			if len(l.Exchange) != 1 || l.Exchange[0].SKU != "TEE-L" || l.Exchange[0].Available != 5 {
				t.Errorf("TEE-M exchange options = %+v, want TEE-L (5 in stock) only", l.Exchange)
			}
		case "CAP":
			if len(l.Exchange) != 0 {
				t.Errorf("CAP exchange options = %+v, want none", l.Exchange)
			}
		}
	}
	for _, bad := range []struct{ sku, why string }{{"TEE-XL", "out of stock"}, {"CAP", "another product"}, {"TEE-M", "the same"}} {
		_, err := e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{
			{SKU: "TEE-M", Quantity: 1, Reason: support.SizeOrFit, ExchangeSKU: bad.sku}}})
		wantCode(t, "exchange for "+bad.why, err, "exchange_unavailable")
	}
	r := must(e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so), Lines: []support.ReturnLineInput{
		{SKU: "TEE-M", Quantity: 2, Reason: support.SizeOrFit, ExchangeSKU: "TEE-L"}, {SKU: "CAP", Quantity: 1, Reason: support.NoLongerNeeded}}}))
	must(e.Svc.Approve(sellerA, r.ID))
	r = must(e.Svc.Receive(sellerA, r.ID, support.ReceiveInput{Lines: []support.ReceiveLine{
		{SKU: "TEE-M", Quantity: 2, Condition: support.Sellable}, {SKU: "CAP", Quantity: 1, Condition: support.Sellable}}}))
	if r.Status != support.ReturnRefunded || r.ExchangeOrderID == "" || r.Refund != money.New(1100, "USD") {
		t.Errorf("exchanged return = %s, exchange order %q, refund %v; want refunded, a replacement, 1100 USD (the cap only)", r.Status, r.ExchangeOrderID, r.Refund)
	}
	rep, ok := w.Replacements[string("exchange:"+r.ID)]
	if !ok || len(rep.Lines) != 1 || rep.Lines[0].SKU != "TEE-L" || rep.Lines[0].Quantity != 2 || rep.SellerID != "sel_a" || rep.ShippingAddress.Line1 != "1 Main St" {
		t.Errorf("replacement = %+v", rep)
	}

	// Out of stock by the time the parcel arrives: refunded instead.
	w.DeliveredOrder("ord_2", "usr_ann", e.Now(), map[string]map[string]int64{"sel_a": {"TEE-M": 1}})
	so2 := partOf(t, e, "ord_2", "sel_a")
	r2 := must(e.Svc.RequestReturn(ann, support.ReturnInput{SellerOrderID: id.SellerOrder(so2), Lines: []support.ReturnLineInput{
		{SKU: "TEE-M", Quantity: 1, Reason: support.SizeOrFit, ExchangeSKU: "TEE-L"}}}))
	must(e.Svc.Approve(sellerA, r2.ID))
	w.ReplacementErr = apperr.Conflict("insufficient_stock", "out of stock")
	r2 = must(e.Svc.Receive(sellerA, r2.ID, support.ReceiveInput{Lines: []support.ReceiveLine{{SKU: "TEE-M", Quantity: 1, Condition: support.Sellable}}}))
	if r2.Status != support.ReturnRefunded || r2.ExchangeOrderID != "" || r2.Refund != money.New(1100, "USD") || r2.Lines[0].ExchangeSKU != "" {
		t.Errorf("return whose replacement is out of stock = %s, exchange %q, refund %v, line %+v; want refunded 1100 USD instead",
			r2.Status, r2.ExchangeOrderID, r2.Refund, r2.Lines[0])
	}
	if got := w.Refunded[string("return:"+r2.ID)]; got != money.New(1100, "USD") {
		t.Errorf("refunded %v, want 1100 USD", got)
	}
}
