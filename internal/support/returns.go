package support

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// Limits of a return request.
const (
	MaxReturnLines = 50
	MaxComment     = 2_000
	MaxPhotos      = 5
	MaxNote        = 500
)

// ReturnInput is what a customer sends to return lines of a seller order.
type ReturnInput struct {
	SellerOrderID id.SellerOrder    `json:"seller_order_id"`
	Lines         []ReturnLineInput `json:"lines"`
	Comment       string            `json:"comment,omitempty"`
	Photos        []id.Attachment   `json:"photos,omitempty"` // IDs of the caller's uploads
}

// ReturnLineInput is one line of a return request. With ExchangeSKU the
// customer takes that other variant of the same product instead of money.
type ReturnLineInput struct {
	SKU         string `json:"sku"`
	Quantity    int64  `json:"quantity"`
	Reason      Reason `json:"reason"`
	ExchangeSKU string `json:"exchange_sku,omitempty"`
}

// Eligibility tells a customer what of a seller order may be returned, and
// until when.
type Eligibility struct {
	SellerOrderID id.SellerOrder `json:"seller_order_id"`
	// Open is false once the window has closed or before delivery.
	Open     bool       `json:"open"`
	Deadline *time.Time `json:"deadline,omitempty"`
	// Why explains a closed window ("not_delivered", "return_window_closed").
	Why   string            `json:"why,omitempty"`
	Lines []EligibilityLine `json:"lines"`
}

// EligibilityLine is one line of a seller order with what of it may still
// be returned.
type EligibilityLine struct {
	SKU        string      `json:"sku"`
	ProductID  id.Product  `json:"product_id"`
	Title      string      `json:"title"`
	Quantity   int64       `json:"quantity"`
	UnitPrice  money.Money `json:"unit_price"`
	Returnable bool        `json:"returnable"` // false for a non-returnable category
	// Available is how many units may still be returned.
	Available int64 `json:"available"`
	// Exchange lists the product's other variants in stock, which the
	// customer may take instead of money.
	Exchange []ExchangeOption `json:"exchange"`
}

// ExchangeOption is a variant a returned line may be exchanged for.
type ExchangeOption struct {
	SKU       string            `json:"sku"`
	Options   map[string]string `json:"options"`
	Available int64             `json:"available"`
}

// ownPart returns the order holding sellerOrderID and that part, if the
// calling customer placed it; NotFound otherwise.
func (s *Service) ownPart(ctx context.Context, w who, sellerOrderID id.SellerOrder) (order.Order, *order.SellerOrder, error) {
	o, err := s.deps.Orders.OrderOfPart(ctx, sellerOrderID)
	if apperr.Is(err, apperr.KindNotFound) || err == nil && o.CustomerID != w.UserID {
		return order.Order{}, nil, apperr.NotFound("seller order %s not found", sellerOrderID)
	}
	if err != nil {
		return order.Order{}, nil, fmt.Errorf("read seller order %s: %w", sellerOrderID, err)
	}
	return o, o.Part(sellerOrderID), nil
}

// Eligibility says which lines of the caller's seller order may be
// returned, how many units of each, and until when.
func (s *Service) Eligibility(ctx context.Context, sellerOrderID id.SellerOrder) (Eligibility, error) {
	w, err := s.caller(ctx, auth.Customer)
	if err != nil {
		return Eligibility{}, err
	}
	_, part, err := s.ownPart(ctx, w, sellerOrderID)
	if err != nil {
		return Eligibility{}, err
	}
	e, err := s.eligibility(ctx, part)
	if err != nil || !e.Open {
		return e, err
	}
	for i := range e.Lines {
		if e.Lines[i].Available > 0 {
			if e.Lines[i].Exchange, err = s.exchangeOptions(ctx, e.Lines[i]); err != nil {
				return Eligibility{}, err
			}
		}
	}
	return e, nil
}

// exchangeOptions lists the other variants of l's product in stock.
func (s *Service) exchangeOptions(ctx context.Context, l EligibilityLine) ([]ExchangeOption, error) {
	p, err := s.deps.Products.Product(ctx, string(l.ProductID))
	if apperr.Is(err, apperr.KindNotFound) {
		return []ExchangeOption{}, nil // no longer sold
	}
	if err != nil {
		return nil, fmt.Errorf("read product %s: %w", l.ProductID, err)
	}
	var skus []string
	for _, v := range p.Variants {
		if v.SKU != l.SKU {
			skus = append(skus, v.SKU)
		}
	}
	out := []ExchangeOption{}
	if len(skus) == 0 {
		return out, nil
	}
	avail, err := s.deps.Stock.Available(ctx, skus)
	if err != nil {
		return nil, fmt.Errorf("read stock: %w", err)
	}
	for _, v := range p.Variants {
		if v.SKU != l.SKU && avail[v.SKU] > 0 {
			out = append(out, ExchangeOption{SKU: v.SKU, Options: v.Options, Available: avail[v.SKU]})
		}
	}
	return out, nil
}

