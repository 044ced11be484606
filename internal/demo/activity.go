package demo

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/shipment"
	"github.com/bazaar-market/bazaar/internal/support"
)

// OrderService is what seeding needs from orders.
type OrderService interface {
	Orders(ctx context.Context, q order.Query) (page.Page[order.Order], error)
	Order(ctx context.Context, id id.Order) (order.Detail, error)
	Place(ctx context.Context, in order.PlaceInput) (order.Order, error)
	Pay(ctx context.Context, in order.PayInput) (payment.Payment, error)
}

// ShipmentService is what seeding needs from shipments.
type ShipmentService interface {
	Pack(ctx context.Context, id id.Shipment) (shipment.Shipment, error)
	Handover(ctx context.Context, id id.Shipment, in shipment.HandoverInput) (shipment.Shipment, error)
	RecordEvent(ctx context.Context, id id.Shipment, in shipment.EventInput) (shipment.Shipment, error)
}

// SupportService is what seeding needs from the help desk and returns.
type SupportService interface {
	RequestReturn(ctx context.Context, in support.ReturnInput) (support.Return, error)
	Approve(ctx context.Context, returnID id.Return) (support.Return, error)
	Reject(ctx context.Context, returnID id.Return, in support.RejectInput) (support.Return, error)
	UpdatePickup(ctx context.Context, returnID id.Return, in support.PickupInput) (support.Return, error)
	Receive(ctx context.Context, returnID id.Return, in support.ReceiveInput) (support.Return, error)
	OpenTicket(ctx context.Context, in support.TicketInput) (support.Ticket, error)
	Reply(ctx context.Context, ticketID id.Ticket, in support.MessageInput) (support.Message, error)
	UpdateTicket(ctx context.Context, ticketID id.Ticket, in support.TicketUpdate) (support.Ticket, error)
	Resolve(ctx context.Context, ticketID id.Ticket) (support.Ticket, error)
}

// Events lets what the services set going run its course: the payment
// gateway settles its payments and reports them by webhook, and published
// events reach their consumers (an order becomes paid, a shipment
// delivered, only then). Settle does one round of that, or waits a little
// while someone else does it.
type Events interface {
	Settle(ctx context.Context) error
}

// DemoAddress is where the demo customer's orders are shipped.
var DemoAddress = order.Address{Name: "Cody Customer", Line1: "12 Market Street", City: "Springfield", Region: "IL",
	PostalCode: "62701", Country: "US", Phone: "+1 217 555 0142"}

// SettleTimeout bounds the wait for payments and events while seeding.
const SettleTimeout = time.Minute

// The demo stores by their index in Stores.
const (
	northwind = iota
	volt
	hearth
	trailhead
	lantern
)

// orderPlan is one demo order: a line from each store named, of qty units.
type orderPlan struct {
	stores []int
	qty    []int64
}

// demoOrders are the demo customer's orders, in the order they are placed:
// three delivered, one shipped, one paid and awaiting its seller.
var demoOrders = []orderPlan{
	{stores: []int{northwind, northwind}, qty: []int64{1, 1}}, // delivered: a return awaiting the seller, one approved
	{stores: []int{volt, lantern}, qty: []int64{1, 1}},        // delivered: the Volt part's return rejected, escalated
	{stores: []int{hearth}, qty: []int64{2}},                  // delivered: one unit returned and refunded
	{stores: []int{trailhead}, qty: []int64{1}},               // shipped, on its way
	{stores: []int{northwind}, qty: []int64{1}},               // paid, awaiting the seller
}

// activity is the state of seeding the demo customer's activity.
type activity struct {
	Seeder
	progress  io.Writer
	customer  context.Context               // as the demo customer
	delivery  context.Context               // as the demo delivery partner
	agent     context.Context               // as the demo support agent
	partnerID id.User                       // the demo delivery partner
	agentID   id.User                       // the demo support agent
	storeID   []id.Seller                   // seller IDs by store index
	seller    map[id.Seller]context.Context // by seller ID, as its owner
	orders    []order.Order
}

