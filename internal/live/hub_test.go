package live_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/live"
)

// decode parses one frame.
func decode(t *testing.T, b []byte) live.Message {
	t.Helper()
	var m live.Message
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("frame %s is not JSON: %v", b, err)
	}
	return m
}

// receive takes the next frame of s, failing after a second.
func receive(t *testing.T, s *live.Sub) live.Message {
	t.Helper()
	select {
	case b := <-s.C():
		return decode(t, b)
	case <-time.After(time.Second):
		t.Fatalf("%s received nothing", s.User)
		return live.Message{}
	}
}

// none checks that s has nothing queued.
func none(t *testing.T, s *live.Sub) {
	t.Helper()
	select {
	case b := <-s.C():
		t.Fatalf("%s received %s, want nothing", s.User, b)
	default:
	}
}

func subscribe(t *testing.T, h *live.Hub, u id.User, after string) *live.Sub {
	t.Helper()
	s, err := h.Subscribe(u, after)
	if err != nil {
		t.Fatalf("Subscribe(%s, %q) = %v", u, after, err)
	}
	t.Cleanup(s.Close)
	return s
}

// types lists the types of frames.
func types(t *testing.T, frames [][]byte) []live.Type {
	var out []live.Type
	for _, f := range frames {
		out = append(out, decode(t, f).Type)
	}
	return out
}

func TestPublishReachesOnlyItsUser(t *testing.T) {
	h := live.NewHub(live.Options{})
	alice1, alice2 := subscribe(t, h, "usr_alice", ""), subscribe(t, h, "usr_alice", "")
	bob := subscribe(t, h, "usr_bob", "")
	if got := types(t, alice1.Replay); len(got) != 1 || got[0] != live.TypeHello {
		t.Errorf("first connection's replay = %v, want [hello]", got)
	}
	msgID, err := h.Publish("usr_alice", live.TypeOrder, live.OrderData{OrderID: "ord_1", Status: "paid"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*live.Sub{alice1, alice2} {
		m := receive(t, s)
		if m.ID != msgID || m.Type != live.TypeOrder || string(m.Data) != `{"order_id":"ord_1","status":"paid"}` {
			t.Errorf("alice received %+v (data %s), want order ord_1 paid with id %s", m, m.Data, msgID)
		}
	}
	none(t, bob)
	if _, err := h.Publish("usr_bob", live.TypeShipment, live.ShipmentData{ShipmentID: "shp_1", Status: "delivered"}); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, bob); m.Type != live.TypeShipment {
		t.Errorf("bob received %+v, want a shipment message", m)
	}
	none(t, alice1)
	none(t, alice2)
	if _, err := h.Publish("", live.TypeOrder, nil); err == nil {
		t.Error("Publish to no user = nil error, want one")
	}
}

func TestIDsIncrease(t *testing.T) {
	h := live.NewHub(live.Options{})
	prev := ""
	for i := range 20 {
		msgID, err := h.Publish(id.User(fmt.Sprint("usr_", i%3)), live.TypeOrder, struct{}{})
		if err != nil {
			t.Fatal(err)
		}
		var epoch string
		var seq int
		if _, err := fmt.Sscanf(msgID, h.Epoch()+".%d", &seq); err != nil || seq != i+1 {
			t.Errorf("message %d has id %q, want %s.%d", i, msgID, epoch+h.Epoch(), i+1)
		}
		if msgID == prev {
			t.Errorf("id %s repeated", msgID)
		}
		prev = msgID
	}
	if live.NewHub(live.Options{}).Epoch() == h.Epoch() {
		t.Error("two hubs share an epoch")
	}
}

func TestResumeReplaysWhatWasMissed(t *testing.T) {
	h := live.NewHub(live.Options{})
	s := subscribe(t, h, "usr_alice", "")
	var ids []string
	for i := range 3 {
		msgID, _ := h.Publish("usr_alice", live.TypeOrder, live.OrderData{OrderID: id.Order(fmt.Sprint("ord_", i))})
		ids = append(ids, msgID)
	}
	for range 3 {
		receive(t, s)
	}
	s.Close()
	// Missed while away: two for alice, one for bob.
	m4, _ := h.Publish("usr_alice", live.TypeOrder, live.OrderData{OrderID: "ord_3"})
	_, _ = h.Publish("usr_bob", live.TypeOrder, live.OrderData{OrderID: "ord_bob"})
	m5, _ := h.Publish("usr_alice", live.TypeNotification, live.Notice{ID: "ntf_1", Title: "Shipped"})

	again := subscribe(t, h, "usr_alice", ids[2])
	var got []string
	for _, f := range again.Replay {
		m := decode(t, f)
		got = append(got, string(m.Type)+" "+m.ID)
	}
	hello := decode(t, again.Replay[len(again.Replay)-1])
	want := []string{"order " + m4, "notification " + m5, "hello " + hello.ID}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("replay after %s = %v, want %v", ids[2], got, want)
	}
	// The hello's id is the position: resuming from it replays nothing.
	if r := subscribe(t, h, "usr_alice", hello.ID).Replay; len(r) != 1 || decode(t, r[0]).Type != live.TypeHello {
		t.Errorf("replay after the hello = %v, want only a hello", types(t, r))
	}
	// New messages come after the replay, on C.
	m6, _ := h.Publish("usr_alice", live.TypeOrder, live.OrderData{OrderID: "ord_6"})
	if m := receive(t, again); m.ID != m6 {
		t.Errorf("after the replay alice received %s, want %s", m.ID, m6)
	}
}

