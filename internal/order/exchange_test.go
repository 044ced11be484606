package order_test

import (
	"testing"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// TestPlaceReplacement: an exchange's replacement is a paid order at no
// charge, its stock committed, placed once per key, and refused for
// another seller's SKU or stock that is not there.
func TestPlaceReplacement(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := setup(t, db)
		in := order.ReplacementInput{Key: "exchange:ret_1", CustomerID: "usr_alice", SellerID: "sel_a",
			Lines: []order.LineInput{line("TEE", 2)}, ShippingAddress: home}
		o, err := e.Orders.PlaceReplacement(bg, in)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != order.Paid || o.Total != usd(0) || len(o.SellerOrders) != 1 ||
			o.SellerOrders[0].Status != order.SellerAwaitingFulfillment || o.SellerOrders[0].Lines[0].UnitPrice != usd(0) {
			t.Errorf("replacement = %s total %v parts %+v", o.Status, o.Total, o.SellerOrders)
		}
		if got := e.Reservation(t, o.ID); got != inventory.Committed {
			t.Errorf("replacement's reservation is %s, want committed", got)
		}
		if onHand, reserved := e.Level(t, "TEE"); onHand != 8 || reserved != 0 {
			t.Errorf("TEE on hand %d reserved %d, want 8 and 0", onHand, reserved)
		}
		again, err := e.Orders.PlaceReplacement(bg, in)
		if err != nil || again.ID != o.ID {
			t.Errorf("PlaceReplacement again = %s, %v; want the same order %s", again.ID, err, o.ID)
		}
		if onHand, _ := e.Level(t, "TEE"); onHand != 8 {
			t.Errorf("TEE on hand %d after a repeated call, want 8", onHand)
		}
		e.Settle(t)
		topics := e.Topics(t, string(o.ID))
		for _, want := range []string{"order.placed.v1", "order.paid.v1"} {
			found := false
			for _, got := range topics {
				found = found || got == want
			}
			if !found {
				t.Errorf("replacement published %v, want %s", topics, want)
			}
		}
		if got := get(t, e, o.ID); got.CustomerID != "usr_alice" || got.Status != order.Paid {
			t.Errorf("stored replacement = %s of %s", got.Status, got.CustomerID)
		}
		_, err = e.Orders.PlaceReplacement(bg, order.ReplacementInput{Key: "exchange:ret_2", CustomerID: "usr_alice", SellerID: "sel_a",
			Lines: []order.LineInput{line("LAMP", 1)}, ShippingAddress: home})
		if apperr.CodeOf(err) != "sku_unavailable" {
			t.Errorf("another seller's SKU = %v, want sku_unavailable", err)
		}
		_, err = e.Orders.PlaceReplacement(bg, order.ReplacementInput{Key: "exchange:ret_3", CustomerID: "usr_alice", SellerID: "sel_a",
			Lines: []order.LineInput{line("TEE", 9)}, ShippingAddress: home})
		if apperr.CodeOf(err) != "insufficient_stock" {
			t.Errorf("more than in stock = %v, want insufficient_stock", err)
		}
	})
}