// newActivity prepares the demo customer's activity: nil when the
// customer has orders already (seeding is idempotent).
func (s Seeder) newActivity(ctx context.Context, users map[string]account.User, progress io.Writer) (*activity, error) {
	as := func(u account.User, role auth.Role) context.Context {
		return auth.With(ctx, auth.Principal{UserID: u.ID, Role: role})
	}
	a := &activity{Seeder: s, progress: progress,
		customer: as(users[Accounts[1].Email], auth.Customer),
		delivery: as(users[Accounts[3].Email], auth.Delivery), partnerID: users[Accounts[3].Email].ID,
		agent: as(users[Accounts[4].Email], auth.Support), agentID: users[Accounts[4].Email].ID,
		seller: map[id.Seller]context.Context{}}
	mine, err := s.Orders.Orders(a.customer, order.Query{Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("demo orders: %w", err)
	}
	if len(mine.Items) > 0 {
		return nil, nil
	}
	return a, nil
}

// settleMeanwhile settles in the background until stop is called, so the
// events of the catalog being seeded are delivered while it is (the demo
// orders' events queue up behind them).
func (a *activity) settleMeanwhile(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			_ = a.Events.Settle(ctx) // a failure shows when the activity settles
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return sync.OnceFunc(func() {
		cancel()
		<-done
	})
}

// run gives the demo customer orders in several states, returns and
// tickets. The states are what the modules' own flows make: orders are
// placed, paid with the test card, packed, handed over and delivered;
// returns are requested, approved, rejected and received; tickets go
// between the customer, the sellers and support.
func (a *activity) run(ctx context.Context, users map[string]account.User) error {
	s := a.Seeder
	as := func(u account.User, role auth.Role) context.Context {
		return auth.With(ctx, auth.Principal{UserID: u.ID, Role: role})
	}
	for _, st := range Stores {
		owner := users[st.Owner.Email]
		sel, err := s.Accounts.SellerOfUser(ctx, owner.ID)
		if err != nil {
			return fmt.Errorf("demo store %s: %w", st.Name, err)
		}
		a.storeID = append(a.storeID, sel.ID)
		a.seller[sel.ID] = as(owner, auth.Seller)
	}
	if err := a.placeOrders(ctx); err != nil {
		return err
	}
	if err := a.fulfil(ctx); err != nil {
		return err
	}
	rejected, err := a.returns()
	if err != nil {
		return err
	}
	if err := a.tickets(rejected); err != nil {
		return err
	}
	// The refund reaches its order (return.refunded.v1, the payment's
	// refund webhook) before anyone looks.
	return a.until(ctx, "the demo refund to reach its order", func() (bool, error) {
		d, err := s.Orders.Order(a.customer, a.orders[2].ID)
		if err != nil {
			return false, err
		}
		return d.Order.Status == order.PartiallyReturned && d.Order.Refunded.Amount > 0, nil
	})
}

// placeOrders places the demo orders and pays them with the test card,
// then waits until they are paid and their shipments exist.
func (a *activity) placeOrders(ctx context.Context) error {
	pick := make([]*picker, len(Stores))
	for i, st := range Stores {
		pick[i] = newPicker(Products(st, a.PerCategory), a.PerCategory)
	}
	for i, plan := range demoOrders {
		o, err := a.place(a.customer, pick, plan.stores, plan.qty)
		if err != nil {
			return fmt.Errorf("demo order %d: %w", i+1, err)
		}
		if _, err := a.Orders.Pay(a.customer, order.PayInput{OrderID: o.ID, Method: cmp.Or(a.PayMethod, "tok_visa")}); err != nil {
			return fmt.Errorf("demo order %d: pay: %w", i+1, err)
		}
		a.orders = append(a.orders, o)
		fmt.Fprintf(a.progress, "demo: orders %d/%d\n", i+1, len(demoOrders))
	}
	return a.until(ctx, "the demo orders to be paid", func() (bool, error) {
		if err := a.reload(); err != nil {
			return false, err
		}
		for _, o := range a.orders {
			if o.Status != order.Paid {
				return false, nil
			}
			for _, part := range o.SellerOrders {
				if part.Shipment == nil {
					return false, nil
				}
			}
		}
		return true, nil
	})
}

// reload reads the demo orders again.
func (a *activity) reload() error {
	for i := range a.orders {
		d, err := a.Orders.Order(a.customer, a.orders[i].ID)
		if err != nil {
			return err
		}
		a.orders[i] = d.Order
	}
	return nil
}

// fulfil has the sellers of the first four orders pack them and hand them
// to the demo delivery partner, who delivers three and has the fourth on
// its way; the last order stays with its seller.
func (a *activity) fulfil(ctx context.Context) error {
	for i, o := range a.orders[:4] {
		steps := []shipment.Status{shipment.PickedUp, shipment.InTransit, shipment.OutForDelivery, shipment.Delivered}
		if i == 3 {
			steps = steps[:2]
		}
		for _, part := range o.SellerOrders {
			id, seller := part.Shipment.ID, a.seller[part.SellerID]
			if _, err := a.Shipments.Pack(seller, id); err != nil {
				return fmt.Errorf("demo order %d: pack: %w", i+1, err)
			}
			if _, err := a.Shipments.Handover(seller, id, shipment.HandoverInput{PartnerID: a.partnerID}); err != nil {
				return fmt.Errorf("demo order %d: hand over: %w", i+1, err)
			}
			for _, st := range steps {
				in := shipment.EventInput{Status: st, Location: "Springfield hub"}
				if st == shipment.Delivered {
					in.Location, in.Proof = "12 Market Street, Springfield", "Signed by C. Customer"
				}
				if _, err := a.Shipments.RecordEvent(a.delivery, id, in); err != nil {
					return fmt.Errorf("demo order %d: %s: %w", i+1, st, err)
				}
			}
		}
	}
	err := a.until(ctx, "the demo orders to be delivered", func() (bool, error) {
		if err := a.reload(); err != nil {
			return false, err
		}
		for i, o := range a.orders[:4] {
			want := order.Delivered
			if i == 3 {
				want = order.Shipped
			}
			if o.Status != want {
				return false, nil
			}
		}
		return true, nil
	})
	if err == nil {
		fmt.Fprintln(a.progress, "demo: orders delivered, shipped and awaiting fulfilment")
	}
	return err
}

// requestReturn asks to return qty units of line of store's part of o.
func (a *activity) requestReturn(o order.Order, store, line int, qty int64, reason support.Reason, comment string) (support.Return, error) {
	part := o.PartOf(a.storeID[store])
	if part == nil {
		return support.Return{}, fmt.Errorf("order %s has no part of %s", o.ID, Stores[store].Name)
	}
	return a.Support.RequestReturn(a.customer, support.ReturnInput{SellerOrderID: part.ID, Comment: comment,
		Lines: []support.ReturnLineInput{{SKU: part.Lines[line].SKU, Quantity: qty, Reason: reason}}})
}

// returns makes the demo returns: one awaiting the seller, one approved
// with its pickup scheduled, one rejected (returned), one received
// sellable and refunded.
func (a *activity) returns() (rejected support.Return, err error) {
	const returns = 4
	done := 0
	step := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("demo return (%s): %w", what, err)
		}
		done++
		fmt.Fprintf(a.progress, "demo: returns %d/%d\n", done, returns)
		return nil
	}
	_, err = a.requestReturn(a.orders[0], northwind, 0, 1, support.SizeOrFit, "Runs a size small. I would like to send it back.")
	if err := step("requested", err); err != nil {
		return rejected, err
	}
	r, err := a.requestReturn(a.orders[0], northwind, 1, 1, support.Defective, "The stitching came apart on the second wear.")
	if err == nil {
		_, err = a.Support.Approve(a.seller[a.storeID[northwind]], r.ID)
	}
	if err := step("approved", err); err != nil {
		return rejected, err
	}
	rejected, err = a.requestReturn(a.orders[1], volt, 0, 1, support.NoLongerNeeded, "I changed my mind. The box is open but I never used it.")
	if err == nil {
		rejected, err = a.Support.Reject(a.seller[a.storeID[volt]], rejected.ID, support.RejectInput{
			Reason: "Opened electronics can only be returned when faulty; see our store's return policy."})
	}
	if err := step("rejected", err); err != nil {
		return rejected, err
	}
	return rejected, step("refunded", a.refundedReturn())
}

