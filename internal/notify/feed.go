package notify

import (
	"context"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentevent"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// Consumer is notify's event consumer group.
const Consumer = "notify"

// message is what one event tells one person, before it is addressed to
// that person's channels.
type message struct {
	to       id.User
	seller   id.Seller // set instead of to: the store's owner is told
	category Category
	title    string
	body     string
	link     string
	mail     bool // worth an e-mail besides the inbox
}

// Subscribe turns the events that matter to people into notifications
// and mail, each event once per recipient however often it is delivered.
func (s *Service) Subscribe(sub event.Subscriber) {
	on(sub, s, order.TopicPlaced, placed)
	on(sub, s, order.TopicPaid, paid)
	on(sub, s, order.TopicCancelled, cancelled)
	on(sub, s, order.TopicStatusChanged, orderStatus)
	on(sub, s, shipmentevent.TopicStatusChanged, shipmentStatus)
	for _, t := range []event.Topic[supportevent.Return]{supportevent.TopicReturnRequested, supportevent.TopicReturnApproved,
		supportevent.TopicReturnRejected, supportevent.TopicReturnCancelled, supportevent.TopicReturnInTransit,
		supportevent.TopicReturnReceived, supportevent.TopicReturnRefunded} {
		on(sub, s, t, returned(t.Name()))
	}
	on(sub, s, supportevent.TopicTicketOpened, ticketOpened)
	on(sub, s, supportevent.TopicTicketReplied, ticketReplied)
	on(sub, s, supportevent.TopicTicketStatusChanged, ticketStatus)
	on(sub, s, review.TopicHidden, reviewHidden)
	event.On(sub, Consumer, inventory.TopicStockChanged, s.stockChanged)
	on(sub, s, ledger.TopicPayoutStatusChanged, payoutStatus)
}

// payoutStatus tells a store's owner that a payout of its balance was sent
// (paid) or failed, with why and where the money went back; approvals
// (in transit) are the admin's step and tell nobody.
func payoutStatus(p ledger.PayoutStatusChanged) []message {
	var title, body string
	switch p.Status {
	case ledger.PayoutPaid:
		title = "Payout sent"
		body = fmt.Sprintf("Your payout %s of %s was sent", p.PayoutID, p.Amount)
		if p.Destination != "" {
			body += " to " + p.Destination
		}
		body += "."
	case ledger.PayoutFailed:
		title = "Payout failed"
		body = fmt.Sprintf("Your payout %s of %s failed", p.PayoutID, p.Amount)
		if p.Failure != "" {
			body += ": " + p.Failure
		}
		body += ". The money is back in your available balance and goes out with the next payout; check your payout settings."
	default:
		return nil
	}
	return []message{{seller: p.SellerID, category: CategorySellerOrder, title: title, body: body, link: "/seller/payments", mail: true}}
}

// on subscribes a function that says what an event tells whom.
func on[T any](sub event.Subscriber, s *Service, t event.Topic[T], tell func(T) []message) {
	event.On(sub, Consumer, t, func(ctx context.Context, e event.Event, p T) error {
		return s.deliver(ctx, e.ID, tell(p))
	})
}

// deliver addresses msgs to their recipients' channels and applies them,
// with the record of the event, in one transaction.
func (s *Service) deliver(ctx context.Context, eventID id.Event, msgs []message) error {
	ns, mails, err := s.address(ctx, eventID, msgs)
	if err != nil {
		return err
	}
	applied, err := s.store.Apply(ctx, Consumer, eventID, ns, mails)
	if err == nil && applied {
		s.notified(ns)
	}
	return err
}

// notified tells the listener (live updates) of committed notifications.
func (s *Service) notified(ns []Notification) {
	if len(ns) > 0 && s.opts.OnNotified != nil {
		s.opts.OnNotified(ns)
	}
}

// address turns msgs into the notifications and mail their recipients'
// preferences ask for.
func (s *Service) address(ctx context.Context, eventID id.Event, msgs []message) ([]Notification, []Mail, error) {
	now := s.now()
	var ns []Notification
	var mails []Mail
	done := map[id.User]bool{}
	for _, m := range msgs {
		if m.to == "" && m.seller != "" {
			owner, err := s.people.SellerOwner(ctx, m.seller)
			if apperr.Is(err, apperr.KindNotFound) {
				continue // a store that is gone: nobody to tell
			}
			if err != nil {
				return nil, nil, fmt.Errorf("find the owner of seller %s: %w", m.seller, err)
			}
			m.to = owner
		}
		if m.to == "" || done[m.to] {
			continue // one notification per event and recipient
		}
		done[m.to] = true
		prefs, err := s.preferences(ctx, m.to)
		if err != nil {
			return nil, nil, fmt.Errorf("read the preferences of %s: %w", m.to, err)
		}
		pref := defaultPreference(m.category)
		for _, p := range prefs.Items {
			if p.Category == m.category {
				pref = p
			}
		}
		if pref.InApp {
			ns = append(ns, Notification{ID: ID(id.New("ntf")), Recipient: m.to, Category: m.category, Title: m.title,
				Body: m.body, Link: m.link, EventID: eventID, CreatedAt: now})
		}
		if m.mail && pref.Email {
			c, err := s.people.Contact(ctx, m.to)
			if apperr.Is(err, apperr.KindNotFound) {
				continue
			}
			if err != nil {
				return nil, nil, fmt.Errorf("read the contact of %s: %w", m.to, err)
			}
			if c.Email == "" {
				continue
			}
			mail, err := s.render(m, c)
			if err != nil {
				return nil, nil, fmt.Errorf("render mail of event %s: %w", eventID, err)
			}
			mail.ID, mail.EventID, mail.Recipient, mail.Status, mail.NextAt, mail.CreatedAt =
				MailID(id.New("mal")), eventID, m.to, MailPending, now, now
			mails = append(mails, mail)
		}
	}
	return ns, mails, nil
}

func orderLink(o id.Order) string { return "/orders/" + string(o) }

func placed(p order.Placed) []message {
	if p.Total.Amount == 0 {
		return nil // an exchange's replacement, confirmed at once (order.paid.v1 tells)
	}
	return []message{{to: p.CustomerID, category: CategoryOrder, title: "Order placed",
		body: fmt.Sprintf("We received your order %s (%s). We will tell you once it is confirmed.", p.OrderID, p.Total), link: orderLink(p.OrderID)}}
}

func paid(p order.PaidEvent) []message {
	title, body := "Order confirmed", fmt.Sprintf("Your order %s is paid and confirmed. We will tell you when it ships.", p.OrderID)
	if p.CashOnDelivery {
		body = fmt.Sprintf("Your order %s is confirmed; you pay in cash on delivery. We will tell you when it ships.", p.OrderID)
	}
	if p.Replacement {
		title, body = "Replacement confirmed", fmt.Sprintf("Your replacement order %s is confirmed.", p.OrderID)
	}
	out := []message{{to: p.CustomerID, category: CategoryOrder, title: title, body: body, link: orderLink(p.OrderID), mail: true}}
	for _, so := range p.SellerOrders {
		n := 0
		for _, l := range so.Lines {
			n += int(l.Quantity)
		}
		out = append(out, message{seller: so.SellerID, category: CategorySellerOrder, title: "New order to fulfil",
			body: fmt.Sprintf("Order %s: %d item(s) to pack and ship.", so.SellerOrderID, n), link: "/seller/orders", mail: true})
	}
	return out
}

func cancelled(p order.CancelledEvent) []message {
	body := fmt.Sprintf("Your order %s was cancelled", p.OrderID)
	if !p.Whole {
		body = fmt.Sprintf("Part of your order %s was cancelled", p.OrderID)
	}
	if p.Reason != "" {
		body += ": " + p.Reason
	}
	body += "."
	if p.RefundRequired {
		body += " Your money will be refunded."
	}
	return []message{{to: p.CustomerID, category: CategoryOrder, title: "Order cancelled", body: body, link: orderLink(p.OrderID), mail: true}}
}

func orderStatus(p order.StatusChanged) []message {
	switch p.Status {
	case order.Refunded:
		return []message{{to: p.CustomerID, category: CategoryOrder, title: "Order refunded",
			body: fmt.Sprintf("Your order %s was refunded.", p.OrderID), link: orderLink(p.OrderID), mail: true}}
	case order.Delivered:
		return []message{{to: p.CustomerID, category: CategoryOrder, title: "Order delivered",
			body: fmt.Sprintf("Every parcel of your order %s is delivered. Enjoy!", p.OrderID), link: orderLink(p.OrderID)}}
	}
	return nil
}

func shipmentStatus(p shipmentevent.StatusChanged) []message {
	cust := func(title, body string) message {
		return message{to: p.CustomerID, category: CategoryShipment, title: title, body: body, link: orderLink(p.OrderID), mail: true}
	}
	switch p.Status {
	case "handed_over":
		return []message{cust("Shipped", fmt.Sprintf("A parcel of your order %s was handed to the courier.", p.OrderID))}
	case "out_for_delivery":
		return []message{cust("Out for delivery", fmt.Sprintf("A parcel of your order %s arrives today.", p.OrderID))}
	case "delivered":
		return []message{cust("Delivered", fmt.Sprintf("A parcel of your order %s was delivered.", p.OrderID))}
	case "failed_attempt":
		return []message{cust("Delivery attempt failed", fmt.Sprintf("We could not deliver a parcel of your order %s; we will try again.", p.OrderID))}
	case "returned_to_seller":
		return []message{cust("Parcel returned", fmt.Sprintf("A parcel of your order %s went back to the seller.", p.OrderID)),
			{seller: p.SellerID, category: CategorySellerOrder, title: "Parcel returned to you",
				body: fmt.Sprintf("The parcel of order %s could not be delivered and is coming back.", p.SellerOrderID), link: "/seller/orders"}}
	}
	return nil
}

// returned says what a return event tells the customer or the seller.
func returned(topic string) func(supportevent.Return) []message {
	return func(p supportevent.Return) []message {
		cust := func(title, body string) []message {
			return []message{{to: p.CustomerID, category: CategorySupport, title: title, body: body,
				link: "/returns/" + string(p.ReturnID), mail: true}}
		}
		seller := func(title, body string) []message {
			return []message{{seller: p.SellerID, category: CategorySupport, title: title, body: body,
				link: "/seller/returns/" + string(p.ReturnID), mail: true}}
		}
		switch topic {
		case supportevent.TopicReturnRequested.Name():
			return seller("Return requested", fmt.Sprintf("A customer asks to return items of order %s.", p.SellerOrderID))
		case supportevent.TopicReturnCancelled.Name():
			return seller("Return cancelled", fmt.Sprintf("The customer cancelled return %s.", p.ReturnID))
		case supportevent.TopicReturnApproved.Name():
			return cust("Return approved", fmt.Sprintf("Your return %s is approved; a pickup will be arranged.", p.ReturnID))
		case supportevent.TopicReturnRejected.Name():
			return cust("Return rejected", fmt.Sprintf("Your return %s was rejected.", p.ReturnID))
		case supportevent.TopicReturnInTransit.Name():
			return cust("Return picked up", fmt.Sprintf("Your return %s was picked up.", p.ReturnID))
		case supportevent.TopicReturnReceived.Name():
			return cust("Return received", fmt.Sprintf("The seller received your return %s.", p.ReturnID))
		case supportevent.TopicReturnRefunded.Name():
			body := fmt.Sprintf("Your return %s is complete.", p.ReturnID)
			if p.Refund != nil && p.Refund.Amount > 0 {
				body = fmt.Sprintf("Your return %s was refunded (%s).", p.ReturnID, p.Refund)
			}
			return cust("Return refunded", body)
		}
		return nil
	}
}

func ticketOpened(p supportevent.Ticket) []message {
	if p.SellerID == "" {
		return nil // staff see the queue
	}
	return []message{{seller: p.SellerID, category: CategorySupport, title: "New support ticket",
		body: fmt.Sprintf("A customer opened a ticket: %s", p.Subject), link: "/seller/tickets/" + string(p.TicketID), mail: true}}
}

func ticketReplied(p supportevent.TicketReplied) []message {
	if p.Internal {
		return nil // a staff note: nobody outside the staff may see it
	}
	var out []message
	if p.AuthorID != p.CustomerID {
		out = append(out, message{to: p.CustomerID, category: CategorySupport, title: "New reply to your ticket",
			body: fmt.Sprintf("Ticket %s has a new reply.", p.TicketID), link: "/tickets/" + string(p.TicketID), mail: true})
	}
	if p.SellerID != "" && p.AuthorRole != "seller" {
		out = append(out, message{seller: p.SellerID, category: CategorySupport, title: "New message on a ticket",
			body: fmt.Sprintf("Ticket %s has a new message.", p.TicketID), link: "/seller/tickets/" + string(p.TicketID)})
	}
	return out
}

func ticketStatus(p supportevent.Ticket) []message {
	if p.Status != "resolved" && p.Status != "closed" {
		return nil
	}
	return []message{{to: p.CustomerID, category: CategorySupport, title: "Ticket " + string(p.Status),
		body: fmt.Sprintf("Your ticket %q is %s.", p.Subject, p.Status), link: "/tickets/" + string(p.TicketID)}}
}

func reviewHidden(p review.HiddenEvent) []message {
	what := "Your review"
	if p.Title != "" {
		what = fmt.Sprintf("Your review %q", p.Title)
	}
	body := what + " was hidden by our moderators"
	if p.Reason != "" {
		body += ": " + p.Reason
	}
	body += ". It no longer shows on the product page or counts in its rating; you can still edit it."
	return []message{{to: p.CustomerID, category: CategoryReview, title: "Review hidden", body: body,
		link: "/p/" + string(p.ProductID), mail: true}}
}

// stockChanged tells a SKU's seller when its available stock falls to or
// below the LowStock threshold: once per fall, not again on every change
// below it, and again only after it has been above the threshold.
func (s *Service) stockChanged(ctx context.Context, e event.Event, p inventory.StockChanged) error {
	low := s.opts.LowStock >= 0 && p.Available <= int64(s.opts.LowStock)
	var msgs []message
	if low && p.SellerID != "" {
		title, body := "Low stock", fmt.Sprintf("Only %d of %s left to sell (%d on hand, %d reserved).", p.Available, p.SKU, p.OnHand, p.Reserved)
		if p.Available <= 0 {
			title, body = "Sold out", fmt.Sprintf("%s is sold out: customers cannot buy it until you add stock.", p.SKU)
		}
		msgs = append(msgs, message{seller: p.SellerID, category: CategoryStock, title: title, body: body,
			link: "/seller/products/" + string(p.ProductID), mail: true})
	}
	var ns []Notification
	var mails []Mail
	if low {
		was, err := s.store.Low(ctx, lowStockKey(p.SKU))
		if err != nil {
			return err
		}
		if !was { // only a fall needs the recipients looked up
			var err error
			if ns, mails, err = s.address(ctx, e.ID, msgs); err != nil {
				return err
			}
		}
	}
	applied, err := s.store.ApplyLevel(ctx, Consumer, e.ID, lowStockKey(p.SKU), low, ns, mails)
	if err == nil && applied {
		s.notified(ns)
	}
	return err
}

func lowStockKey(sku string) string { return "stock:" + sku }
