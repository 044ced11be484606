package support

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// Limits on what people write.
const (
	MaxSubject            = 200
	MaxBody               = 10_000
	MaxMessageAttachments = 5
)

// TicketInput is what a customer sends to open a ticket. At most one of
// OrderID, SellerOrderID, ProductID and ReturnID names what it is about
// (a seller order or a return implies its order).
type TicketInput struct {
	Subject       string          `json:"subject"`
	Body          string          `json:"body"`
	Category      Category        `json:"category,omitempty"` // inferred from what it is about when empty
	OrderID       id.Order        `json:"order_id,omitempty"`
	SellerOrderID id.SellerOrder  `json:"seller_order_id,omitempty"`
	ProductID     id.Product      `json:"product_id,omitempty"`
	ReturnID      id.Return       `json:"return_id,omitempty"`
	Attachments   []id.Attachment `json:"attachments,omitempty"` // IDs of the caller's uploads
}

// MessageInput is a reply to a ticket. Internal notes are for staff only.
type MessageInput struct {
	Body        string          `json:"body"`
	Internal    bool            `json:"internal,omitempty"`
	Attachments []id.Attachment `json:"attachments,omitempty"`
}

// TicketUpdate is what staff change on a ticket; nil fields stay.
type TicketUpdate struct {
	Priority   *Priority     `json:"priority,omitempty"`
	AssigneeID *id.User      `json:"assignee_id,omitempty"` // "" unassigns
	Status     *TicketStatus `json:"status,omitempty"`
}

func checkText(f *apperr.Fields, field, v string, max int) {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	f.Check(n > 0, field, "is required")
	f.Check(n <= max, field, fmt.Sprintf("must be at most %d characters", max))
}

func checkAttachments(f *apperr.Fields, field string, ids []id.Attachment, max int) {
	f.Check(len(ids) <= max, field, fmt.Sprintf("at most %d files", max))
	seen := map[id.Attachment]bool{}
	for i, a := range ids {
		f.Check(id.Valid(string(a), "att"), fmt.Sprintf("%s[%d]", field, i), "must be an attachment ID (att_...)")
		f.Check(!seen[a], fmt.Sprintf("%s[%d]", field, i), "is listed twice")
		seen[a] = true
	}
}

// OpenTicket opens a ticket for the calling customer with its first
// message. What it is about must be the customer's own (NotFound
// otherwise); a ticket about a seller order, a return or a product also
// reaches that seller.
func (s *Service) OpenTicket(ctx context.Context, in TicketInput) (Ticket, error) {
	w, err := s.caller(ctx, auth.Customer)
	if err != nil {
		return Ticket{}, err
	}
	var f apperr.Fields
	checkText(&f, "subject", in.Subject, MaxSubject)
	checkText(&f, "body", in.Body, MaxBody)
	f.Check(in.Category == "" || in.Category.Valid(), "category", "must be one of order, shipping, return, payment, product, account, general")
	refs := 0
	for _, r := range []string{string(in.OrderID), string(in.SellerOrderID), string(in.ProductID), string(in.ReturnID)} {
		if r != "" {
			refs++
		}
	}
	f.Check(refs <= 1, "order_id", "name at most one of order_id, seller_order_id, product_id and return_id")
	checkAttachments(&f, "attachments", in.Attachments, MaxMessageAttachments)
	if err := f.Err(); err != nil {
		return Ticket{}, err
	}
	now := s.clock()
	t := Ticket{ID: id.Make[id.Ticket](), Subject: strings.TrimSpace(in.Subject), Category: in.Category, Status: Open,
		Priority: Normal, CustomerID: w.UserID, CreatedAt: now, UpdatedAt: now, LastMessage: now, MessageCount: 1}
	inferred := CategoryGeneral
	switch {
	case in.ReturnID != "":
		r, err := s.store.Return(ctx, in.ReturnID)
		if err != nil || r.CustomerID != w.UserID {
			return Ticket{}, apperr.NotFound("return %s not found", in.ReturnID)
		}
		t.ReturnID, t.OrderID, t.SellerOrderID, t.SellerID = r.ID, r.OrderID, r.SellerOrderID, r.SellerID
		inferred = CategoryReturn
		if r.Status == Rejected {
			t.Priority = High // an escalation: the seller said no
		}
	case in.SellerOrderID != "":
		o, err := s.deps.Orders.OrderOfPart(ctx, in.SellerOrderID)
		if err != nil || o.CustomerID != w.UserID {
			return Ticket{}, apperr.NotFound("seller order %s not found", in.SellerOrderID)
		}
		t.OrderID, t.SellerOrderID, t.SellerID = o.ID, in.SellerOrderID, o.Part(in.SellerOrderID).SellerID
		inferred = CategoryOrder
	case in.OrderID != "":
		if _, err := s.deps.Orders.Order(ctx, in.OrderID); err != nil {
			return Ticket{}, err // NotFound for another's order
		}
		t.OrderID = in.OrderID
		inferred = CategoryOrder
	case in.ProductID != "":
		refs, err := s.deps.Products.ProductRefs(ctx, []id.Product{in.ProductID})
		if err != nil {
			return Ticket{}, fmt.Errorf("look up product %s: %w", in.ProductID, err)
		}
		ref, ok := refs[in.ProductID]
		if !ok {
			return Ticket{}, apperr.NotFound("product %s not found", in.ProductID)
		}
		t.ProductID, t.SellerID = ref.ID, ref.SellerID
		inferred = CategoryProduct
	}
	if t.Category == "" {
		t.Category = inferred
	}
	if t.Category == CategoryPayment && t.Priority == Normal {
		t.Priority = High // money first
	}
	t.FirstResponseDue = now.Add(FirstResponse[t.Priority])
	m := Message{ID: id.Make[id.Message](), TicketID: t.ID, AuthorID: w.UserID, AuthorRole: auth.Customer,
		Body: strings.TrimSpace(in.Body), CreatedAt: now, Attachments: attachmentRefs(in.Attachments)}
	evs := []Event{eventOf(supportevent.TopicTicketOpened, string(t.ID), ticketEvent(t, "", now))}
	if err := s.store.CreateTicket(ctx, t, m, evs); err != nil {
		return Ticket{}, err
	}
	return s.Ticket(ctx, t.ID)
}