// refundedReturn returns one unit of the third order: its seller approves,
// the pickup's delivery partner brings it back, and the seller receives it
// sellable, which refunds it.
func (a *activity) refundedReturn() error {
	seller := a.seller[a.storeID[hearth]]
	r, err := a.requestReturn(a.orders[2], hearth, 0, 1, support.NotAsDescribed, "The colour is much darker than in the photos.")
	if err != nil {
		return err
	}
	if r, err = a.Support.Approve(seller, r.ID); err != nil {
		return err
	}
	if r.Pickup != nil {
		partner := auth.With(a.customer, auth.Principal{UserID: r.Pickup.PartnerID, Role: auth.Delivery})
		for _, st := range []support.PickupStatus{support.PickupPickedUp, support.PickupDelivered} {
			if _, err := a.Support.UpdatePickup(partner, r.ID, support.PickupInput{Status: st, Location: "Springfield"}); err != nil {
				return err
			}
		}
	}
	_, err = a.Support.Receive(seller, r.ID, support.ReceiveInput{Lines: []support.ReceiveLine{
		{SKU: r.Lines[0].SKU, Quantity: 1, Condition: support.Sellable}}})
	return err
}

// tickets opens the demo tickets: a general question, one awaiting the
// seller, one answered by support (with an internal note), one resolved,
// and the escalation of the rejected return.
func (a *activity) tickets(rejected support.Return) error {
	reply := func(ctx context.Context, t support.Ticket, body string, internal bool) error {
		_, err := a.Support.Reply(ctx, t.ID, support.MessageInput{Body: body, Internal: internal})
		return err
	}
	northwindSeller := a.seller[a.storeID[northwind]]
	list := []struct {
		in   support.TicketInput
		then func(t support.Ticket) error
	}{
		{in: support.TicketInput{Subject: "Do you deliver to Canada?", Category: support.CategoryGeneral,
			Body: "I am moving to Toronto next month. Can I still order from Bazaar stores and have things delivered there?"}},
		{in: support.TicketInput{Subject: "Gift wrap for my order?", SellerOrderID: a.orders[4].PartOf(a.storeID[northwind]).ID,
			Body: "This is a birthday present. Could you gift-wrap it and leave the receipt out?"},
			then: func(t support.Ticket) error {
				if err := reply(northwindSeller, t, "Happy to! Would you like a card with a message too?", false); err != nil {
					return err
				}
				return reply(a.customer, t, "Yes please: \"Happy birthday, Sam! Love, Cody\".", false)
			}},
		{in: support.TicketInput{Subject: "My parcel has not moved for two days", OrderID: a.orders[3].ID, Category: support.CategoryShipping,
			Body: "The tracking page has said \"in transit\" since Monday. Is it lost?"},
			then: func(t support.Ticket) error {
				if err := reply(a.agent, t, "Carrier scans show the parcel at the Springfield hub; nothing to chase yet. Check again on Friday.", true); err != nil {
					return err
				}
				return reply(a.agent, t, "Your parcel is at the local hub and is due out for delivery within two days. "+
					"If it has not arrived by then, reply here and we will chase the carrier.", false)
			}},
		{in: support.TicketInput{Subject: "Was I charged twice?", OrderID: a.orders[0].ID, Category: support.CategoryPayment,
			Body: "My bank app shows two charges for this order."},
			then: func(t support.Ticket) error {
				if err := reply(a.agent, t, "There is one charge on this order. The other line is a card check that your bank drops within a few days.", false); err != nil {
					return err
				}
				_, err := a.Support.Resolve(a.customer, t.ID)
				return err
			}},
		{in: support.TicketInput{Subject: "Please look at my rejected return", ReturnID: rejected.ID,
			Body: "The seller rejected my return of these headphones, but I only opened the box. Could support take a look?"},
			then: func(t support.Ticket) error {
				_, err := a.Support.UpdateTicket(a.agent, t.ID, support.TicketUpdate{AssigneeID: &a.agentID})
				return err
			}},
	}
	for i, tk := range list {
		t, err := a.Support.OpenTicket(a.customer, tk.in)
		if err == nil && tk.then != nil {
			err = tk.then(t)
		}
		if err != nil {
			return fmt.Errorf("demo ticket %q: %w", tk.in.Subject, err)
		}
		fmt.Fprintf(a.progress, "demo: tickets %d/%d\n", i+1, len(list))
	}
	return nil
}

