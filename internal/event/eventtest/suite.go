// Package eventtest is the contract suite every event.Broker driver passes:
// a driver's test calls BrokerSuite with a function that opens a Broker on a
// running (or embedded) server and the Caps it declares.
//
// The suite names its topics and groups with a random prefix per run, so
// concurrent runs against one real server do not see each other's events,
// and every wait has a deadline.
package eventtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Caps declares what a driver cannot do; the suite skips or relaxes the
// checks that depend on it. The zero Caps is the full contract.
type Caps struct {
	// PerAggregateOrder: the broker keeps publish order per aggregate only
	// (Kafka keeps it per partition), not across the whole group.
	PerAggregateOrder bool
	// NotDurable: the broker keeps nothing for a group while no member of
	// it runs (the in-process broker).
	NotDurable bool
	// SingleProcess: Brokers from separate open calls do not share groups
	// (the in-process broker), so the two-member checks are skipped.
	SingleProcess bool
	// Wait bounds every wait of the suite; zero means 30 seconds.
	Wait time.Duration
}

// BrokerSuite runs the contract checks against the Brokers open returns.
// open is called once per simulated process; it registers its own cleanup
// (t.Cleanup) and the suite also closes every Broker it opened.
func BrokerSuite(t *testing.T, open func(t *testing.T) event.Broker, caps Caps) {
	if caps.Wait <= 0 {
		caps.Wait = 30 * time.Second
	}
	s := &suite{open: open, caps: caps, run: randomPrefix(t)}
	t.Logf("eventtest run prefix %s", s.run)
	tests := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"OrderPerGroup", s.testOrder},
		{"TwoGroupsEachSeeAll", s.testTwoGroups},
		{"TopicsFilter", s.testTopicsFilter},
		{"ErrorRedeliversBatch", s.testErrorRedelivers},
		{"DuplicateIDs", s.testDuplicateIDs},
		{"DurableWhileStopped", s.testDurable},
		{"MembersShareGroup", s.testMembers},
		{"MemberHandover", s.testHandover},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.fn)
	}
}

type suite struct {
	open func(t *testing.T) event.Broker
	caps Caps
	run  string
	n    int // names handed out, for unique topic and group names
	mu   sync.Mutex
}

func randomPrefix(t *testing.T) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random prefix: %v", err)
	}
	return "t" + hex.EncodeToString(b[:])
}

// name returns a name unique to this run: "<run>-<n>-<what>".
func (s *suite) name(what string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return fmt.Sprintf("%s-%d-%s", s.run, s.n, what)
}

// topicName returns a topic name shaped like Bazaar's ("module.thing.v1").
func (s *suite) topicName(what string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return fmt.Sprintf("%s.n%d.%s.v1", s.run, s.n, what)
}

func (s *suite) openBroker(t *testing.T) event.Broker {
	t.Helper()
	b := s.open(t)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// makeEvents returns n events cycling over topics and aggregates, with IDs
// that sort in publish order within the run.
func makeEvents(prefix string, n int, topics []string, aggregates int) []event.Event {
	base := time.Now().UTC().Truncate(time.Millisecond)
	out := make([]event.Event, n)
	for i := range out {
		out[i] = event.Event{
			ID:        id.Event(fmt.Sprintf("%s-evt-%05d", prefix, i)),
			Topic:     topics[i%len(topics)],
			Aggregate: fmt.Sprintf("agg-%d", i%aggregates),
			Payload:   json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)),
			Time:      base.Add(time.Duration(i) * time.Microsecond),
		}
	}
	return out
}

// publish publishes events in chunks of chunk, as the relay does, pausing
// between chunks so consumers see a stream rather than one burst.
func (s *suite) publish(t *testing.T, b event.Broker, events []event.Event, chunk int, pause time.Duration) {
	t.Helper()
	for i := 0; i < len(events); i += chunk {
		j := min(i+chunk, len(events))
		ctx, cancel := context.WithTimeout(context.Background(), s.caps.Wait)
		err := b.Publish(ctx, events[i:j])
		cancel()
		if err != nil {
			t.Fatalf("Publish(events %d..%d) = %v, want nil", i, j-1, err)
		}
		if pause > 0 {
			time.Sleep(pause)
		}
	}
}