func attachmentRefs(ids []id.Attachment) []Attachment {
	out := make([]Attachment, len(ids))
	for i, a := range ids {
		out[i] = Attachment{ID: a}
	}
	return out
}

// sees reports whether w may see t: its customer, the seller concerned,
// and staff.
func (w who) sees(t Ticket) bool {
	switch {
	case w.staff():
		return true
	case w.Is(auth.Customer):
		return t.CustomerID == w.UserID
	case w.Is(auth.Seller):
		return t.SellerID != "" && t.SellerID == w.sellerID
	}
	return false
}

// ticketFor returns the ticket if w may see it, NotFound otherwise.
func (s *Service) ticketFor(ctx context.Context, w who, ticketID id.Ticket) (Ticket, error) {
	t, err := s.store.Ticket(ctx, ticketID)
	if err != nil {
		return Ticket{}, err
	}
	if !w.sees(t) {
		return Ticket{}, apperr.NotFound("ticket %s not found", ticketID)
	}
	return t, nil
}

// Ticket returns a ticket with its thread to those who may see it.
// Internal notes reach staff only; who wrote what is named by role to
// customers and sellers.
func (s *Service) Ticket(ctx context.Context, ticketID id.Ticket) (Ticket, error) {
	w, err := s.caller(ctx)
	if err != nil {
		return Ticket{}, err
	}
	t, err := s.ticketFor(ctx, w, ticketID)
	if err != nil {
		return Ticket{}, err
	}
	ms, err := s.store.Messages(ctx, t.ID)
	if err != nil {
		return Ticket{}, fmt.Errorf("read messages of %s: %w", t.ID, err)
	}
	t.Messages = make([]Message, 0, len(ms))
	for _, m := range ms {
		if m.Internal && !w.staff() {
			continue
		}
		t.Messages = append(t.Messages, w.message(m))
	}
	return s.view(w, t), nil
}

// message is m as w sees it.
func (w who) message(m Message) Message {
	switch {
	case m.AuthorID == w.UserID:
		m.AuthorName = "You"
	case m.AuthorRole == auth.Customer:
		m.AuthorName = "Customer"
	case m.AuthorRole == auth.Seller:
		m.AuthorName = "Seller"
	default:
		m.AuthorName = "Support"
	}
	if !w.staff() && m.AuthorID != w.UserID {
		m.AuthorID = ""
	}
	if m.Attachments == nil {
		m.Attachments = []Attachment{}
	}
	return m
}