// place places an order of one variant of each line's store, trying other
// variants when one is out of stock (the shop may have sold it since the
// catalog was seeded).
func (s Seeder) place(ctx context.Context, pick []*picker, stores []int, qty []int64) (order.Order, error) {
	var last error
	for range 10 {
		lines := make([]order.LineInput, len(stores))
		for i, st := range stores {
			v, ok := pick[st].next(qty[i])
			if !ok {
				if last != nil {
					return order.Order{}, fmt.Errorf("no %s product left in stock: %w", Stores[st].Name, last)
				}
				return order.Order{}, fmt.Errorf("no %s product in stock", Stores[st].Name)
			}
			lines[i] = order.LineInput{SKU: v.SKU, Quantity: qty[i]}
		}
		addr := DemoAddress
		o, err := s.Orders.Place(ctx, order.PlaceInput{Lines: lines, ShippingAddress: &addr})
		if err == nil {
			return o, nil
		}
		if c := apperr.CodeOf(err); c != "insufficient_stock" && c != "sku_unavailable" {
			return order.Order{}, err
		}
		last = err
	}
	return order.Order{}, last
}

// until settles until done reports true, or fails after SettleTimeout.
func (s Seeder) until(ctx context.Context, what string, done func() (bool, error)) error {
	deadline := time.Now().Add(SettleTimeout)
	for {
		if err := s.Events.Settle(ctx); err != nil {
			return fmt.Errorf("demo: waiting for %s: %w", what, err)
		}
		ok, err := done()
		if err != nil {
			return fmt.Errorf("demo: waiting for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: %s took longer than %v", what, SettleTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// picker hands out a store's demo variants for orders, each once: the
// first product of each category first, for variety.
type picker struct {
	variants []Variant
	at       int
}

func newPicker(ps []Product, perCategory int) *picker {
	p := &picker{}
	for i := range perCategory {
		for j := i; j < len(ps); j += perCategory {
			p.variants = append(p.variants, ps[j].Variants[0])
		}
	}
	return p
}

// next returns the next variant seeded with more than qty units on hand.
func (p *picker) next(qty int64) (Variant, bool) {
	for p.at < len(p.variants) {
		v := p.variants[p.at]
		p.at++
		if v.OnHand > qty {
			return v, true
		}
	}
	return Variant{}, false
}