func (s *Service) eligibility(ctx context.Context, part *order.SellerOrder) (Eligibility, error) {
	e := Eligibility{SellerOrderID: part.ID, Lines: []EligibilityLine{}}
	if part.Status != order.SellerDelivered || part.DeliveredAt == nil {
		e.Why = "not_delivered"
	} else {
		pol, err := s.store.Policy(ctx, part.SellerID)
		if err != nil {
			return Eligibility{}, fmt.Errorf("read return policy of %s: %w", part.SellerID, err)
		}
		d := part.DeliveredAt.Add(time.Duration(pol.WindowDays) * 24 * time.Hour)
		e.Deadline = &d
		e.Open = s.clock().Before(d)
		if !e.Open {
			e.Why = "return_window_closed"
		}
	}
	returned, err := s.store.Returned(ctx, part.ID)
	if err != nil {
		return Eligibility{}, fmt.Errorf("read returns of %s: %w", part.ID, err)
	}
	blocked, err := s.nonReturnable(ctx, part.Lines)
	if err != nil {
		return Eligibility{}, err
	}
	for _, l := range part.Lines {
		el := EligibilityLine{SKU: l.SKU, ProductID: l.ProductID, Title: l.Title, Quantity: l.Quantity,
			UnitPrice: l.UnitPrice, Returnable: !blocked[l.ProductID]}
		if e.Open && el.Returnable {
			el.Available = max(0, l.Quantity-returned[l.SKU])
		}
		e.Lines = append(e.Lines, el)
	}
	return e, nil
}

// nonReturnable returns the products of lines whose category, or an
// ancestor of it, is marked non-returnable.
func (s *Service) nonReturnable(ctx context.Context, lines []order.Line) (map[id.Product]bool, error) {
	marked, err := s.store.NonReturnable(ctx)
	if err != nil {
		return nil, fmt.Errorf("read non-returnable categories: %w", err)
	}
	out := map[id.Product]bool{}
	if len(marked) == 0 {
		return out, nil
	}
	ids := make([]id.Product, 0, len(lines))
	for _, l := range lines {
		ids = append(ids, l.ProductID)
	}
	refs, err := s.deps.Products.ProductRefs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read products: %w", err)
	}
	cats, err := s.deps.Products.Categories(ctx)
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	parent := map[id.Category]id.Category{}
	for _, c := range cats {
		if c.ParentID != nil {
			parent[c.ID] = *c.ParentID
		}
	}
	for pid, ref := range refs {
		for c, hops := ref.CategoryID, 0; c != "" && hops < 64; c, hops = parent[c], hops+1 {
			if marked[c] {
				out[pid] = true
				break
			}
		}
	}
	return out, nil
}

// RequestReturn asks to return lines of the caller's delivered seller
// order. Errors: Unprocessable "return_window_closed" after the seller's
// window (Conflict "not_delivered" before delivery), "not_returnable" for
// a product of a non-returnable category, "quantity_exceeds_delivered" for
// more units than were delivered less those in other returns. When every
// line's reason is one the seller approves automatically, the return is
// approved at once and its pickup scheduled.
func (s *Service) RequestReturn(ctx context.Context, in ReturnInput) (Return, error) {
	w, err := s.caller(ctx, auth.Customer)
	if err != nil {
		return Return{}, err
	}
	var f apperr.Fields
	f.Check(in.SellerOrderID != "", "seller_order_id", "is required")
	f.Check(len(in.Lines) > 0, "lines", "name at least one line to return")
	f.Check(len(in.Lines) <= MaxReturnLines, "lines", fmt.Sprintf("at most %d lines", MaxReturnLines))
	f.Check(utf8.RuneCountInString(in.Comment) <= MaxComment, "comment", fmt.Sprintf("must be at most %d characters", MaxComment))
	checkAttachments(&f, "photos", in.Photos, MaxPhotos)
	seen := map[string]bool{}
	for i, l := range in.Lines {
		p := fmt.Sprintf("lines[%d].", i)
		f.Check(l.SKU != "", p+"sku", "is required")
		f.Check(!seen[l.SKU], p+"sku", "is listed twice")
		seen[l.SKU] = true
		f.Check(l.Quantity > 0, p+"quantity", "must be at least 1")
		f.Check(l.Reason.Valid(), p+"reason", "must be one of damaged, defective, wrong_item, not_as_described, no_longer_needed, size_or_fit, other")
	}
	if err := f.Err(); err != nil {
		return Return{}, err
	}
	o, part, err := s.ownPart(ctx, w, in.SellerOrderID)
	if err != nil {
		return Return{}, err
	}
	el, err := s.eligibility(ctx, part)
	if err != nil {
		return Return{}, err
	}
	switch el.Why {
	case "not_delivered":
		return Return{}, apperr.Conflict("not_delivered", "seller order %s has not been delivered yet", part.ID)
	case "return_window_closed":
		return Return{}, apperr.Unprocessable("return_window_closed", "the return window of seller order %s closed on %s",
			part.ID, el.Deadline.Format("2 January 2006"))
	}
	now := s.clock()
	r := Return{ID: id.Make[id.Return](), OrderID: o.ID, SellerOrderID: part.ID, SellerID: part.SellerID, CustomerID: w.UserID,
		Status: Requested, Comment: strings.TrimSpace(in.Comment), DeliveredAt: *part.DeliveredAt,
		RestockingFee: money.New(0, o.Currency), Refund: money.New(0, o.Currency), CreatedAt: now, UpdatedAt: now,
		Photos: attachmentRefs(in.Photos), Timeline: []Entry{{Status: string(Requested), At: now}}}
	limits := map[string]int64{}
	for i, l := range in.Lines {
		j := slices.IndexFunc(el.Lines, func(e EligibilityLine) bool { return e.SKU == l.SKU })
		if j < 0 {
			f.Add(fmt.Sprintf("lines[%d].sku", i), "is not in this seller order")
			continue
		}
		e := el.Lines[j]
		if l.ExchangeSKU != "" {
			if err := s.checkExchange(ctx, i, e, l); err != nil {
				return Return{}, err
			}
		}
		if !e.Returnable {
			return Return{}, &apperr.Error{Kind: apperr.KindUnprocessable, Code: "not_returnable",
				Message: fmt.Sprintf("%s cannot be returned: its category is non-returnable", e.Title),
				Fields:  []apperr.FieldError{{Field: fmt.Sprintf("lines[%d].sku", i), Message: "is not returnable"}}}
		}
		limits[l.SKU] = e.Quantity
		r.Lines = append(r.Lines, ReturnLine{SKU: l.SKU, ProductID: e.ProductID, Title: e.Title, Quantity: l.Quantity,
			Reason: l.Reason, UnitPrice: e.UnitPrice, ExchangeSKU: l.ExchangeSKU})
	}
	if err := f.Err(); err != nil {
		return Return{}, err
	}
	pol, err := s.store.Policy(ctx, part.SellerID)
	if err != nil {
		return Return{}, fmt.Errorf("read return policy: %w", err)
	}
	evs := []Event{returnEvent(r, now)}
	auto := len(pol.AutoApprove) > 0
	for _, l := range r.Lines {
		auto = auto && slices.Contains(pol.AutoApprove, l.Reason)
	}
	if auto {
		r.AutoApproved = true
		partner, err := s.choosePartner(ctx)
		if err != nil {
			return Return{}, err
		}
		if err := approve(&r, o, string(partner), "approved automatically by the seller's policy", "", now); err != nil {
			return Return{}, err
		}
		evs = append(evs, returnEvent(r, now))
	}
	if err := s.store.CreateReturn(ctx, r, limits, evs); err != nil {
		return Return{}, err
	}
	return s.Return(ctx, r.ID)
}

