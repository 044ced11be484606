package order

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/reqctx"
)

// Limits on what one order may hold.
const (
	MaxQuantity = 999 // units of one SKU (summed over the lines naming it)
	MaxSKUs     = 100 // distinct SKUs
	MaxReason   = 500 // characters of a cancellation reason
)

// PlaceInput is a request to place an order: explicit lines, or (when Lines
// is absent) the caller's cart; and either a saved address or an inline one.
type PlaceInput struct {
	Lines           []LineInput `json:"lines,omitempty"`
	AddressID       id.Address  `json:"address_id,omitempty"`
	ShippingAddress *Address    `json:"shipping_address,omitempty"`
}

// LineInput is a quantity of one SKU to order.
type LineInput struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// Place places an order for the signed-in customer: the lines (summed per
// SKU) are priced from the catalog and split into one seller order per
// seller with its shipping fee and tax; inventory reserves the stock under
// the new order's ID (its own transaction); then the order and its
// order.placed.v1 event are written in the order's transaction. If that
// write fails the reservation is released (best effort: it expires anyway
// and inventory's sweeper releases it). When the lines came from the cart,
// exactly the ordered quantities are then taken out of it (also by the
// module's consumer of order.placed.v1, should this call fail). The order
// awaits payment until its reservation expires (Options.ReservationTTL).
//
// Errors: Forbidden for accounts other than customers; Invalid
// "validation_failed" for malformed lines or address; Unprocessable
// "cart_empty", "sku_unavailable" (unknown or inactive SKUs, per field),
// "currency_mismatch" or "address_not_found"; Conflict "insufficient_stock"
// (nothing is written).
func (s *Service) Place(ctx context.Context, in PlaceInput) (Order, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Order{}, err
	}
	if !p.Is(auth.Customer) {
		return Order{}, apperr.Forbidden("only customer accounts can place orders")
	}
	// A retry of a placement whose response was lost (the process died
	// after the commit) finds the order it made instead of making another.
	key := reqctx.IdempotencyKey(ctx)
	if key != "" {
		if o, err := s.store.OrderByRequestKey(ctx, p.UserID, key); err == nil {
			return o, nil
		} else if !apperr.Is(err, apperr.KindNotFound) {
			return Order{}, fmt.Errorf("look up order by request key: %w", err)
		}
	}
	var f apperr.Fields
	addr := checkAddressChoice(&f, in)
	fromCart := in.Lines == nil
	var lines []LineInput
	if !fromCart {
		f.Check(len(in.Lines) > 0, "lines", "must not be empty; leave it out to order the cart")
		lines = in.Lines
	}
	if fromCart && f.Err() == nil {
		cl, err := s.deps.Carts.Lines(ctx, p.UserID)
		if err != nil {
			return Order{}, fmt.Errorf("read cart of %s: %w", p.UserID, err)
		}
		if len(cl) == 0 {
			return Order{}, apperr.Unprocessable("cart_empty", "your cart is empty; add something to it or send lines")
		}
		for _, l := range cl {
			lines = append(lines, LineInput{SKU: l.SKU, Quantity: l.Quantity})
		}
	}
	field := "lines"
	if fromCart {
		field = "cart"
	}
	summed, order, first := sumLines(&f, field, lines)
	if err := f.Err(); err != nil {
		return Order{}, err
	}
	if in.AddressID != "" {
		a, err := s.deps.Addresses.Address(ctx, in.AddressID)
		if apperr.Is(err, apperr.KindNotFound) {
			return Order{}, &apperr.Error{Kind: apperr.KindUnprocessable, Code: "address_not_found",
				Message: "the address is not in your address book",
				Fields:  []apperr.FieldError{{Field: "address_id", Message: "is not one of your addresses"}}}
		}
		if err != nil {
			return Order{}, fmt.Errorf("read address %s: %w", in.AddressID, err)
		}
		addr = Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region,
			PostalCode: a.PostalCode, Country: a.Country, Phone: a.Phone}
	}
	skus, err := s.deps.Catalog.SKUs(ctx, order)
	if err != nil {
		return Order{}, fmt.Errorf("look up SKUs: %w", err)
	}
	o, err := s.build(p.UserID, addr, field, order, first, summed, skus)
	if err != nil {
		return Order{}, err
	}
	o.setPlacedAt(s.clock(), s.ttl)
	reserve := make([]inventory.Line, 0, len(order))
	for _, part := range o.SellerOrders {
		for _, l := range part.Lines {
			reserve = append(reserve, inventory.Line{SKU: l.SKU, Quantity: l.Quantity})
		}
	}
	o.RequestKey = key
	if err := s.hold(ctx, &o, reserve); err != nil {
		return Order{}, err
	}
	placed := Placed{OrderID: o.ID, CustomerID: o.CustomerID, Total: o.Total, SellerOrderIDs: []id.SellerOrder{}, FromCart: fromCart}
	for _, part := range o.SellerOrders {
		placed.SellerOrderIDs = append(placed.SellerOrderIDs, part.ID)
		for _, l := range part.Lines {
			placed.Lines = append(placed.Lines, LineQty{SKU: l.SKU, Quantity: l.Quantity})
		}
	}
	if err := s.store.Create(ctx, o, []Event{eventOf(TopicPlaced, placed)}); err != nil {
		if apperr.CodeOf(err) == "request_key_used" {
			// A concurrent duplicate won, with the same order ID and so
			// the same reservation: it is the winner's now.
			return s.store.OrderByRequestKey(ctx, p.UserID, key)
		}
		s.abandon(ctx, o.ID)
		if apperr.KindOf(err) != apperr.KindInternal {
			return Order{}, err
		}
		return Order{}, fmt.Errorf("place order: %w", err)
	}
	if fromCart {
		s.removeFromCart(ctx, placed)
	}
	return o, nil
}

