package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// UnitReturner is implemented by stores that can put the units of a
// customer's return back on hand (inventorysql.Store does).
type UnitReturner interface {
	// ReturnUnits puts each line's quantity of its SKU back on hand in the
	// warehouses orderID's committed reservation took that SKU from (in
	// warehouse ID order, each up to what it gave and was not given back
	// yet), in one transaction, and returns the units it put back. lines
	// have distinct SKUs and positive quantities (Service.ReturnUnits
	// checks them).
	//
	// Each (returnID, SKU) is put back at most once: a line already put back
	// under returnID is skipped, whatever its quantity, also when calls
	// race. Putting back more of a SKU, over all returns of the order, than
	// the reservation committed minus what Restock put back is a Conflict
	// "return_exceeds_committed" (nothing changes); a reservation that is
	// held or released is a Conflict "reservation_not_committed"; an order
	// without a reservation is NotFound. It publishes
	// inventory.stock.changed.v1 per SKU it changed.
	ReturnUnits(ctx context.Context, orderID id.Order, returnID id.Return, lines []Line, now time.Time) (int64, error)
}

// ReturnUnits puts the units of a customer's return (RMA) back on hand, in
// the warehouses the order's committed reservation took them from, and
// returns how many it put back. It is idempotent per (returnID, SKU): calling
// it again with the same returnID puts nothing back and counts 0 for those
// lines.
//
// Malformed input (no returnID or orderID, no lines, an empty SKU, a
// quantity outside 1..MaxQuantity, a SKU on two lines) is Invalid
// "validation_failed" with a field error each. Returning more units of a SKU,
// over all returns of the order, than were sold and not restocked is a
// Conflict "return_exceeds_committed" with a field error per SKU; an order
// whose reservation is not committed is a Conflict
// "reservation_not_committed"; an order without a reservation is NotFound.
//
// ReturnUnits is a service-to-service call: it does not check the caller.
func (s *Service) ReturnUnits(ctx context.Context, orderID id.Order, returnID id.Return, lines []Line) (int64, error) {
	lines, err := returnLines(orderID, returnID, lines)
	if err != nil {
		return 0, err
	}
	r, ok := s.store.(UnitReturner)
	if !ok {
		return 0, apperr.New(apperr.KindUnavailable, "returns_unsupported", "this inventory store cannot take returns")
	}
	n, err := r.ReturnUnits(ctx, orderID, returnID, lines, s.now())
	if err != nil {
		return 0, fmt.Errorf("return units of order %s (return %s): %w", orderID, returnID, err)
	}
	return n, nil
}

// returnLines validates a return's input and returns its lines sorted by SKU,
// the order in which stock rows are locked.
func returnLines(orderID id.Order, returnID id.Return, lines []Line) ([]Line, error) {
	var f apperr.Fields
	f.Check(strings.TrimSpace(string(orderID)) != "", "order_id", "is required")
	f.Check(strings.TrimSpace(string(returnID)) != "", "return_id", "is required")
	f.Check(len(lines) > 0, "lines", "must not be empty")
	first := make(map[string]int, len(lines))
	for i, l := range lines {
		if strings.TrimSpace(l.SKU) == "" {
			f.Add(fmt.Sprintf("lines[%d].sku", i), "is required")
		} else if j, dup := first[l.SKU]; dup {
			f.Add(fmt.Sprintf("lines[%d].sku", i), fmt.Sprintf("repeats lines[%d]; give each SKU one line", j))
		} else {
			first[l.SKU] = i
		}
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			f.Add(fmt.Sprintf("lines[%d].quantity", i), fmt.Sprintf("must be from 1 to %d", MaxQuantity))
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	out := slices.Clone(lines)
	slices.SortFunc(out, func(a, b Line) int { return strings.Compare(a.SKU, b.SKU) })
	return out, nil
}

// ReturnExceeds is a SKU a return would put back more of than its order
// still has sold.
type ReturnExceeds struct {
	SKU       string
	Requested int64 // units this return puts back
	Committed int64 // units the reservation committed
	Restocked int64 // units Restock put back
	Returned  int64 // units earlier returns put back
}

// ReturnExceedsCommitted is the Conflict error ReturnUnits fails with when a
// return would put back more than was sold: code "return_exceeds_committed",
// one field error per SKU, the field named by the SKU itself.
func ReturnExceedsCommitted(over []ReturnExceeds) error {
	fields := make([]apperr.FieldError, len(over))
	skus := make([]string, len(over))
	for i, o := range over {
		fields[i] = apperr.FieldError{Field: o.SKU, Message: fmt.Sprintf("returning %d, at most %d left (%d committed, %d restocked, %d returned)",
			o.Requested, max(o.Committed-o.Restocked-o.Returned, 0), o.Committed, o.Restocked, o.Returned)}
		skus[i] = o.SKU
	}
	return &apperr.Error{
		Kind:    apperr.KindConflict,
		Code:    "return_exceeds_committed",
		Message: "the return puts back more than the order committed of " + strings.Join(skus, ", "),
		Fields:  fields,
	}
}