// checkExchange checks that line i may be exchanged for l.ExchangeSKU:
// another variant of the same product, sold now and in stock (else
// Unprocessable "exchange_unavailable").
func (s *Service) checkExchange(ctx context.Context, i int, e EligibilityLine, l ReturnLineInput) error {
	refuse := func(why string) error {
		return &apperr.Error{Kind: apperr.KindUnprocessable, Code: "exchange_unavailable", Message: "the variant asked in exchange cannot be sent: " + why,
			Fields: []apperr.FieldError{{Field: fmt.Sprintf("lines[%d].exchange_sku", i), Message: why}}}
	}
	if l.ExchangeSKU == l.SKU {
		return refuse("it is the same variant")
	}
	skus, err := s.deps.Products.SKUs(ctx, []string{l.ExchangeSKU})
	if err != nil {
		return fmt.Errorf("look up %s: %w", l.ExchangeSKU, err)
	}
	v, ok := skus[l.ExchangeSKU]
	if !ok || v.ProductID != e.ProductID {
		return refuse("it is not a variant of this product")
	}
	if !v.Active {
		return refuse("it is not sold now")
	}
	avail, err := s.deps.Stock.Available(ctx, []string{l.ExchangeSKU})
	if err != nil {
		return fmt.Errorf("read stock of %s: %w", l.ExchangeSKU, err)
	}
	if avail[l.ExchangeSKU] < l.Quantity {
		return refuse(fmt.Sprintf("only %d in stock", avail[l.ExchangeSKU]))
	}
	return nil
}

// approve moves r to approved and schedules its pickup at the order's
// address with partner (none when there is no partner: the customer may
// then drop the parcel off).
func approve(r *Return, o order.Order, partner, note, actor string, now time.Time) error {
	if _, err := r.move(Approved, note, actor, now); err != nil {
		return err
	}
	if partner == "" {
		r.Timeline = append(r.Timeline, Entry{Status: "pickup_unassigned", Note: "no delivery partner is available; the seller receives the parcel when it arrives", At: now})
		return nil
	}
	a := o.ShippingAddress
	r.Pickup = &Pickup{PartnerID: id.User(partner), Status: PickupScheduled, TrackingID: newTrackingID(), UpdatedAt: now,
		Address: Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region,
			PostalCode: a.PostalCode, Country: a.Country, Phone: a.Phone}}
	r.Timeline = append(r.Timeline, Entry{Status: "pickup_" + string(PickupScheduled), Note: "pickup scheduled with a delivery partner", At: now})
	return nil
}

// choosePartner returns the active delivery partner with the fewest
// shipments and pickups under way (ties to the lowest ID), "" if none.
func (s *Service) choosePartner(ctx context.Context) (id.User, error) {
	users, err := s.deps.People.DeliveryPartners(ctx)
	if err != nil {
		return "", fmt.Errorf("list delivery partners: %w", err)
	}
	if len(users) == 0 {
		return "", nil
	}
	loads, err := s.store.PartnerLoads(ctx)
	if err != nil {
		return "", fmt.Errorf("read pickup loads: %w", err)
	}
	if s.deps.Loads != nil {
		out, err := s.deps.Loads.PartnerLoads(ctx)
		if err != nil {
			return "", fmt.Errorf("read shipment loads: %w", err)
		}
		for k, v := range out {
			loads[k] += v
		}
	}
	return account.LeastLoaded(users, loads), nil
}

// seesReturn reports whether w may see r: its customer, its seller, the
// delivery partner of its pickup, and staff.
func (w who) seesReturn(r Return) bool {
	switch {
	case w.staff():
		return true
	case w.Is(auth.Customer):
		return r.CustomerID == w.UserID
	case w.Is(auth.Seller):
		return w.sellerID != "" && r.SellerID == w.sellerID
	case w.Is(auth.Delivery):
		return r.Pickup != nil && r.Pickup.PartnerID == w.UserID
	}
	return false
}

// returnFor returns r if w may see it, NotFound otherwise.
func (s *Service) returnFor(ctx context.Context, w who, returnID id.Return) (Return, error) {
	r, err := s.store.Return(ctx, returnID)
	if err != nil {
		return Return{}, err
	}
	if !w.seesReturn(r) {
		return Return{}, apperr.NotFound("return %s not found", returnID)
	}
	return r, nil
}

