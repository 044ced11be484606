package order_test

import (
	"testing"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/payment"
)

func TestStatusMachine(t *testing.T) {
	legal := map[[2]order.Status]bool{
		{order.PendingPayment, order.Paid}: true, {order.PendingPayment, order.Cancelled}: true,
		{order.Paid, order.PartiallyShipped}: true, {order.Paid, order.Shipped}: true, {order.Paid, order.Cancelled}: true,
		{order.PartiallyShipped, order.Shipped}: true, {order.PartiallyShipped, order.PartiallyDelivered}: true,
		{order.PartiallyShipped, order.PartiallyReturned}: true, {order.Shipped, order.PartiallyDelivered}: true,
		{order.Shipped, order.Delivered}: true, {order.Shipped, order.PartiallyReturned}: true, {order.Shipped, order.Returned}: true,
		{order.PartiallyDelivered, order.Delivered}: true, {order.PartiallyDelivered, order.PartiallyReturned}: true,
		{order.PartiallyDelivered, order.Returned}: true, {order.Delivered, order.PartiallyReturned}: true,
		{order.Delivered, order.Returned}: true, {order.PartiallyReturned, order.Returned}: true, {order.Cancelled, order.Refunded}: true,
		// Every parcel that was not cancelled came back undelivered.
		{order.PartiallyShipped, order.Cancelled}: true, {order.Shipped, order.Cancelled}: true,
	}
	for _, from := range order.Statuses {
		for _, to := range order.Statuses {
			if got := from.CanBecome(to); got != legal[[2]order.Status{from, to}] {
				t.Errorf("%s.CanBecome(%s) = %v, want %v", from, to, got, !got)
			}
		}
	}
}

func TestSellerStatusMachine(t *testing.T) {
	legal := map[[2]order.SellerStatus]bool{
		{order.SellerPendingPayment, order.SellerAwaitingFulfillment}: true,
		{order.SellerPendingPayment, order.SellerCancelled}:           true,
		{order.SellerAwaitingFulfillment, order.SellerShipped}:        true,
		{order.SellerAwaitingFulfillment, order.SellerCancelled}:      true,
		{order.SellerShipped, order.SellerDelivered}:                  true,
		{order.SellerShipped, order.SellerReturned}:                   true,
	}
	for _, from := range order.SellerStatuses {
		for _, to := range order.SellerStatuses {
			if got := from.CanBecome(to); got != legal[[2]order.SellerStatus{from, to}] {
				t.Errorf("%s.CanBecome(%s) = %v, want %v", from, to, got, !got)
			}
		}
	}
}

func TestDerive(t *testing.T) {
	const (
		A = order.SellerAwaitingFulfillment
		S = order.SellerShipped
		D = order.SellerDelivered
		R = order.SellerReturned
		C = order.SellerCancelled
	)
	for _, c := range []struct {
		parts []order.SellerStatus
		want  order.Status
	}{
		{[]order.SellerStatus{A}, order.Paid},
		{[]order.SellerStatus{A, A}, order.Paid},
		{[]order.SellerStatus{A, C}, order.Paid},
		{[]order.SellerStatus{S, A}, order.PartiallyShipped},
		{[]order.SellerStatus{R, A}, order.PartiallyShipped},
		{[]order.SellerStatus{S}, order.Shipped},
		{[]order.SellerStatus{S, C}, order.Shipped},
		{[]order.SellerStatus{S, R}, order.Shipped},
		{[]order.SellerStatus{D, A}, order.PartiallyDelivered},
		{[]order.SellerStatus{D, S}, order.PartiallyDelivered},
		{[]order.SellerStatus{D, R}, order.Delivered}, // the refused part is cancelled for the customer
		{[]order.SellerStatus{R}, order.Cancelled},    // refused at the door: nothing reaches the customer
		{[]order.SellerStatus{R, C}, order.Cancelled},
		{[]order.SellerStatus{R, R}, order.Cancelled},
		{[]order.SellerStatus{R, S}, order.Shipped},
		{[]order.SellerStatus{D}, order.Delivered},
		{[]order.SellerStatus{D, C}, order.Delivered},
		{[]order.SellerStatus{D, D}, order.Delivered},
		{[]order.SellerStatus{C}, order.Cancelled},
		{[]order.SellerStatus{C, C}, order.Cancelled},
	} {
		var parts []order.SellerOrder
		for _, s := range c.parts {
			parts = append(parts, order.SellerOrder{Status: s})
		}
		if got := order.Derive(parts); got != c.want {
			t.Errorf("Derive(%v) = %s, want %s", c.parts, got, c.want)
		}
	}
}