// hold starts placing o (Store.StartPlacement) and has inventory reserve its
// stock under o's ID until the order's expiry plus the payment grace, so
// inventory's sweeper never releases stock the order still counts on. The
// order is written only once its stock is held: an order awaiting payment
// always has its reservation.
//
// A retry of a placement (same Idempotency-Key) whose earlier attempt
// reserved but never wrote its order (the process died in between) takes
// over that attempt's order ID, and with it the reservation: reserving the
// same lines again is a no-op. If the earlier attempt reserved other lines
// (the cart changed) its reservation is given back and a new one made.
func (s *Service) hold(ctx context.Context, o *Order, lines []inventory.Line) error {
	expiry := o.ReservationExpiresAt.Add(s.grace)
	for attempt := 0; ; attempt++ {
		orderID, started, err := s.store.StartPlacement(ctx, o.CustomerID, o.RequestKey, o.ID, o.PlacedAt)
		if err != nil {
			return fmt.Errorf("start placing an order: %w", err)
		}
		o.setID(orderID)
		if !started.Equal(o.PlacedAt) {
			// Taking over an earlier attempt: the order dates from it, so
			// its expiry matches the reservation's, which Reserve keeps.
			o.setPlacedAt(started, s.ttl)
			expiry = o.ReservationExpiresAt.Add(s.grace)
		}
		err = s.deps.Stock.Reserve(ctx, o.ID, lines, expiry)
		if err == nil {
			return nil
		}
		// Nothing was reserved (all or nothing) or, after an answer lost on
		// the way back, perhaps all of it: give it back either way.
		s.abandon(ctx, o.ID)
		switch k := apperr.KindOf(err); {
		case apperr.CodeOf(err) == "already_reserved" && attempt == 0:
			o.setID(id.Make[id.Order]())
			o.setPlacedAt(s.clock(), s.ttl)
			expiry = o.ReservationExpiresAt.Add(s.grace)
			continue
		case k == apperr.KindInternal || k == apperr.KindUnavailable:
			return fmt.Errorf("place order: %w", err)
		}
		return err
	}
}