// Return returns a return to those who may see it.
func (s *Service) Return(ctx context.Context, returnID id.Return) (Return, error) {
	w, err := s.caller(ctx)
	if err != nil {
		return Return{}, err
	}
	r, err := s.returnFor(ctx, w, returnID)
	if err != nil {
		return Return{}, err
	}
	if w.Is(auth.Customer) || w.staff() {
		ts, err := s.store.Tickets(ctx, TicketFilter{ReturnID: r.ID, Sort: Newest, Limit: 1})
		if err != nil {
			return Return{}, fmt.Errorf("read tickets of return %s: %w", r.ID, err)
		}
		if len(ts) > 0 {
			r.TicketID = ts[0].ID
		}
	}
	return returnView(w, r), nil
}

// returnView hides who did what from all but staff.
func returnView(w who, r Return) Return {
	if r.Photos == nil {
		r.Photos = []Attachment{}
	}
	if w.staff() {
		return r
	}
	tl := make([]Entry, len(r.Timeline))
	for i, e := range r.Timeline {
		e.ActorID = ""
		tl[i] = e
	}
	r.Timeline = tl
	return r
}

// ReturnQuery selects a page of returns.
type ReturnQuery struct {
	Status        ReturnStatus
	SellerOrderID id.SellerOrder
	OrderID       id.Order
	Cursor        string
	Limit         int
}

type returnCursor struct {
	Before string `json:"b"`
}

// Returns lists a customer's returns, a seller's, the pickups assigned to
// a delivery partner, and every return for staff; newest first.
func (s *Service) Returns(ctx context.Context, q ReturnQuery) (page.Page[Return], error) {
	w, err := s.caller(ctx)
	if err != nil {
		return page.Page[Return]{}, err
	}
	var f apperr.Fields
	f.Check(q.Status == "" || ValidReturnStatus(q.Status), "status", "must be a return status such as requested or received")
	limit := page.Limit(&f, q.Limit)
	if err := f.Err(); err != nil {
		return page.Page[Return]{}, err
	}
	flt := ReturnFilter{Status: q.Status, SellerOrderID: q.SellerOrderID, OrderID: q.OrderID, Limit: limit + 1}
	switch {
	case w.staff():
	case w.Is(auth.Customer):
		flt.CustomerID = w.UserID
	case w.Is(auth.Seller):
		if w.sellerID == "" {
			return page.Page[Return]{Items: []Return{}}, nil
		}
		flt.SellerID = w.sellerID
	case w.Is(auth.Delivery):
		flt.PartnerID = w.UserID
	default:
		return page.Page[Return]{}, apperr.Forbidden("your role has no returns")
	}
	if q.Cursor != "" {
		var c returnCursor
		if err := page.DecodeCursor(q.Cursor, &c); err != nil {
			return page.Page[Return]{}, err
		}
		flt.Before = c.Before
	}
	rs, err := s.store.Returns(ctx, flt)
	if err != nil {
		return page.Page[Return]{}, fmt.Errorf("list returns: %w", err)
	}
	out := page.Page[Return]{Items: make([]Return, 0, min(len(rs), limit))}
	for i, r := range rs {
		if i == limit {
			out.NextCursor = page.EncodeCursor(returnCursor{Before: string(rs[limit-1].ID)})
			break
		}
		out.Items = append(out.Items, returnView(w, r))
	}
	return out, nil
}

// sellerReturn returns the return for its seller or staff; NotFound for
// anyone else who may not see it, Forbidden for those who may but cannot
// act (its customer, its delivery partner).
func (s *Service) sellerReturn(ctx context.Context, returnID id.Return) (who, Return, error) {
	w, err := s.caller(ctx)
	if err != nil {
		return w, Return{}, err
	}
	r, err := s.returnFor(ctx, w, returnID)
	if err != nil {
		return w, Return{}, err
	}
	if !w.staff() && !w.Is(auth.Seller) {
		return w, Return{}, apperr.Forbidden("only the seller or support may do this")
	}
	return w, r, nil
}

// Approve approves a requested return (its seller or staff) and schedules
// its pickup. Staff may also approve a rejected one, overriding the seller.
func (s *Service) Approve(ctx context.Context, returnID id.Return) (Return, error) {
	w, r, err := s.sellerReturn(ctx, returnID)
	if err != nil {
		return Return{}, err
	}
	if r.Status == Rejected && !w.staff() {
		return Return{}, apperr.Conflict("illegal_transition", "a rejected return can only be approved by support")
	}
	o, err := s.deps.Orders.OrderOfPart(ctx, r.SellerOrderID)
	if err != nil {
		return Return{}, fmt.Errorf("read order of return %s: %w", r.ID, err)
	}
	note := "approved by the seller"
	if w.staff() {
		note = "approved by support"
	}
	partner, err := s.choosePartner(ctx)
	if err != nil {
		return Return{}, err
	}
	now := s.clock()
	out, err := s.store.UpdateReturn(ctx, returnID, func(r *Return) ([]Event, error) {
		if r.Status == Rejected && !w.staff() {
			return nil, apperr.Conflict("illegal_transition", "a rejected return can only be approved by support")
		}
		if err := approve(r, o, string(partner), note, string(w.UserID), now); err != nil {
			return nil, err
		}
		return []Event{returnEvent(*r, now)}, nil
	})
	if err != nil {
		return Return{}, err
	}
	return returnView(w, out), nil
}

// RejectInput says why a return is rejected.
type RejectInput struct {
	Reason string `json:"reason"`
}

