package order_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/order/ordertest"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// The flash sale: 500 buyers race for 50 units of one SKU. Baskets: half
// hold the SKU once, a fifth hold it on two lines, the rest hold it with
// other SKUs of other sellers.
const (
	buyers = 500
	units  = 50
	hot    = "HOT"
)

var others = []string{"SOCK", "CAP", "BAG"}

func TestFlashSale(t *testing.T) {
	for _, declines := range []bool{false, true} {
		name := "all pay"
		if declines {
			name = "random declines"
		}
		t.Run(name, func(t *testing.T) {
			sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				seed := uint64(time.Now().UnixNano())
				t.Logf("seed %d", seed)
				flashSale(t, db, declines, rand.New(rand.NewPCG(seed, 7)))
			})
		})
	}
}

type basket struct {
	ctx   context.Context
	lines []order.LineInput
}

func (b basket) qty(sku string) int64 {
	var n int64
	for _, l := range b.lines {
		if l.SKU == sku {
			n += l.Quantity
		}
	}
	return n
}

func flashSale(t *testing.T, db *sqldb.DB, declines bool, rng *rand.Rand) {
	e := ordertest.NewEnv(t, db, order.Options{})
	e.AddSKU(t, catalog.SKU{SKU: hot, SellerID: "sel_hot", Price: usd(999), Active: true}, units)
	for i, s := range others {
		e.AddSKU(t, catalog.SKU{SKU: s, SellerID: id.Seller(fmt.Sprintf("sel_%d", i)), Price: usd(250), Active: true}, 100_000)
	}
	baskets := make([]basket, buyers)
	for i := range baskets {
		b := basket{ctx: ordertest.As(bg, id.User(fmt.Sprintf("usr_buyer%03d", i)), auth.Customer)}
		switch r := rng.IntN(10); {
		case r < 5:
			b.lines = []order.LineInput{line(hot, 1)}
		case r < 7:
			b.lines = []order.LineInput{line(hot, 1), line(others[rng.IntN(3)], 1), line(hot, 1)}
		default:
			b.lines = []order.LineInput{line(others[rng.IntN(3)], 2), line(hot, 1), line(others[rng.IntN(3)], 1)}
		}
		baskets[i] = b
	}

	// A watcher reads the stock throughout: it must never be oversold.
	stop := make(chan struct{})
	var watcher sync.WaitGroup
	var negative atomic.Int64
	watcher.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if st, err := e.Stock.Stock(bg, hot); err == nil && (st.Available < 0 || st.OnHand < 0 || st.Reserved < 0) {
				negative.Add(1)
			}
		}
	})

	// Every buyer places at once.
	placed := make([]order.Order, buyers)
	errs := make([]error, buyers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range baskets {
		wg.Go(func() {
			<-start
			placed[i], errs[i] = e.Orders.Place(baskets[i].ctx, order.PlaceInput{Lines: baskets[i].lines, ShippingAddress: &home})
		})
	}
	close(start)
	wg.Wait()

	var won []int
	var reservedHot int64
	for i, err := range errs {
		switch {
		case err == nil:
			won = append(won, i)
			reservedHot += baskets[i].qty(hot)
		case apperr.CodeOf(err) != "insufficient_stock":
			t.Fatalf("buyer %d: Place = %v, want success or insufficient_stock", i, err)
		}
	}
	onHand, reserved := e.Level(t, hot)
	if reservedHot != units || onHand != units || reserved != units {
		t.Fatalf("after the rush: orders hold %d, stock on_hand %d reserved %d; want exactly %d reserved", reservedHot, onHand, reserved, units)
	}
	checkOthers(t, e, baskets, won, func(int) bool { return true }, 100_000, true)

	// Pay: everyone, or at random with declines, retries and abandonment.
	paying := make(chan int)
	var payers sync.WaitGroup
	var decided sync.Mutex
	plan := map[int]string{}
	for _, i := range won {
		p := "tok_visa"
		if declines {
			switch r := rng.IntN(20); {
			case r < 8:
			case r < 14:
				p = "decline"
			case r < 17:
				p = "decline+retry"
			default:
				p = "none"
			}
		}
		plan[i] = p
	}
	for range 8 {
		payers.Go(func() {
			for i := range paying {
				decided.Lock()
				p := plan[i]
				decided.Unlock()
				id := placed[i].ID
				var err error
				switch p {
				case "tok_visa":
					_, err = e.Orders.Pay(baskets[i].ctx, order.PayInput{OrderID: id, Method: "tok_visa"})
				case "decline", "decline+retry":
					_, err = e.Orders.Pay(baskets[i].ctx, order.PayInput{OrderID: id, Method: "tok_chargeDeclined"})
				}
				if err != nil {
					t.Errorf("buyer %d: Pay: %v", i, err)
				}
			}
		})
	}
	for _, i := range won {
		paying <- i
	}
	close(paying)
	payers.Wait()
	e.Settle(t)
	if declines {
		for _, i := range won {
			if plan[i] != "decline+retry" {
				continue
			}
			if got := get(t, e, placed[i].ID); got.Status != order.PendingPayment || got.PaymentStatus != "failed" {
				t.Fatalf("buyer %d after a decline: %s, payment %s", i, got.Status, got.PaymentStatus)
			}
			if _, err := e.Orders.Pay(baskets[i].ctx, order.PayInput{OrderID: placed[i].ID, Method: "tok_visa"}); err != nil {
				t.Fatalf("buyer %d: retry: %v", i, err)
			}
		}
		e.Settle(t)
		e.Clock.Advance(order.DefaultReservationTTL)
		if _, err := e.Orders.ExpireReservations(bg, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		e.Settle(t)
	}
	close(stop)
	watcher.Wait()
	if n := negative.Load(); n > 0 {
		t.Errorf("the stock was seen oversold %d times", n)
	}

	// Every order is paid with its stock committed, or cancelled with its
	// stock released.
	var sold int64
	isPaid := map[int]bool{}
	for _, i := range won {
		o := get(t, e, placed[i].ID)
		res := e.Reservation(t, o.ID)
		wantPaid := plan[i] == "tok_visa" || plan[i] == "decline+retry"
		switch {
		case wantPaid && o.Status == order.Paid && res == inventory.Committed:
			sold += baskets[i].qty(hot)
			isPaid[i] = true
		case !wantPaid && o.Status == order.Cancelled && res == inventory.Released:
		default:
			t.Errorf("buyer %d (%s): order %s, reservation %s", i, plan[i], o.Status, res)
		}
		ps, err := e.Payments.OrderPayments(bg, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		captured := 0
		for _, p := range ps {
			if p.Status == payment.Succeeded {
				captured++
			}
		}
		if captured != map[bool]int{true: 1}[wantPaid] {
			t.Errorf("buyer %d (%s): %d captured payments", i, plan[i], captured)
		}
	}
	onHand, reserved = e.Level(t, hot)
	if reserved != 0 || onHand != units-sold || onHand < 0 {
		t.Errorf("after payments: %s on_hand %d reserved %d, sold %d; want on_hand %d, nothing reserved", hot, onHand, reserved, sold, units-sold)
	}
	if !declines && sold != units {
		t.Errorf("sold %d units, want all %d", sold, units)
	}
	checkOthers(t, e, baskets, won, func(i int) bool { return isPaid[i] }, 100_000, false)
	t.Logf("%d orders placed, %d paid, %d units sold", len(won), len(isPaid), sold)
}

// checkOthers checks the other SKUs: held (reserved) by every placed order
// after the rush, or sold by the paid orders in the end.
func checkOthers(t *testing.T, e *ordertest.Env, baskets []basket, won []int, counts func(int) bool, start int64, held bool) {
	t.Helper()
	for _, sku := range others {
		var n int64
		for _, i := range won {
			if counts(i) {
				n += baskets[i].qty(sku)
			}
		}
		onHand, reserved := e.Level(t, sku)
		want := [2]int64{start, n}
		if !held {
			want = [2]int64{start - n, 0}
		}
		if [2]int64{onHand, reserved} != want {
			t.Errorf("%s: on_hand %d reserved %d, want %d and %d", sku, onHand, reserved, want[0], want[1])
		}
	}
}