// abandon gives up placing an order whose stock may be held: the placement
// ends, then the stock is released. Both are best effort: the expirer ends
// placements that stay (ExpireReservations), and inventory's sweeper
// releases a reservation left behind once it expires.
func (s *Service) abandon(ctx context.Context, orderID id.Order) {
	ctx = context.WithoutCancel(ctx)
	dropped, err := s.store.DropPlacement(ctx, orderID)
	if err != nil {
		s.log.WarnContext(ctx, "end the placement of an order that was not placed; the expirer will", "order", orderID, "err", err)
		return
	}
	if !dropped {
		// Someone else ended it: a concurrent duplicate that wrote the
		// order (the stock is its order's now) or the expirer (which
		// releases it itself).
		return
	}
	if err := s.deps.Stock.Release(ctx, orderID); err != nil {
		s.log.WarnContext(ctx, "release the stock of an order that was not placed; inventory's sweeper will", "order", orderID, "err", err)
	}
}

// checkAddressChoice checks that exactly one of address_id and
// shipping_address is given and returns the inline address, normalised.
func checkAddressChoice(f *apperr.Fields, in PlaceInput) Address {
	switch {
	case in.AddressID == "" && in.ShippingAddress == nil:
		f.Add("address_id", "give address_id or shipping_address")
		return Address{}
	case in.AddressID != "" && in.ShippingAddress != nil:
		f.Add("shipping_address", "give address_id or shipping_address, not both")
		return Address{}
	case in.ShippingAddress == nil:
		return Address{}
	}
	a := *in.ShippingAddress
	for _, p := range []*string{&a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Phone} {
		*p = strings.TrimSpace(*p)
	}
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	text := func(field, v string, required bool, max int) {
		switch {
		case v == "" && required:
			f.Add("shipping_address."+field, "is required")
		case utf8.RuneCountInString(v) > max:
			f.Add("shipping_address."+field, fmt.Sprintf("must be at most %d characters", max))
		case strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }):
			f.Add("shipping_address."+field, "must not hold control characters")
		}
	}
	text("name", a.Name, true, 100)
	text("line1", a.Line1, true, 200)
	text("line2", a.Line2, false, 200)
	text("city", a.City, true, 100)
	text("region", a.Region, false, 100)
	text("postal_code", a.PostalCode, true, 20)
	switch {
	case a.Country == "":
		f.Add("shipping_address.country", "is required")
	case !account.ValidCountry(a.Country):
		f.Add("shipping_address.country", "must be an ISO 3166-1 alpha-2 country code such as US or IN")
	}
	if a.Phone != "" && !validPhone(a.Phone) {
		f.Add("shipping_address.phone", "must be a phone number of up to 32 digits, spaces and + - ( ) .")
	}
	return a
}

func validPhone(s string) bool {
	if utf8.RuneCountInString(s) > 32 {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')', r == '.':
		default:
			return false
		}
	}
	return digits >= 4
}

// sumLines validates lines and sums them per SKU. It returns the sums, the
// SKUs in the order they first appear and the index of each SKU's first line.
func sumLines(f *apperr.Fields, field string, lines []LineInput) (map[string]int64, []string, map[string]int) {
	sum := map[string]int64{}
	first := map[string]int{}
	var order []string
	for i, l := range lines {
		sku := strings.TrimSpace(l.SKU)
		switch {
		case sku == "":
			f.Add(fmt.Sprintf("%s[%d].sku", field, i), "is required")
		case l.Quantity < 1 || l.Quantity > MaxQuantity:
			f.Add(fmt.Sprintf("%s[%d].quantity", field, i), fmt.Sprintf("must be from 1 to %d", MaxQuantity))
		default:
			if _, ok := sum[sku]; !ok {
				order = append(order, sku)
				first[sku] = i
			}
			sum[sku] += l.Quantity
		}
	}
	for _, sku := range order {
		if sum[sku] > MaxQuantity {
			f.Add(field, fmt.Sprintf("%s: the quantities of one SKU must add up to at most %d", sku, MaxQuantity))
		}
	}
	if len(order) > MaxSKUs {
		f.Add(field, fmt.Sprintf("an order may hold at most %d different SKUs", MaxSKUs))
	}
	return sum, order, first
}