func TestResetWhenTheGapCannotBeFilled(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	h := live.NewHub(live.Options{Backlog: 3, BacklogAge: 15 * time.Minute, Now: clock})

	subscribe(t, h, "usr_alice", "").Close() // alice has connected: her messages are kept
	subscribe(t, h, "usr_bob", "").Close()
	first, _ := h.Publish("usr_alice", live.TypeOrder, struct{}{})
	for range 4 { // pushes first and the next one out of the backlog of 3
		_, _ = h.Publish("usr_alice", live.TypeOrder, struct{}{})
	}
	other := live.NewHub(live.Options{})
	otherID, _ := other.Publish("usr_alice", live.TypeOrder, struct{}{})
	bobsFirst, _ := h.Publish("usr_bob", live.TypeOrder, struct{}{})

	cases := []struct {
		name, after string
		want        []live.Type
	}{
		{"evicted by count", first, []live.Type{live.TypeReset, live.TypeHello}},
		{"another process's id", otherID, []live.Type{live.TypeReset, live.TypeHello}},
		{"garbage", "not-an-id", []live.Type{live.TypeReset, live.TypeHello}},
		{"from the future", h.Epoch() + ".999", []live.Type{live.TypeReset, live.TypeHello}},
		{"kept", bobsFirst, []live.Type{live.TypeHello}},
	}
	for _, c := range cases {
		u := id.User("usr_alice")
		if c.name == "kept" {
			u = "usr_bob"
		}
		s := subscribe(t, h, u, c.after)
		if got := types(t, s.Replay); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: replay after %q = %v, want %v", c.name, c.after, got, c.want)
		}
		s.Close()
	}

	// Aged out: bob missed a message that is now older than the backlog's
	// age.
	_, _ = h.Publish("usr_bob", live.TypeOrder, struct{}{})
	advance(16 * time.Minute)
	h.Sweep()
	if got := types(t, subscribe(t, h, "usr_bob", bobsFirst).Replay); fmt.Sprint(got) != fmt.Sprint([]live.Type{live.TypeReset, live.TypeHello}) {
		t.Errorf("replay after an aged-out message = %v, want [reset hello]", got)
	}
	// Forgotten: carol, idle past the backlog's age, is forgotten by the
	// sweep; her old position is then answered with a reset too.
	carol := subscribe(t, h, "usr_carol", "")
	pos := decode(t, carol.Replay[0]).ID
	carol.Close()
	_, _ = h.Publish("usr_carol", live.TypeOrder, struct{}{}) // missed, then forgotten
	advance(20 * time.Minute)
	h.Sweep()
	// Her first tab comes back afresh; a message is kept for her again.
	fresh := subscribe(t, h, "usr_carol", "")
	_, _ = h.Publish("usr_carol", live.TypeOrder, struct{}{})
	receive(t, fresh)
	// Her second tab, with the old position, must not get only that one:
	// what was sent while she was forgotten is gone.
	if got := types(t, subscribe(t, h, "usr_carol", pos).Replay); fmt.Sprint(got) != fmt.Sprint([]live.Type{live.TypeReset, live.TypeHello}) {
		t.Errorf("replay for a forgotten user = %v, want [reset hello]", got)
	}
}