// Reject rejects a requested return with a reason (its seller or staff).
// The customer may escalate by opening a ticket about the return.
func (s *Service) Reject(ctx context.Context, returnID id.Return, in RejectInput) (Return, error) {
	var f apperr.Fields
	checkText(&f, "reason", in.Reason, MaxNote)
	if err := f.Err(); err != nil {
		return Return{}, err
	}
	w, _, err := s.sellerReturn(ctx, returnID)
	if err != nil {
		return Return{}, err
	}
	now := s.clock()
	out, err := s.store.UpdateReturn(ctx, returnID, func(r *Return) ([]Event, error) {
		if r.Status != Requested {
			return nil, apperr.Conflict("illegal_transition", "a %s return cannot become rejected", r.Status)
		}
		r.RejectReason = strings.TrimSpace(in.Reason)
		ev, err := r.move(Rejected, r.RejectReason, string(w.UserID), now)
		return []Event{ev}, err
	})
	if err != nil {
		return Return{}, err
	}
	return returnView(w, out), nil
}

// Cancel withdraws a return: its customer may, before the parcel is picked
// up.
func (s *Service) Cancel(ctx context.Context, returnID id.Return) (Return, error) {
	w, err := s.caller(ctx, auth.Customer, auth.Admin, auth.Support)
	if err != nil {
		return Return{}, err
	}
	if _, err := s.returnFor(ctx, w, returnID); err != nil {
		return Return{}, err
	}
	now := s.clock()
	out, err := s.store.UpdateReturn(ctx, returnID, func(r *Return) ([]Event, error) {
		if r.Status != Requested && r.Status != Approved {
			return nil, apperr.Conflict("illegal_transition", "a %s return can no longer be cancelled", r.Status)
		}
		if r.Pickup != nil {
			if r.Pickup.Status != PickupScheduled && r.Pickup.Status != PickupFailed {
				return nil, apperr.Conflict("illegal_transition", "the parcel has been picked up already")
			}
			r.Pickup.Status, r.Pickup.UpdatedAt = PickupCancelled, now
		}
		ev, err := r.move(ReturnCancelled, "cancelled by the customer", string(w.UserID), now)
		return []Event{ev}, err
	})
	if err != nil {
		return Return{}, err
	}
	return returnView(w, out), nil
}

// PickupInput is what a delivery partner records on a pickup.
type PickupInput struct {
	Status   PickupStatus `json:"status"`
	Location string       `json:"location,omitempty"`
	Note     string       `json:"note,omitempty"`
}