// build prices the lines from the catalog and splits them per seller, in the
// order the sellers' SKUs first appear.
func (s *Service) build(customerID id.User, addr Address, field string, order []string, first map[string]int, qty map[string]int64, skus map[string]catalog.SKU) (Order, error) {
	var bad []apperr.FieldError
	currency := ""
	for _, code := range order {
		i := first[code]
		v, ok := skus[code]
		switch {
		case !ok:
			bad = append(bad, apperr.FieldError{Field: fmt.Sprintf("%s[%d].sku", field, i), Message: fmt.Sprintf("%s is not a SKU we sell", code)})
		case !v.Active:
			bad = append(bad, apperr.FieldError{Field: fmt.Sprintf("%s[%d].sku", field, i), Message: fmt.Sprintf("%s is not for sale now", code)})
		}
	}
	if len(bad) > 0 {
		return Order{}, &apperr.Error{Kind: apperr.KindUnprocessable, Code: "sku_unavailable",
			Message: "some SKUs cannot be ordered", Fields: bad}
	}
	for _, code := range order {
		i := first[code]
		c := skus[code].Price.Currency
		if currency == "" {
			currency = c
		} else if c != currency {
			bad = append(bad, apperr.FieldError{Field: fmt.Sprintf("%s[%d].sku", field, i), Message: fmt.Sprintf("%s is priced in %s, the rest in %s", code, c, currency)})
		}
	}
	if len(bad) > 0 {
		return Order{}, &apperr.Error{Kind: apperr.KindUnprocessable, Code: "currency_mismatch",
			Message: "an order must be in one currency", Fields: bad}
	}
	zero := money.New(0, currency)
	o := Order{ID: id.Make[id.Order](), Status: PendingPayment, CustomerID: customerID, Currency: currency,
		Subtotal: zero, Shipping: zero, Tax: zero, Total: zero, Refunded: zero, ShippingAddress: addr}
	index := map[id.Seller]int{}
	for _, code := range order {
		v := skus[code]
		i, ok := index[v.SellerID]
		if !ok {
			i = len(o.SellerOrders)
			index[v.SellerID] = i
			o.SellerOrders = append(o.SellerOrders, SellerOrder{ID: id.Make[id.SellerOrder](), OrderID: o.ID, SellerID: v.SellerID,
				Status: SellerPendingPayment, Subtotal: zero, Refunded: zero})
		}
		part := &o.SellerOrders[i]
		opts := v.Options
		if opts == nil {
			opts = map[string]string{}
		}
		l := Line{ID: id.Make[id.OrderLine](), SKU: code, ProductID: v.ProductID, Title: v.ProductTitle, Options: opts,
			Quantity: qty[code], UnitPrice: v.Price, LineTotal: v.Price.Mul(qty[code])}
		part.Lines = append(part.Lines, l)
		part.Subtotal.Amount += l.LineTotal.Amount
	}
	for i := range o.SellerOrders {
		part := &o.SellerOrders[i]
		part.Shipping = s.fee(part.Subtotal)
		part.Shipping.Currency = currency
		part.Tax = s.taxOf(part.Subtotal)
		part.Total = money.New(part.Subtotal.Amount+part.Shipping.Amount+part.Tax.Amount, currency)
		o.Subtotal.Amount += part.Subtotal.Amount
		o.Shipping.Amount += part.Shipping.Amount
		o.Tax.Amount += part.Tax.Amount
		o.Total.Amount += part.Total.Amount
	}
	if o.Total.Amount <= 0 || o.Total.Amount >= 1e12 {
		return Order{}, apperr.Unprocessable("invalid_total", "the order's total %v cannot be paid", o.Total)
	}
	return o, nil
}