func TestSlowSubscriberIsDroppedOthersGoOn(t *testing.T) {
	h := live.NewHub(live.Options{Queue: 4})
	slow := subscribe(t, h, "usr_alice", "") // never reads
	fast := subscribe(t, h, "usr_alice", "") // reads each message as it comes
	other := subscribe(t, h, "usr_bob", "")  // reads later, within its queue
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			msgID, _ := h.Publish("usr_alice", live.TypeOrder, live.OrderData{OrderID: id.Order(fmt.Sprint("ord_", i))})
			select {
			case b := <-fast.C():
				var m live.Message
				if err := json.Unmarshal(b, &m); err != nil || m.ID != msgID {
					t.Errorf("fast read %s, want %s", b, msgID)
				}
			case <-time.After(time.Second):
				t.Errorf("fast received nothing for %s", msgID)
				return
			}
			if i%40 == 0 {
				_, _ = h.Publish("usr_bob", live.TypeOrder, struct{}{})
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Publish blocked on a slow subscriber")
	}
	select {
	case <-slow.Done():
		if slow.Reason() != live.ReasonSlow {
			t.Errorf("slow subscriber's reason = %v, want ReasonSlow", slow.Reason())
		}
	default:
		t.Fatal("the slow subscriber was not dropped")
	}
	select {
	case <-fast.Done():
		t.Error("the fast subscriber was dropped")
	default:
	}
	for range 3 {
		receive(t, other)
	}
	if n := h.Subscribers(); n != 2 {
		t.Errorf("Subscribers() = %d, want 2 (the slow one gone)", n)
	}
	slow.Close() // after the drop: harmless
}

func TestCapPerUserAndClose(t *testing.T) {
	h := live.NewHub(live.Options{MaxPerUser: 2})
	a := subscribe(t, h, "usr_alice", "")
	subscribe(t, h, "usr_alice", "")
	if _, err := h.Subscribe("usr_alice", ""); !apperr.Is(err, apperr.KindRateLimited) {
		t.Errorf("third Subscribe = %v, want a rate-limit error", err)
	}
	subscribe(t, h, "usr_bob", "") // another user is not limited by alice's
	a.Close()
	c := subscribe(t, h, "usr_alice", "") // a closed one frees its place
	h.Close()
	for _, s := range []*live.Sub{c} {
		select {
		case <-s.Done():
			if s.Reason() != live.ReasonShutdown {
				t.Errorf("reason = %v, want ReasonShutdown", s.Reason())
			}
		default:
			t.Error("Close left a subscription open")
		}
	}
	if _, err := h.Subscribe("usr_carol", ""); err != live.ErrClosed {
		t.Errorf("Subscribe after Close = %v, want ErrClosed", err)
	}
}

// TestConcurrentUsers publishes to many users at once, with subscribers
// coming and going, and checks nobody ever receives another's message
// (run with -race).
func TestConcurrentUsers(t *testing.T) {
	h := live.NewHub(live.Options{Queue: 1024})
	const users, each = 20, 50
	var wg sync.WaitGroup
	errs := make(chan error, users)
	for u := range users {
		user := id.User(fmt.Sprint("usr_", u))
		s, err := h.Subscribe(user, "")
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			defer s.Close()
			for range each {
				select {
				case b := <-s.C():
					var m live.Message
					_ = json.Unmarshal(b, &m)
					var d live.OrderData
					_ = json.Unmarshal(m.Data, &d)
					if string(d.OrderID) != "ord_for_"+string(user) {
						errs <- fmt.Errorf("%s received %s", user, b)
						return
					}
				case <-time.After(5 * time.Second):
					errs <- fmt.Errorf("%s timed out", user)
					return
				}
			}
		})
		wg.Go(func() {
			for range each {
				_, _ = h.Publish(user, live.TypeOrder, live.OrderData{OrderID: id.Order("ord_for_" + string(user))})
			}
		})
		wg.Go(func() { // churn: another connection of the user opens and closes
			for range 10 {
				if x, err := h.Subscribe(user, ""); err == nil {
					x.Close()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	h.Sweep()
}

func TestUsersNeverConnectedKeepNothing(t *testing.T) {
	h := live.NewHub(live.Options{})
	for i := range 1000 {
		if _, err := h.Publish(id.User(fmt.Sprint("usr_", i)), live.TypeOrder, struct{}{}); err != nil {
			t.Fatal(err)
		}
	}
	// A later connection of one of them starts from now: nothing replayed.
	s := subscribe(t, h, "usr_7", "")
	if got := types(t, s.Replay); fmt.Sprint(got) != fmt.Sprint([]live.Type{live.TypeHello}) {
		t.Errorf("replay = %v, want [hello]", got)
	}
	msgID, _ := h.Publish("usr_7", live.TypeOrder, struct{}{})
	if m := receive(t, s); m.ID != msgID {
		t.Errorf("received %s, want %s", m.ID, msgID)
	}
}