// UpdatePickup records a pickup's progress: its delivery partner (or an
// admin) may. picked_up puts the return in transit; delivered means the
// parcel reached the seller, who then receives it.
func (s *Service) UpdatePickup(ctx context.Context, returnID id.Return, in PickupInput) (Return, error) {
	w, err := s.caller(ctx, auth.Delivery, auth.Admin)
	if err != nil {
		return Return{}, err
	}
	var f apperr.Fields
	f.Check(slices.Contains(PickupStatuses, in.Status), "status", "must be picked_up, failed_attempt or delivered")
	f.Check(utf8.RuneCountInString(in.Location) <= 200, "location", "must be at most 200 characters")
	f.Check(utf8.RuneCountInString(in.Note) <= MaxNote, "note", fmt.Sprintf("must be at most %d characters", MaxNote))
	if err := f.Err(); err != nil {
		return Return{}, err
	}
	if _, err := s.returnFor(ctx, w, returnID); err != nil {
		return Return{}, err
	}
	now := s.clock()
	out, err := s.store.UpdateReturn(ctx, returnID, func(r *Return) ([]Event, error) {
		if r.Pickup == nil || !slices.Contains(pickupMoves[r.Pickup.Status], in.Status) {
			from := "no"
			if r.Pickup != nil {
				from = string(r.Pickup.Status)
			}
			return nil, apperr.Conflict("illegal_transition", "a %s pickup cannot become %s", from, in.Status)
		}
		r.Pickup.Status, r.Pickup.UpdatedAt = in.Status, now
		r.UpdatedAt = now
		r.Timeline = append(r.Timeline, Entry{Status: "pickup_" + string(in.Status), Note: strings.TrimSpace(in.Note),
			Location: strings.TrimSpace(in.Location), ActorID: w.UserID, At: now})
		var evs []Event
		if in.Status == PickupPickedUp && r.Status == Approved {
			ev, err := r.move(InTransit, "picked up by the delivery partner", string(w.UserID), now)
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		return evs, nil
	})
	if err != nil {
		return Return{}, err
	}
	return returnView(w, out), nil
}

// ReceiveInput is what a seller found in a return's parcel.
type ReceiveInput struct {
	Lines         []ReceiveLine `json:"lines"`
	RestockingFee *money.Money  `json:"restocking_fee,omitempty"`
}

// ReceiveLine is a quantity of a SKU received in one condition.
type ReceiveLine struct {
	SKU       string    `json:"sku"`
	Quantity  int64     `json:"quantity"`
	Condition Condition `json:"condition"`
}

// Receive records the parcel's arrival (its seller or staff): the units
// received per condition and an optional restocking fee. The refund, the
// units' price plus their share of the seller order's tax less the fee, is
// then made to the original payment and sellable units go back into stock;
// damaged ones are written off. Each happens once however often Receive
// or its event is repeated: a second Receive is a Conflict.
func (s *Service) Receive(ctx context.Context, returnID id.Return, in ReceiveInput) (Return, error) {
	var f apperr.Fields
	f.Check(len(in.Lines) > 0, "lines", "name what arrived")
	f.Check(len(in.Lines) <= MaxReturnLines, "lines", fmt.Sprintf("at most %d lines", MaxReturnLines))
	for i, l := range in.Lines {
		p := fmt.Sprintf("lines[%d].", i)
		f.Check(l.SKU != "", p+"sku", "is required")
		f.Check(l.Quantity >= 0, p+"quantity", "must not be negative")
		f.Check(l.Condition == Sellable || l.Condition == DamagedOnReceipt, p+"condition", "must be sellable or damaged")
	}
	if in.RestockingFee != nil {
		f.Check(in.RestockingFee.Amount >= 0, "restocking_fee.amount", "must not be negative")
	}
	if err := f.Err(); err != nil {
		return Return{}, err
	}
	w, r, err := s.sellerReturn(ctx, returnID)
	if err != nil {
		return Return{}, err
	}
	o, err := s.deps.Orders.OrderOfPart(ctx, r.SellerOrderID)
	if err != nil {
		return Return{}, fmt.Errorf("read order of return %s: %w", r.ID, err)
	}
	part := o.Part(r.SellerOrderID)
	now := s.clock()
	out, err := s.store.UpdateReturn(ctx, returnID, func(r *Return) ([]Event, error) {
		if r.Status != Approved && r.Status != InTransit {
			return nil, apperr.Conflict("illegal_transition", "a %s return cannot be received", r.Status)
		}
		for i := range r.Lines {
			r.Lines[i].Sellable, r.Lines[i].Damaged = 0, 0
		}
		for i, l := range in.Lines {
			j := slices.IndexFunc(r.Lines, func(x ReturnLine) bool { return x.SKU == l.SKU })
			if j < 0 {
				return nil, apperr.Invalid("validation_failed", "the request has invalid fields",
					apperr.FieldError{Field: fmt.Sprintf("lines[%d].sku", i), Message: "is not in this return"})
			}
			if l.Condition == Sellable {
				r.Lines[j].Sellable += l.Quantity
			} else {
				r.Lines[j].Damaged += l.Quantity
			}
			if r.Lines[j].Sellable+r.Lines[j].Damaged > r.Lines[j].Quantity {
				return nil, apperr.Unprocessable("quantity_exceeds_returned", "more units of %s received than the %d returned", l.SKU, r.Lines[j].Quantity)
			}
		}
		if !r.received() {
			return nil, apperr.Invalid("validation_failed", "the request has invalid fields",
				apperr.FieldError{Field: "lines", Message: "receive at least one unit"})
		}
		goods := refundOf(r.Lines, part, true)
		fee := money.New(0, goods.Currency)
		if in.RestockingFee != nil {
			if in.RestockingFee.Currency != goods.Currency {
				return nil, apperr.Unprocessable("currency_mismatch", "the restocking fee must be in %s", goods.Currency)
			}
			if in.RestockingFee.Amount > goods.Amount {
				return nil, apperr.Unprocessable("fee_exceeds_refund", "the restocking fee cannot exceed the refund of %d", goods.Amount)
			}
			fee = *in.RestockingFee
		}
		r.RestockingFee = fee
		r.Refund = money.New(goods.Amount-fee.Amount, goods.Currency)
		r.Pickup = deliveredPickup(r.Pickup, now)
		ev, err := r.move(Received, "received by the seller", string(w.UserID), now)
		return []Event{ev}, err
	})
	if err != nil {
		return Return{}, err
	}
	// The refund and the restock, now, so the answer shows them; the
	// ConsumerSettle consumer of return.received.v1 finishes what fails.
	if done, err := s.settle(context.WithoutCancel(ctx), out.ID); err != nil {
		s.log.WarnContext(ctx, "settle a received return; its consumer will", "return", out.ID, "err", err)
	} else {
		out = done
	}
	return returnView(w, out), nil
}

// deliveredPickup ends a pickup still under way when its parcel is received.
func deliveredPickup(p *Pickup, now time.Time) *Pickup {
	if p == nil || p.Status == PickupDelivered {
		return p
	}
	q := *p
	q.Status, q.UpdatedAt = PickupDelivered, now
	return &q
}

// refundOf is what returning lines gives back: each unit's price plus its
// share of the seller order's tax (rounded down). With received, only the
// units received of lines not exchanged count; else every unit requested.
func refundOf(lines []ReturnLine, part *order.SellerOrder, received bool) money.Money {
	cur := part.Subtotal.Currency
	var goods int64
	for _, l := range lines {
		n := l.Quantity
		if received {
			if l.ExchangeSKU != "" {
				continue // the replacement is sent instead of money
			}
			n = l.Sellable + l.Damaged
		}
		goods += n * l.UnitPrice.Amount
	}
	tax := int64(0)
	if part.Subtotal.Amount > 0 {
		tax = part.Tax.Amount * goods / part.Subtotal.Amount
	}
	return money.New(goods+tax, cur)
}

// RefundInput is staff's reason for refunding without receipt.
type RefundInput struct {
	Note string `json:"note"`
}

// RefundWithoutReceipt refunds a return's requested units without waiting
// for the parcel (staff only: the seller rejected wrongly, the parcel was
// lost). Nothing goes back into stock.
func (s *Service) RefundWithoutReceipt(ctx context.Context, returnID id.Return, in RefundInput) (Return, error) {
	w, err := s.caller(ctx, auth.Admin, auth.Support)
	if err != nil {
		return Return{}, err
	}
	var f apperr.Fields
	checkText(&f, "note", in.Note, MaxNote)
	if err := f.Err(); err != nil {
		return Return{}, err
	}
	r, err := s.returnFor(ctx, w, returnID)
	if err != nil {
		return Return{}, err
	}
	if !canMove(r.Status, ReturnRefunded) || r.Status == Received {
		return Return{}, apperr.Conflict("illegal_transition", "a %s return cannot be refunded without receipt", r.Status)
	}
	o, err := s.deps.Orders.OrderOfPart(ctx, r.SellerOrderID)
	if err != nil {
		return Return{}, fmt.Errorf("read order of return %s: %w", r.ID, err)
	}
	amount := refundOf(r.Lines, o.Part(r.SellerOrderID), false)
	if err := s.refund(ctx, r, amount); err != nil {
		return Return{}, err
	}
	now := s.clock()
	out, err := s.store.UpdateReturn(ctx, returnID, func(r *Return) ([]Event, error) {
		if r.Status == ReturnRefunded {
			return nil, ErrUnchanged
		}
		if !canMove(r.Status, ReturnRefunded) || r.Status == Received {
			return nil, apperr.Conflict("illegal_transition", "a %s return cannot be refunded without receipt", r.Status)
		}
		r.Refund = amount
		if r.Pickup != nil && (r.Pickup.Status == PickupScheduled || r.Pickup.Status == PickupFailed) {
			r.Pickup.Status, r.Pickup.UpdatedAt = PickupCancelled, now
		}
		ev, err := r.move(ReturnRefunded, "refunded by support without receipt: "+strings.TrimSpace(in.Note), string(w.UserID), now)
		return []Event{ev}, err
	})
	if err != nil {
		return Return{}, err
	}
	return returnView(w, out), nil
}

// refund refunds amount for r to the order's payment, once per return.
func (s *Service) refund(ctx context.Context, r Return, amount money.Money) error {
	if amount.Amount <= 0 {
		return nil
	}
	if err := s.deps.Refunds.RefundOrderPart(ctx, r.OrderID, string("return:"+r.ID), amount, string("return "+r.ID)); err != nil {
		return fmt.Errorf("refund return %s: %w", r.ID, err)
	}
	return nil
}

// OnReceived is the ConsumerSettle consumer of return.received.v1: it
// settles the return (see settle). A redelivery changes nothing.
func (s *Service) OnReceived(ctx context.Context, e event.Event, ev supportevent.Return) error {
	_, err := s.settle(ctx, ev.ReturnID)
	if apperr.Is(err, apperr.KindNotFound) {
		s.log.ErrorContext(ctx, "received return not found", "return", ev.ReturnID, "event", e.ID)
		return nil
	}
	return err
}

// settle puts a received return's sellable units back into stock, refunds
// it, and marks it refunded. Each step is idempotent per return, so settle
// may run any number of times.
func (s *Service) settle(ctx context.Context, returnID id.Return) (Return, error) {
	r, err := s.store.Return(ctx, returnID)
	if err != nil {
		return Return{}, err
	}
	if r.Status != Received {
		return r, nil
	}
	var lines []inventory.Line
	for _, l := range r.Lines {
		if l.Sellable > 0 {
			lines = append(lines, inventory.Line{SKU: l.SKU, Quantity: l.Sellable})
		}
	}
	var restocked int64
	if len(lines) > 0 {
		n, err := s.deps.Stock.ReturnUnits(ctx, r.OrderID, r.ID, lines)
		if err != nil {
			return Return{}, fmt.Errorf("restock return %s: %w", r.ID, err)
		}
		restocked = n
	}
	if r, err = s.exchange(ctx, r); err != nil {
		return Return{}, err
	}
	if err := s.refund(ctx, r, r.Refund); err != nil {
		return Return{}, err
	}
	now := s.clock()
	return s.store.UpdateReturn(ctx, r.ID, func(r *Return) ([]Event, error) {
		if r.Status != Received {
			return nil, ErrUnchanged
		}
		if restocked > 0 {
			r.Restocked = restocked
		} else {
			for _, l := range lines {
				r.Restocked += l.Quantity // restocked by an earlier run
			}
		}
		note := "refunded to the original payment"
		if r.Refund.Amount == 0 {
			note = "nothing to refund after the restocking fee"
		}
		ev, err := r.move(ReturnRefunded, note, "", now)
		return []Event{ev}, err
	})
}

// exchange places the replacement order for r's exchanged lines received,
// once (its key is the return's), and records it on r. When the
// replacement cannot be sent (out of stock, no longer sold) those lines are
// refunded instead: their amount joins r.Refund, written before any refund
// is made, so a retry refunds the same total.
func (s *Service) exchange(ctx context.Context, r Return) (Return, error) {
	if r.ExchangeOrderID != "" {
		return r, nil
	}
	var lines []order.LineInput
	for _, l := range r.Lines {
		if n := l.Sellable + l.Damaged; l.ExchangeSKU != "" && n > 0 {
			lines = append(lines, order.LineInput{SKU: l.ExchangeSKU, Quantity: n})
		}
	}
	if len(lines) == 0 {
		return r, nil
	}
	o, err := s.deps.Orders.OrderOfPart(ctx, r.SellerOrderID)
	if err != nil {
		return Return{}, fmt.Errorf("read order of return %s: %w", r.ID, err)
	}
	now := s.clock()
	rep, err := s.deps.Orders.PlaceReplacement(ctx, order.ReplacementInput{Key: "exchange:" + string(r.ID), CustomerID: r.CustomerID,
		SellerID: r.SellerID, Lines: lines, ShippingAddress: o.ShippingAddress})
	switch k := apperr.KindOf(err); {
	case err == nil:
		return s.store.UpdateReturn(ctx, r.ID, func(r *Return) ([]Event, error) {
			if r.ExchangeOrderID != "" {
				return nil, ErrUnchanged
			}
			r.ExchangeOrderID, r.UpdatedAt = rep.ID, now
			r.Timeline = append(r.Timeline, Entry{Status: "exchange_placed", Note: "replacement order " + string(rep.ID) + " ships at no charge", At: now})
			return nil, nil
		})
	case k == apperr.KindConflict || k == apperr.KindUnprocessable:
		s.log.WarnContext(ctx, "a return's replacement cannot be sent; refunding instead", "return", r.ID, "err", err)
		part := o.Part(r.SellerOrderID)
		return s.store.UpdateReturn(ctx, r.ID, func(r *Return) ([]Event, error) {
			if r.ExchangeOrderID != "" || r.Status != Received {
				return nil, ErrUnchanged
			}
			var moved []ReturnLine
			for i := range r.Lines {
				if r.Lines[i].ExchangeSKU != "" && r.Lines[i].Sellable+r.Lines[i].Damaged > 0 {
					r.Lines[i].ExchangeSKU = ""
					moved = append(moved, r.Lines[i])
				}
			}
			if len(moved) == 0 {
				return nil, ErrUnchanged
			}
			extra := refundOf(moved, part, true)
			r.Refund.Amount += extra.Amount
			r.UpdatedAt = now
			r.Timeline = append(r.Timeline, Entry{Status: "exchange_unavailable",
				Note: "the replacement is out of stock; the units are refunded instead", At: now})
			return nil, nil
		})
	}
	return Return{}, fmt.Errorf("place the replacement of return %s: %w", r.ID, err)
}

// PolicyInput is a seller's return policy.
type PolicyInput struct {
	WindowDays  int      `json:"window_days"`
	AutoApprove []Reason `json:"auto_approve"`
}

// Policy returns the calling seller's return policy (staff: any seller's).
func (s *Service) Policy(ctx context.Context, sellerID id.Seller) (Policy, error) {
	w, err := s.caller(ctx, auth.Seller, auth.Admin, auth.Support)
	if err != nil {
		return Policy{}, err
	}
	if !w.staff() {
		if w.sellerID == "" {
			return Policy{}, apperr.NotFound("you have no store yet")
		}
		sellerID = w.sellerID
	}
	if sellerID == "" {
		return Policy{}, apperr.Invalid("validation_failed", "the request has invalid fields", apperr.FieldError{Field: "seller", Message: "is required"})
	}
	return s.store.Policy(ctx, sellerID)
}

// SetPolicy sets the calling seller's return policy.
func (s *Service) SetPolicy(ctx context.Context, in PolicyInput) (Policy, error) {
	w, err := s.caller(ctx, auth.Seller)
	if err != nil {
		return Policy{}, err
	}
	if w.sellerID == "" {
		return Policy{}, apperr.NotFound("you have no store yet")
	}
	var f apperr.Fields
	f.Check(in.WindowDays >= 0 && in.WindowDays <= MaxWindowDays, "window_days", fmt.Sprintf("must be 0 to %d", MaxWindowDays))
	f.Check(len(in.AutoApprove) <= len(Reasons), "auto_approve", fmt.Sprintf("at most %d reasons", len(Reasons)))
	for i, r := range in.AutoApprove {
		f.Check(r.Valid(), fmt.Sprintf("auto_approve[%d]", i), "must be a return reason such as damaged")
	}
	if err := f.Err(); err != nil {
		return Policy{}, err
	}
	reasons := slices.Clone(in.AutoApprove)
	slices.Sort(reasons)
	p := Policy{SellerID: w.sellerID, WindowDays: in.WindowDays, AutoApprove: slices.Compact(reasons), UpdatedAt: s.clock()}
	if p.AutoApprove == nil {
		p.AutoApprove = []Reason{}
	}
	if err := s.store.SetPolicy(ctx, p); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// CategoryRule says whether a category's products may be returned.
type CategoryRule struct {
	CategoryID id.Category `json:"category_id"`
	Returnable bool        `json:"returnable"`
}

// SetReturnable marks a category (and so its subcategories) returnable or
// not; admins only.
func (s *Service) SetReturnable(ctx context.Context, categoryID id.Category, returnable bool) (CategoryRule, error) {
	if _, err := s.caller(ctx, auth.Admin); err != nil {
		return CategoryRule{}, err
	}
	cats, err := s.deps.Products.Categories(ctx)
	if err != nil {
		return CategoryRule{}, fmt.Errorf("read categories: %w", err)
	}
	i := slices.IndexFunc(cats, func(c catalog.Category) bool {
		return c.ID == categoryID || id.Category(c.Slug) == categoryID
	})
	if i < 0 {
		return CategoryRule{}, apperr.NotFound("category %s not found", categoryID)
	}
	if err := s.store.SetReturnable(ctx, cats[i].ID, returnable, s.clock()); err != nil {
		return CategoryRule{}, err
	}
	return CategoryRule{CategoryID: cats[i].ID, Returnable: returnable}, nil
}

// NonReturnableCategories lists the categories marked non-returnable;
// admins and support.
func (s *Service) NonReturnableCategories(ctx context.Context) ([]string, error) {
	if _, err := s.caller(ctx, auth.Admin, auth.Support); err != nil {
		return nil, err
	}
	m, err := s.store.NonReturnable(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, string(k))
	}
	slices.Sort(out)
	return out, nil
}

// WindowDays is how many days after delivery seller's goods may be returned
// (its policy, else DefaultWindowDays). It is a call between modules acting
// for the system (the ledger releasing a seller's money when the window has
// closed); it reads no caller.
func (s *Service) WindowDays(ctx context.Context, sellerID id.Seller) (int, error) {
	p, err := s.store.Policy(ctx, sellerID)
	if err != nil {
		return 0, err
	}
	return p.WindowDays, nil
}