// recorder records what a group's handlers were given: every attempt and
// the batches they handled successfully, in the order the handlers ran.
type recorder struct {
	mu       sync.Mutex
	attempts [][]event.Event // every batch h was called with
	handled  []handledEvent  // events of batches h returned nil for
	// fail, if set, is asked before a batch is recorded; a non-nil error
	// is returned to the driver.
	fail func(batch []event.Event) error
}

type handledEvent struct {
	event.Event
	member string
}

// handler returns the h a member passes to Consume. A batch delivered
// after ctx ended is refused, as a real handler whose database calls fail
// would, so the driver must deliver it again.
func (r *recorder) handler(member string) func(ctx context.Context, batch []event.Event) error {
	return func(ctx context.Context, batch []event.Event) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.attempts = append(r.attempts, append([]event.Event(nil), batch...))
		if r.fail != nil {
			if err := r.fail(batch); err != nil {
				return err
			}
		}
		for _, e := range batch {
			r.handled = append(r.handled, handledEvent{Event: e, member: member})
		}
		return nil
	}
}

func (r *recorder) snapshot() []handledEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]handledEvent(nil), r.handled...)
}

func (r *recorder) attemptsSnapshot() [][]event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]event.Event, len(r.attempts))
	copy(out, r.attempts)
	return out
}

// seen reports whether every ID of want has been handled.
func (r *recorder) seen(want []event.Event) bool {
	got := map[id.Event]bool{}
	for _, h := range r.snapshot() {
		got[h.ID] = true
	}
	for _, e := range want {
		if !got[e.ID] {
			return false
		}
	}
	return true
}