// TestDeriveReturns: returned units of delivered parts make the order
// partially_returned, and every unit of every live part returned makes it
// returned; units recorded on a part never delivered leave it alone.
func TestDeriveReturns(t *testing.T) {
	const (
		A = order.SellerAwaitingFulfillment
		S = order.SellerShipped
		D = order.SellerDelivered
		R = order.SellerReturned
		C = order.SellerCancelled
	)
	// part is a seller order in status st whose lines hold quantities
	// q[0], q[1], ... of which r[0], r[1], ... returned.
	type part struct {
		st   order.SellerStatus
		q, r []int64
	}
	for _, c := range []struct {
		name  string
		parts []part
		want  order.Status
	}{
		{"nothing returned", []part{{D, []int64{2}, []int64{0}}}, order.Delivered},
		{"one unit of two", []part{{D, []int64{2}, []int64{1}}}, order.PartiallyReturned},
		{"one line of two", []part{{D, []int64{2, 1}, []int64{2, 0}}}, order.PartiallyReturned},
		{"every unit", []part{{D, []int64{2, 1}, []int64{2, 1}}}, order.Returned},
		{"one part of two wholly", []part{{D, []int64{1}, []int64{1}}, {D, []int64{1}, []int64{0}}}, order.PartiallyReturned},
		{"every part wholly", []part{{D, []int64{1}, []int64{1}}, {D, []int64{3}, []int64{3}}}, order.Returned},
		{"the cancelled part does not count", []part{{D, []int64{1}, []int64{1}}, {C, []int64{3}, []int64{0}}}, order.Returned},
		{"the other part still shipping", []part{{D, []int64{1}, []int64{1}}, {S, []int64{1}, []int64{0}}}, order.PartiallyReturned},
		{"the other part awaiting", []part{{D, []int64{2}, []int64{1}}, {A, []int64{1}, []int64{0}}}, order.PartiallyReturned},
		{"the other part returned to its seller", []part{{D, []int64{1}, []int64{1}}, {R, []int64{1}, []int64{0}}}, order.Returned},
		{"partly, the other part returned to its seller", []part{{D, []int64{2}, []int64{1}}, {R, []int64{1}, []int64{0}}}, order.PartiallyReturned},
		{"refunded on a part never delivered", []part{{S, []int64{1}, []int64{1}}}, order.Shipped},
		{"refunded on a lost part, the other delivered", []part{{S, []int64{1}, []int64{1}}, {D, []int64{1}, []int64{0}}}, order.PartiallyDelivered},
		{"every part cancelled", []part{{C, []int64{1}, []int64{0}}}, order.Cancelled},
	} {
		var parts []order.SellerOrder
		for _, p := range c.parts {
			so := order.SellerOrder{Status: p.st}
			for i := range p.q {
				so.Lines = append(so.Lines, order.Line{Quantity: p.q[i], Returned: p.r[i]})
			}
			parts = append(parts, so)
		}
		if got := order.Derive(parts); got != c.want {
			t.Errorf("%s: Derive = %s, want %s", c.name, got, c.want)
		}
	}
}

// The in-process services satisfy what the module declares (the server
// wires them).
var (
	_ order.Catalog   = (*catalog.Service)(nil)
	_ order.Carts     = (*cart.Service)(nil)
	_ order.Addresses = (*account.Service)(nil)
	_ order.Sellers   = (*account.Service)(nil)
	_ order.Payments  = (*payment.Service)(nil)
	_ order.Stock     = (*inventory.Service)(nil)
)
