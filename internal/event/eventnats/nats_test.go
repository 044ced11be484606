package eventnats_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventnats"
	"github.com/bazaar-market/bazaar/internal/event/eventtest"
	"github.com/bazaar-market/bazaar/internal/id"
)

// serverURL returns the NATS server the tests run against:
// BAZAAR_TEST_NATS_URL if set (failing when it is unreachable under CI,
// skipping otherwise), else an embedded JetStream server.
func serverURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("BAZAAR_TEST_NATS_URL"); u != "" {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatalf("BAZAAR_TEST_NATS_URL: %v", err)
		}
		c, err := net.DialTimeout("tcp", pu.Host, 3*time.Second)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("BAZAAR_TEST_NATS_URL %s unreachable under CI: %v", pu.Host, err)
			}
			t.Skipf("BAZAAR_TEST_NATS_URL %s unreachable: %v", pu.Host, err)
		}
		_ = c.Close()
		return u
	}
	s, err := server.NewServer(&server.Options{
		Host:      "127.0.0.1",
		Port:      -1,
		JetStream: true,
		StoreDir:  t.TempDir(),
		NoLog:     true,
		NoSigs:    true,
	})
	if err != nil {
		t.Fatalf("embedded nats server: %v", err)
	}
	go s.Start()
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatalf("embedded nats server not ready after 10s")
	}
	return s.ClientURL()
}

func randomSuffix(t *testing.T) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b[:])
}

// testOptions returns Options on a stream of this run's own (deleted at
// the end), with timings short enough for tests.
func testOptions(t *testing.T, u string) eventnats.Options {
	t.Helper()
	r := randomSuffix(t)
	opts := eventnats.Options{
		Stream:        "BAZAAR_TEST_" + strings.ToUpper(r),
		SubjectPrefix: "bazaartest." + r,
		BatchSize:     16,
		AckWait:       5 * time.Second,
		FetchWait:     300 * time.Millisecond,
		LeaseTTL:      3 * time.Second,
		LeasePoll:     50 * time.Millisecond,
		RetryMin:      20 * time.Millisecond,
		RetryMax:      200 * time.Millisecond,
	}
	t.Cleanup(func() {
		nc, err := nats.Connect(u)
		if err != nil {
			t.Logf("cleanup: connect: %v", err)
			return
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = js.DeleteStream(ctx, opts.Stream)
		_ = js.DeleteKeyValue(ctx, opts.Stream+"_LEASES")
	})
	return opts
}

func TestBrokerSuite(t *testing.T) {
	u := serverURL(t)
	opts := testOptions(t, u)
	eventtest.BrokerSuite(t, func(t *testing.T) event.Broker {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		b, err := eventnats.Open(ctx, u, opts)
		if err != nil {
			t.Fatalf("Open(%s) = %v", u, err)
		}
		return b
	}, eventtest.Caps{Wait: 30 * time.Second})
}

func TestConsumerName(t *testing.T) {
	tests := []struct {
		group, want string
	}{
		{"search", "search"},
		{"search-replica_2", "search-replica_2"},
	}
	for _, tc := range tests {
		if got := eventnats.ConsumerName(tc.group); got != tc.want {
			t.Fatalf("ConsumerName(%q) = %q, want %q", tc.group, got, tc.want)
		}
	}
	seen := map[string]string{}
	for _, group := range []string{"a.b", "a_b", "a*b", "a>b", "a b", "a/b", "a\\b", "ünï", strings.Repeat("x", 200), strings.Repeat("x", 201)} {
		got := eventnats.ConsumerName(group)
		if strings.ContainsAny(got, ".*> /\\") || len(got) > 64 || got == "" {
			t.Fatalf("ConsumerName(%q) = %q, want only [A-Za-z0-9_-], at most 64 bytes", group, got)
		}
		if other, ok := seen[got]; ok {
			t.Fatalf("ConsumerName(%q) = ConsumerName(%q) = %q, want distinct names", group, other, got)
		}
		seen[got] = group
	}
}

func TestPublishRefusesBadTopic(t *testing.T) {
	u := serverURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := eventnats.Open(ctx, u, testOptions(t, u))
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	defer b.Close()
	for _, topic := range []string{"", "a.*", "a.>", "a b", ".a", "a..b"} {
		if err := b.Publish(ctx, []event.Event{{ID: "x", Topic: topic}}); err == nil {
			t.Fatalf("Publish(topic %q) = nil, want an error", topic)
		}
		if err := b.Consume(ctx, "g", []string{topic}, nil); err == nil {
			t.Fatalf("Consume(topic %q) = nil, want an error", topic)
		}
	}
}

func TestOpenErrorHidesPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, u := range []string{"nats://user:s3cret@[::1", "nats://user:s3cret@127.0.0.1:1"} {
		_, err := eventnats.Open(ctx, u, eventnats.Options{})
		if err == nil {
			t.Fatalf("Open(%q) = nil, want an error", u)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("Open(%q) = %v, which shows the password", u, err)
		}
	}
}

// TestDeadMemberBatchComesFirst: a member whose process dies holding a
// batch smaller than BatchSize leaves it unacknowledged; the member that
// takes over (once the lease expires) must handle it before later events.
func TestDeadMemberBatchComesFirst(t *testing.T) {
	u := serverURL(t)
	opts := testOptions(t, u)
	opts.LeaseTTL = 2 * time.Second
	opts.AckWait = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	open := func() *eventnats.Broker {
		b, err := eventnats.Open(ctx, u, opts)
		if err != nil {
			t.Fatalf("Open = %v", err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b
	}
	topic := "dead.member.v1"
	events := func(from, n int) []event.Event {
		var out []event.Event
		for i := from; i < from+n; i++ {
			out = append(out, event.Event{ID: id.Event(fmt.Sprintf("e%02d", i)), Topic: topic, Aggregate: "a", Payload: json.RawMessage(`{}`)})
		}
		return out
	}

	dying := open()
	got := make(chan []event.Event, 1)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before dying.Close
	err := dying.Consume(ctx, "g", []string{topic}, func(ctx context.Context, batch []event.Event) error {
		select {
		case got <- batch:
		default:
		}
		<-release
		return errors.New("dead")
	})
	if err != nil {
		t.Fatalf("Consume = %v", err)
	}
	pub := open()
	if err := pub.Publish(ctx, events(0, 5)); err != nil {
		t.Fatalf("Publish = %v", err)
	}
	select {
	case b := <-got: // all five, or the first ones if it fetched before the rest were stored
		if len(b) == 0 || b[0].ID != "e00" {
			t.Fatalf("dying member's batch = %v, want it to start with e00", b)
		}
	case <-ctx.Done():
		t.Fatalf("dying member got no batch")
	}
	dying.KillConnection()
	if err := pub.Publish(ctx, events(5, 5)); err != nil {
		t.Fatalf("Publish = %v", err)
	}

	var mu sync.Mutex
	var handled []id.Event
	if err := open().Consume(ctx, "g", []string{topic}, func(ctx context.Context, batch []event.Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range batch {
			handled = append(handled, e.ID)
		}
		return nil
	}); err != nil {
		t.Fatalf("Consume = %v", err)
	}
	want := []id.Event{"e00", "e01", "e02", "e03", "e04", "e05", "e06", "e07", "e08", "e09"}
	for {
		mu.Lock()
		n := len(handled)
		got := slices.Clone(handled)
		mu.Unlock()
		if n >= len(want) {
			if !slices.Equal(got, want) {
				t.Fatalf("handled %v, want %v", got, want)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("handled %v after %v, want %v", got, 60*time.Second, want)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