// waitSeen waits (bounded) until every event of want was handled.
func (s *suite) waitSeen(t *testing.T, r *recorder, want []event.Event) {
	t.Helper()
	deadline := time.Now().Add(s.caps.Wait)
	for !r.seen(want) {
		if time.Now().After(deadline) {
			missing := missingIDs(r.snapshot(), want)
			t.Fatalf("after %v, %d of %d events not handled (first missing %v)", s.caps.Wait, len(missing), len(want), missing[:min(5, len(missing))])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func missingIDs(got []handledEvent, want []event.Event) []id.Event {
	seen := map[id.Event]bool{}
	for _, h := range got {
		seen[h.ID] = true
	}
	var out []id.Event
	for _, e := range want {
		if !seen[e.ID] {
			out = append(out, e.ID)
		}
	}
	return out
}

// consume starts a member of group and returns its cancel.
func (s *suite) consume(t *testing.T, b event.Broker, group string, topics []string, h func(context.Context, []event.Event) error) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := b.Consume(ctx, group, topics, h); err != nil {
		cancel()
		t.Fatalf("Consume(%q, %v) = %v, want nil", group, topics, err)
	}
	return cancel
}

// checkOrder checks that got (in handling order) holds want's events in
// publish order: across the group, or per aggregate if the driver declares
// PerAggregateOrder. If dups, an event handled again is allowed (only its
// first handling counts); otherwise a second handling is an error.
func (s *suite) checkOrder(t *testing.T, got []handledEvent, want []event.Event, dups bool) {
	t.Helper()
	pos := map[id.Event]int{}
	for i, e := range want {
		pos[e.ID] = i
	}
	seen := map[id.Event]bool{}
	last := map[string]int{} // per aggregate, or "" for the group
	for _, h := range got {
		i, ok := pos[h.ID]
		if !ok {
			t.Fatalf("handled event %s (topic %s), which this test did not publish to the group's topics", h.ID, h.Topic)
		}
		if seen[h.ID] {
			if !dups {
				t.Fatalf("event %s handled twice without an error, want once", h.ID)
			}
			continue
		}
		seen[h.ID] = true
		key := ""
		if s.caps.PerAggregateOrder {
			key = h.Aggregate
		}
		if prev, ok := last[key]; ok && i < prev {
			t.Fatalf("event %s (#%d) handled after #%d of %q, want publish order", h.ID, i, prev, key)
		}
		last[key] = i
		if w := want[i]; h.Topic != w.Topic || h.Aggregate != w.Aggregate || string(h.Payload) != string(w.Payload) || !h.Time.Equal(w.Time) {
			t.Fatalf("event %s = %+v, want %+v", h.ID, h.Event, w)
		}
	}
}

func (s *suite) testOrder(t *testing.T) {
	b := s.openBroker(t)
	topics := []string{s.topicName("a"), s.topicName("b")}
	r := &recorder{}
	s.consume(t, b, s.name("order"), topics, r.handler("m1"))
	events := makeEvents(s.name("e"), 300, topics, 7)
	s.publish(t, b, events, 25, 0)
	s.waitSeen(t, r, events)
	s.checkOrder(t, r.snapshot(), events, false)
}

func (s *suite) testTwoGroups(t *testing.T) {
	b := s.openBroker(t)
	topics := []string{s.topicName("a")}
	r1, r2 := &recorder{}, &recorder{}
	s.consume(t, b, s.name("g1"), topics, r1.handler("g1"))
	s.consume(t, b, s.name("g2"), topics, r2.handler("g2"))
	events := makeEvents(s.name("e"), 120, topics, 3)
	s.publish(t, b, events, 20, 0)
	s.waitSeen(t, r1, events)
	s.waitSeen(t, r2, events)
	s.checkOrder(t, r1.snapshot(), events, false)
	s.checkOrder(t, r2.snapshot(), events, false)
}

func (s *suite) testTopicsFilter(t *testing.T) {
	b := s.openBroker(t)
	a, other, third := s.topicName("a"), s.topicName("other"), s.topicName("third")
	cases := []struct {
		name   string
		topics []string
	}{
		{"one topic", []string{a}},
		{"two topics", []string{a, third}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			s.consume(t, b, s.name("filter"), tc.topics, r.handler("m1"))
			all := makeEvents(s.name("e"), 90, []string{a, other, third}, 4)
			// A last event of the first topic: once it is handled, everything
			// before it has been (or will never be) delivered.
			marker := makeEvents(s.name("marker"), 1, []string{a}, 1)
			s.publish(t, b, all, 30, 0)
			s.publish(t, b, marker, 1, 0)
			var want []event.Event
			for _, e := range all {
				for _, tp := range tc.topics {
					if e.Topic == tp {
						want = append(want, e)
					}
				}
			}
			want = append(want, marker...)
			s.waitSeen(t, r, want)
			got := r.snapshot()
			for _, h := range got {
				ok := false
				for _, tp := range tc.topics {
					ok = ok || h.Topic == tp
				}
				if !ok {
					t.Fatalf("handled event %s of topic %s, want only %v", h.ID, h.Topic, tc.topics)
				}
			}
			s.checkOrder(t, got, want, false)
		})
	}
}

func (s *suite) testErrorRedelivers(t *testing.T) {
	b := s.openBroker(t)
	topics := []string{s.topicName("a")}
	events := makeEvents(s.name("e"), 100, topics, 5)
	const failAt = 37
	failures := 0
	r := &recorder{fail: func(batch []event.Event) error {
		for _, e := range batch {
			if e.ID == events[failAt].ID && failures < 2 {
				failures++
				return errors.New("eventtest: induced failure")
			}
		}
		return nil
	}}
	s.consume(t, b, s.name("err"), topics, r.handler("m1"))
	s.publish(t, b, events, 10, 0)
	s.waitSeen(t, r, events)
	s.checkOrder(t, r.snapshot(), events, false)

	// Nothing published after the failing event (of its aggregate, if the
	// driver orders per aggregate) reached h before the failing event's
	// batch succeeded, except in a batch that also carried it.
	attempts := r.attemptsSnapshot()
	fails := 0
	for _, batch := range attempts {
		carries := false
		for _, e := range batch {
			carries = carries || e.ID == events[failAt].ID
		}
		if carries {
			fails++
			if fails == 3 { // the third attempt is the one that succeeded
				break
			}
			continue
		}
		for _, e := range batch {
			i := indexOf(events, e.ID)
			if i > failAt && (!s.caps.PerAggregateOrder || e.Aggregate == events[failAt].Aggregate) {
				t.Fatalf("event #%d reached h before failing event #%d was handled, want it held back", i, failAt)
			}
		}
	}
	if fails != 3 {
		t.Fatalf("failing event's batch delivered %d times, want 3 (two failures, then success)", fails)
	}
}

func indexOf(events []event.Event, id id.Event) int {
	for i, e := range events {
		if e.ID == id {
			return i
		}
	}
	return -1
}

func (s *suite) testDuplicateIDs(t *testing.T) {
	b := s.openBroker(t)
	topics := []string{s.topicName("a")}
	r := &recorder{}
	s.consume(t, b, s.name("dup"), topics, r.handler("m1"))
	events := makeEvents(s.name("e"), 40, topics, 3)
	s.publish(t, b, events, 20, 0)
	s.publish(t, b, events[20:], 20, 0) // the relay retries the last chunk
	more := makeEvents(s.name("more"), 10, topics, 3)
	s.publish(t, b, more, 10, 0)
	want := append(append([]event.Event(nil), events...), more...)
	s.waitSeen(t, r, want)
	s.checkOrder(t, r.snapshot(), want, true)
	counts := map[id.Event]int{}
	for _, h := range r.snapshot() {
		counts[h.ID]++
	}
	for _, e := range want {
		if n := counts[e.ID]; n < 1 || n > 2 {
			t.Fatalf("event %s handled %d times, want once or twice", e.ID, n)
		}
	}
}

func (s *suite) testDurable(t *testing.T) {
	if s.caps.NotDurable {
		t.Skip("driver declares Caps.NotDurable")
	}
	group := s.name("durable")
	topics := []string{s.topicName("a")}
	r := &recorder{}

	b1 := s.openBroker(t)
	stop := s.consume(t, b1, group, topics, r.handler("first"))
	first := makeEvents(s.name("first"), 30, topics, 3)
	s.publish(t, b1, first, 10, 0)
	s.waitSeen(t, r, first)
	stop()
	if err := b1.Close(); err != nil {
		t.Fatalf("Close() = %v, want nil", err)
	}

	pub := s.openBroker(t)
	second := makeEvents(s.name("second"), 50, topics, 3)
	s.publish(t, pub, second, 10, 0)

	b2 := s.openBroker(t)
	s.consume(t, b2, group, topics, r.handler("second"))
	all := append(append([]event.Event(nil), first...), second...)
	s.waitSeen(t, r, all)
	s.checkOrder(t, r.snapshot(), all, false)
}

func (s *suite) testMembers(t *testing.T) {
	if s.caps.SingleProcess {
		t.Skip("driver declares Caps.SingleProcess")
	}
	group := s.name("members")
	topics := []string{s.topicName("a"), s.topicName("b")}
	r := &recorder{}
	b1, b2 := s.openBroker(t), s.openBroker(t)
	s.consume(t, b1, group, topics, r.handler("m1"))
	s.consume(t, b2, group, topics, r.handler("m2"))
	events := makeEvents(s.name("e"), 300, topics, 7)
	s.publish(t, s.openBroker(t), events, 10, 2*time.Millisecond)
	s.waitSeen(t, r, events)
	got := r.snapshot()
	s.checkOrder(t, got, events, false)
	per := map[string]int{}
	for _, h := range got {
		per[h.member]++
	}
	t.Logf("events handled per member: %v", per)
}

func (s *suite) testHandover(t *testing.T) {
	if s.caps.SingleProcess {
		t.Skip("driver declares Caps.SingleProcess")
	}
	group := s.name("handover")
	topics := []string{s.topicName("a")}
	r := &recorder{}
	b1, b2 := s.openBroker(t), s.openBroker(t)
	stops := map[string]context.CancelFunc{
		"m1": s.consume(t, b1, group, topics, r.handler("m1")),
		"m2": s.consume(t, b2, group, topics, r.handler("m2")),
	}
	events := makeEvents(s.name("e"), 300, topics, 5)

	done := make(chan struct{})
	go func() {
		defer close(done)
		deadline := time.Now().Add(s.caps.Wait)
		for time.Now().Before(deadline) {
			if got := r.snapshot(); len(got) >= 100 {
				// Stop the member that handled the latest batch: the
				// active one, if the driver has one.
				stops[got[len(got)-1].member]()
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	s.publish(t, s.openBroker(t), events, 10, 3*time.Millisecond)
	select {
	case <-done:
	case <-time.After(s.caps.Wait):
		t.Fatalf("no member stopped after %v", s.caps.Wait)
	}
	s.waitSeen(t, r, events)
	got := r.snapshot()
	// The stopped member may have handled a batch whose acknowledgement
	// was lost with it: delivery is at least once, so allow a redelivery.
	s.checkOrder(t, got, events, true)
	per := map[string]int{}
	for _, h := range got {
		per[h.member]++
	}
	t.Logf("events handled per member: %v (%d handlings of %d events)", per, len(got), len(events))
}