// view fills what is computed at read time and hides staff-only fields.
func (s *Service) view(w who, t Ticket) Ticket {
	t.Overdue = t.overdue(s.clock())
	if !w.staff() {
		// Nothing may tell a customer or seller that a note exists.
		t.AssigneeID = ""
		t.MessageCount -= t.InternalCount
	}
	return t
}

// Reply adds a message to a ticket. The customer, the seller concerned and
// staff may reply; only staff may write internal notes, which change no
// status. A public reply hands the ticket over: the customer's to the seller
// when the seller answered last, else to support; the seller's and staff's
// to the customer. A customer replying to a resolved ticket reopens it; a
// closed ticket takes no reply (Conflict "ticket_closed").
func (s *Service) Reply(ctx context.Context, ticketID id.Ticket, in MessageInput) (Message, error) {
	w, err := s.caller(ctx, auth.Customer, auth.Seller, auth.Admin, auth.Support)
	if err != nil {
		return Message{}, err
	}
	var f apperr.Fields
	checkText(&f, "body", in.Body, MaxBody)
	f.Check(!in.Internal || w.staff(), "internal", "only support staff may write internal notes")
	checkAttachments(&f, "attachments", in.Attachments, MaxMessageAttachments)
	if err := f.Err(); err != nil {
		return Message{}, err
	}
	if _, err := s.ticketFor(ctx, w, ticketID); err != nil {
		return Message{}, err
	}
	now := s.clock()
	_, m, err := s.store.AddMessage(ctx, ticketID, func(t *Ticket) (Message, []Event, error) {
		if t.Status == Closed {
			return Message{}, nil, apperr.Conflict("ticket_closed", "ticket %s is closed; open a new one", t.ID)
		}
		m := Message{ID: id.Make[id.Message](), TicketID: t.ID, AuthorID: w.UserID, AuthorRole: w.Role,
			Body: strings.TrimSpace(in.Body), Internal: in.Internal, CreatedAt: now, Attachments: attachmentRefs(in.Attachments)}
		prev := t.Status
		t.MessageCount++
		if in.Internal {
			t.InternalCount++
		}
		t.LastMessage, t.UpdatedAt = now, now
		if !in.Internal {
			switch {
			case w.Is(auth.Customer) && t.LastReplyBy == auth.Seller && t.SellerID != "":
				t.Status = AwaitingSeller
			case w.Is(auth.Customer):
				t.Status = AwaitingSupport
			default:
				t.Status = AwaitingCustomer
				if t.FirstResponseAt == nil {
					t.FirstResponseAt = &now
				}
			}
			if w.staff() {
				t.LastReplyBy = auth.Support
			} else {
				t.LastReplyBy = w.Role
			}
			if prev == Resolved {
				t.ResolvedAt = nil
			}
		}
		evs := []Event{eventOf(supportevent.TopicTicketReplied, string(t.ID), supportevent.TicketReplied{
			TicketID: t.ID, MessageID: m.ID, CustomerID: t.CustomerID, SellerID: t.SellerID, AuthorID: w.UserID,
			AuthorRole: string(w.Role), Internal: in.Internal, Status: t.Status, At: now})}
		if t.Status != prev {
			evs = append(evs, eventOf(supportevent.TopicTicketStatusChanged, string(t.ID), ticketEvent(*t, prev, now)))
		}
		return m, evs, nil
	})
	if err != nil {
		return Message{}, err
	}
	return w.message(m), nil
}

