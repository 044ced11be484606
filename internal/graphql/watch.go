package graphql

import (
	"context"
	"encoding/json"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/live"
)

// watchStatus streams the status of one order or parcel the caller may see:
// the current one first (read through the service, so another user's is
// NOT_FOUND), then the status each time a live message about it arrives
// (read again, so what is sent is what the service says now), skipping
// repeats. kind is the id field of the live data ("order" reads order_id,
// "shipment" shipment_id).
func watchStatus[T any](ctx context.Context, watch Watch, kind, id string, read func(context.Context) (T, error), status func(T) string) (<-chan T, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if watch == nil {
		return nil, live.ErrClosed
	}
	// Subscribe before the first read, so no change falls between them.
	msgs, err := watch(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	first, err := read(ctx)
	if err != nil {
		return nil, err
	}
	out := make(chan T, 1)
	out <- first
	go func() {
		defer close(out)
		last := status(first)
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-msgs:
				if !ok {
					return
				}
				if !about(m, kind, id) {
					continue
				}
				v, err := read(ctx)
				if err != nil || status(v) == last {
					continue
				}
				last = status(v)
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// about reports whether m concerns the order or parcel id: a message of its
// kind naming it, or a reset (messages were missed: read again).
func about(m live.Message, kind, id string) bool {
	switch {
	case m.Type == live.TypeReset:
		return true
	case kind == "order" && (m.Type == live.TypeOrder || m.Type == live.TypeShipment):
		var d struct {
			OrderID string `json:"order_id"`
		}
		return json.Unmarshal(m.Data, &d) == nil && d.OrderID == id
	case kind == "shipment" && m.Type == live.TypeShipment:
		var d struct {
			ShipmentID string `json:"shipment_id"`
		}
		return json.Unmarshal(m.Data, &d) == nil && d.ShipmentID == id
	}
	return false
}
