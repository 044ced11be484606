package live

import (
	"context"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentevent"
)

// Sellers says who runs a store, acting for the system. The composition
// root adapts *account.Service to it.
type Sellers interface {
	SellerOwner(ctx context.Context, seller id.Seller) (id.User, error)
}

// OrderData is the data of an "order" message.
type OrderData struct {
	OrderID        id.Order         `json:"order_id"`
	Status         string           `json:"status,omitempty"`
	PreviousStatus string           `json:"previous_status,omitempty"`
	SellerOrderIDs []id.SellerOrder `json:"seller_order_ids,omitempty"`
}

// ShipmentData is the data of a "shipment" message.
type ShipmentData struct {
	ShipmentID    id.Shipment    `json:"shipment_id"`
	OrderID       id.Order       `json:"order_id"`
	SellerOrderID id.SellerOrder `json:"seller_order_id"`
	Status        string         `json:"status"`
}

// SellerOrderData is the data of a "seller_order" message: a new order to
// fulfil (New), or where its parcel is.
type SellerOrderData struct {
	OrderID       id.Order       `json:"order_id"`
	SellerOrderID id.SellerOrder `json:"seller_order_id"`
	Status        string         `json:"status"`
	ShipmentID    id.Shipment    `json:"shipment_id,omitempty"`
	New           bool           `json:"new,omitempty"`
	Items         int64          `json:"items,omitempty"`
}

// Notice is a new in-app notification, as the notify module made it.
type Notice struct {
	ID        string    `json:"id"`
	Recipient id.User   `json:"-"`
	Category  string    `json:"category"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Link      string    `json:"link"`
	CreatedAt time.Time `json:"created_at"`
}

// Notify sends each notice to its recipient. The composition root calls it
// once notify's transaction has committed.
func (h *Hub) Notify(ns ...Notice) {
	for _, n := range ns {
		if n.Recipient == "" {
			continue
		}
		_, _ = h.Publish(n.Recipient, TypeNotification, n)
	}
}

// Feed turns events into messages.
type Feed struct {
	Hub     *Hub
	Sellers Sellers
	// Consumer is the consumer group: one per process, since each process
	// holds its own sockets ("live.<replica>").
	Consumer string
}

// Subscribe subscribes the feed's handlers. An event older than the
// backlog's age (a process catching up on a broker) tells nobody: the
// clients of that time have reconnected and refetched since.
func (f Feed) Subscribe(sub event.Subscriber) {
	on(sub, f, order.TopicPlaced, f.placed)
	on(sub, f, order.TopicPaid, f.paid)
	on(sub, f, order.TopicStatusChanged, f.orderStatus)
	on(sub, f, order.TopicCancelled, f.cancelled)
	on(sub, f, shipmentevent.TopicCreated, f.shipmentCreated)
	on(sub, f, shipmentevent.TopicStatusChanged, f.shipmentStatus)
}

func on[T any](sub event.Subscriber, f Feed, t event.Topic[T], h func(ctx context.Context, p T) error) {
	event.On(sub, f.Consumer, t, func(ctx context.Context, e event.Event, p T) error {
		if !e.Time.IsZero() && f.Hub.opts.Now().Sub(e.Time) > f.Hub.opts.BacklogAge {
			return nil
		}
		return h(ctx, p)
	})
}

func (f Feed) placed(_ context.Context, p order.Placed) error {
	_, err := f.Hub.Publish(p.CustomerID, TypeOrder, OrderData{OrderID: p.OrderID, Status: string(order.PendingPayment), SellerOrderIDs: p.SellerOrderIDs})
	return err
}

func (f Feed) paid(ctx context.Context, p order.PaidEvent) error {
	if _, err := f.Hub.Publish(p.CustomerID, TypeOrder, OrderData{OrderID: p.OrderID, Status: string(order.Paid)}); err != nil {
		return err
	}
	for _, so := range p.SellerOrders {
		owner, err := f.owner(ctx, so.SellerID)
		if err != nil || owner == "" {
			return err
		}
		var n int64
		for _, l := range so.Lines {
			n += l.Quantity
		}
		if _, err := f.Hub.Publish(owner, TypeSellerOrder, SellerOrderData{OrderID: p.OrderID, SellerOrderID: so.SellerOrderID,
			Status: string(order.Paid), New: true, Items: n}); err != nil {
			return err
		}
	}
	return nil
}

func (f Feed) orderStatus(_ context.Context, p order.StatusChanged) error {
	_, err := f.Hub.Publish(p.CustomerID, TypeOrder, OrderData{OrderID: p.OrderID, Status: string(p.Status), PreviousStatus: string(p.PreviousStatus)})
	return err
}

func (f Feed) cancelled(_ context.Context, p order.CancelledEvent) error {
	d := OrderData{OrderID: p.OrderID, SellerOrderIDs: p.SellerOrderIDs}
	if p.Whole {
		d.Status = string(order.Cancelled)
	}
	_, err := f.Hub.Publish(p.CustomerID, TypeOrder, d)
	return err
}

func (f Feed) shipmentCreated(ctx context.Context, p shipmentevent.Created) error {
	d := ShipmentData{ShipmentID: p.ShipmentID, OrderID: p.OrderID, SellerOrderID: p.SellerOrderID, Status: string(p.Status)}
	if _, err := f.Hub.Publish(p.CustomerID, TypeShipment, d); err != nil {
		return err
	}
	owner, err := f.owner(ctx, p.SellerID)
	if err != nil || owner == "" {
		return err
	}
	_, err = f.Hub.Publish(owner, TypeSellerOrder, SellerOrderData{OrderID: p.OrderID, SellerOrderID: p.SellerOrderID,
		Status: string(p.Status), ShipmentID: p.ShipmentID})
	return err
}

func (f Feed) shipmentStatus(ctx context.Context, p shipmentevent.StatusChanged) error {
	d := ShipmentData{ShipmentID: p.ShipmentID, OrderID: p.OrderID, SellerOrderID: p.SellerOrderID, Status: string(p.Status)}
	if _, err := f.Hub.Publish(p.CustomerID, TypeShipment, d); err != nil {
		return err
	}
	if p.PartnerID != "" && p.PartnerID != p.CustomerID {
		if _, err := f.Hub.Publish(p.PartnerID, TypeShipment, d); err != nil {
			return err
		}
	}
	owner, err := f.owner(ctx, p.SellerID)
	if err != nil || owner == "" {
		return err
	}
	_, err = f.Hub.Publish(owner, TypeSellerOrder, SellerOrderData{OrderID: p.OrderID, SellerOrderID: p.SellerOrderID,
		Status: string(p.Status), ShipmentID: p.ShipmentID})
	return err
}

// owner is the user who runs seller; "" when the store is gone.
func (f Feed) owner(ctx context.Context, seller id.Seller) (id.User, error) {
	if f.Sellers == nil || seller == "" {
		return "", nil
	}
	u, err := f.Sellers.SellerOwner(ctx, seller)
	if apperr.Is(err, apperr.KindNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("live: find the owner of seller %s: %w", seller, err)
	}
	return u, nil
}