// UpdateTicket sets a ticket's priority, assignee or status; staff only.
// The assignee must be an active support agent or admin. A new priority
// moves the first-response due time while no one has answered.
func (s *Service) UpdateTicket(ctx context.Context, ticketID id.Ticket, in TicketUpdate) (Ticket, error) {
	w, err := s.caller(ctx, auth.Admin, auth.Support)
	if err != nil {
		return Ticket{}, err
	}
	var f apperr.Fields
	f.Check(in.Priority == nil || in.Priority.Valid(), "priority", "must be low, normal, high or urgent")
	f.Check(in.Status == nil || ValidTicketStatus(*in.Status) && *in.Status != Open, "status",
		"must be awaiting_customer, awaiting_seller, awaiting_support, resolved or closed")
	f.Check(in.Priority != nil || in.AssigneeID != nil || in.Status != nil, "priority", "name something to change")
	if err := f.Err(); err != nil {
		return Ticket{}, err
	}
	if in.AssigneeID != nil && *in.AssigneeID != "" {
		ok, err := s.isStaff(ctx, *in.AssigneeID)
		if err != nil {
			return Ticket{}, err
		}
		if !ok {
			return Ticket{}, apperr.Invalid("validation_failed", "the request has invalid fields",
				apperr.FieldError{Field: "assignee_id", Message: "must be an active support agent or admin"})
		}
	}
	now := s.clock()
	t, err := s.store.UpdateTicket(ctx, ticketID, func(t *Ticket) ([]Event, error) {
		prev := t.Status
		if in.Priority != nil {
			t.Priority = *in.Priority
			if t.FirstResponseAt == nil {
				t.FirstResponseDue = t.CreatedAt.Add(FirstResponse[t.Priority])
			}
		}
		if in.AssigneeID != nil {
			t.AssigneeID = *in.AssigneeID
		}
		if in.Status != nil && *in.Status != t.Status {
			if err := t.setStatus(*in.Status, now); err != nil {
				return nil, err
			}
		}
		t.UpdatedAt = now
		return []Event{eventOf(supportevent.TopicTicketStatusChanged, string(t.ID), ticketEvent(*t, prev, now))}, nil
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.view(w, t), nil
}

// setStatus moves t to st, as staff or the customer ask.
func (t *Ticket) setStatus(st TicketStatus, now time.Time) error {
	if t.Status == Closed {
		return apperr.Conflict("ticket_closed", "ticket %s is closed", t.ID)
	}
	if st == AwaitingSeller && t.SellerID == "" {
		return apperr.Conflict("illegal_transition", "ticket %s concerns no seller", t.ID)
	}
	if st == Closed && t.Status != Resolved {
		return apperr.Conflict("illegal_transition", "resolve ticket %s before closing it", t.ID)
	}
	t.Status = st
	switch st {
	case Resolved:
		t.ResolvedAt = &now
	case Closed:
		t.ClosedAt = &now
	default:
		t.ResolvedAt = nil
	}
	return nil
}

func (s *Service) isStaff(ctx context.Context, userID id.User) (bool, error) {
	for _, r := range []auth.Role{auth.Support, auth.Admin} {
		ok, err := s.deps.People.IsActiveUser(ctx, userID, r)
		if err != nil {
			return false, fmt.Errorf("check user %s: %w", userID, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// Resolve marks a ticket resolved: its customer or staff may.
func (s *Service) Resolve(ctx context.Context, ticketID id.Ticket) (Ticket, error) {
	return s.customerMove(ctx, ticketID, Resolved)
}

// Reopen hands a resolved ticket back to support: its customer or staff
// may, until it is closed.
func (s *Service) Reopen(ctx context.Context, ticketID id.Ticket) (Ticket, error) {
	return s.customerMove(ctx, ticketID, AwaitingSupport)
}

func (s *Service) customerMove(ctx context.Context, ticketID id.Ticket, to TicketStatus) (Ticket, error) {
	w, err := s.caller(ctx, auth.Customer, auth.Admin, auth.Support)
	if err != nil {
		return Ticket{}, err
	}
	if _, err := s.ticketFor(ctx, w, ticketID); err != nil {
		return Ticket{}, err
	}
	now := s.clock()
	t, err := s.store.UpdateTicket(ctx, ticketID, func(t *Ticket) ([]Event, error) {
		prev := t.Status
		switch {
		case to == Resolved && t.Status == Resolved:
			return nil, ErrUnchanged
		case to == AwaitingSupport && t.Status == Closed:
			return nil, apperr.Conflict("ticket_closed", "ticket %s is closed; open a new one", t.ID)
		case to == AwaitingSupport && t.Status != Resolved:
			return nil, apperr.Conflict("illegal_transition", "only a resolved ticket can be reopened")
		}
		if err := t.setStatus(to, now); err != nil {
			return nil, err
		}
		t.UpdatedAt = now
		return []Event{eventOf(supportevent.TopicTicketStatusChanged, string(t.ID), ticketEvent(*t, prev, now))}, nil
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.view(w, t), nil
}

// TicketQuery selects a page of tickets.
type TicketQuery struct {
	Status   TicketStatus
	Open     bool   // only tickets neither resolved nor closed
	Assignee string // staff: a user ID, "me" or "none"
	Priority Priority
	Overdue  bool
	SellerID id.Seller // staff only
	OrderID  id.Order
	ReturnID id.Return
	Sort     TicketSort // newest for customers and sellers, due for staff, when empty
	Cursor   string
	Limit    int
}

// Tickets lists a customer's own tickets, a seller's (about its seller
// orders and products) and, for staff, the whole queue.
func (s *Service) Tickets(ctx context.Context, q TicketQuery) (page.Page[Ticket], error) {
	w, err := s.caller(ctx, auth.Customer, auth.Seller, auth.Admin, auth.Support)
	if err != nil {
		return page.Page[Ticket]{}, err
	}
	var f apperr.Fields
	f.Check(q.Status == "" || ValidTicketStatus(q.Status), "status", "must be a ticket status such as open or resolved")
	f.Check(q.Priority == "" || q.Priority.Valid(), "priority", "must be low, normal, high or urgent")
	f.Check(q.Sort == "" || q.Sort == Newest || q.Sort == Due, "sort", "must be newest or due")
	f.Check(w.staff() || q.Assignee == "", "assignee", "only staff filter by assignee")
	limit := page.Limit(&f, q.Limit)
	if err := f.Err(); err != nil {
		return page.Page[Ticket]{}, err
	}
	flt := TicketFilter{Status: q.Status, Open: q.Open, Priority: q.Priority, OrderID: q.OrderID, ReturnID: q.ReturnID, Sort: q.Sort, Limit: limit + 1}
	switch {
	case w.staff():
		flt.SellerID = q.SellerID
		switch q.Assignee {
		case "":
		case "me":
			flt.AssigneeID = w.UserID
		case "none":
			flt.Unassigned = true
		default:
			flt.AssigneeID = id.User(q.Assignee)
		}
		if flt.Sort == "" {
			flt.Sort = Due
		}
	case w.Is(auth.Customer):
		flt.CustomerID = w.UserID
	case w.Is(auth.Seller):
		if w.sellerID == "" {
			return page.Page[Ticket]{Items: []Ticket{}}, nil
		}
		flt.SellerID = w.sellerID
	}
	if flt.Sort == "" {
		flt.Sort = Newest
	}
	now := s.clock()
	if q.Overdue {
		flt.OverdueAt = now
	}
	if q.Cursor != "" {
		var c TicketCursor
		if err := page.DecodeCursor(q.Cursor, &c); err != nil {
			return page.Page[Ticket]{}, err
		}
		flt.After = &c
	}
	ts, err := s.store.Tickets(ctx, flt)
	if err != nil {
		return page.Page[Ticket]{}, fmt.Errorf("list tickets: %w", err)
	}
	out := page.Page[Ticket]{Items: make([]Ticket, 0, min(len(ts), limit))}
	for i, t := range ts {
		if i == limit {
			last := ts[limit-1]
			out.NextCursor = page.EncodeCursor(cursorOf(last, flt.Sort))
			break
		}
		out.Items = append(out.Items, s.view(w, t))
	}
	return out, nil
}

// cursorOf is the cursor after t in order sort.
func cursorOf(t Ticket, sort TicketSort) TicketCursor {
	if sort == Due {
		if t.FirstResponseAt == nil && t.open() {
			return TicketCursor{Key: t.FirstResponseDue, ID: t.ID}
		}
		return TicketCursor{Responded: true, Key: t.LastMessage, ID: t.ID}
	}
	return TicketCursor{ID: t.ID}
}

// CloseResolved closes the tickets resolved for AutoCloseAfter and returns
// how many it closed.
func (s *Service) CloseResolved(ctx context.Context) (int, error) {
	n := 0
	for {
		now := s.clock()
		ids, err := s.store.ResolvedBefore(ctx, now.Add(-AutoCloseAfter), 100)
		if err != nil {
			return n, fmt.Errorf("find resolved tickets: %w", err)
		}
		for _, tid := range ids {
			_, err := s.store.UpdateTicket(ctx, id.Ticket(tid), func(t *Ticket) ([]Event, error) {
				if t.Status != Resolved || t.ResolvedAt == nil || now.Sub(*t.ResolvedAt) < AutoCloseAfter {
					return nil, ErrUnchanged
				}
				prev := t.Status
				if err := t.setStatus(Closed, now); err != nil {
					return nil, err
				}
				t.UpdatedAt = now
				return []Event{eventOf(supportevent.TopicTicketStatusChanged, string(t.ID), ticketEvent(*t, prev, now))}, nil
			})
			if err != nil {
				return n, fmt.Errorf("close ticket %s: %w", tid, err)
			}
			n++
		}
		if len(ids) < 100 {
			return n, nil
		}
	}
}
