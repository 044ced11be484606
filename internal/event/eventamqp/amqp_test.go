package eventamqp_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventamqp"
	"github.com/bazaar-market/bazaar/internal/event/eventtest"
)

// serverURL returns BAZAAR_TEST_AMQP_URL, skipping the test when it is
// unset or unreachable, except under CI (CI=true), where an unreachable
// server fails it. There is no embedded RabbitMQ.
func serverURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("BAZAAR_TEST_AMQP_URL")
	if u == "" {
		t.Skip("BAZAAR_TEST_AMQP_URL not set (e.g. amqp://guest:guest@127.0.0.1:5672/)")
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatalf("BAZAAR_TEST_AMQP_URL does not parse")
	}
	c, err := net.DialTimeout("tcp", pu.Host, 3*time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("BAZAAR_TEST_AMQP_URL %s unreachable under CI: %v", pu.Host, err)
		}
		t.Skipf("BAZAAR_TEST_AMQP_URL %s unreachable: %v", pu.Host, err)
	}
	_ = c.Close()
	return u
}

// testOptions returns Options on an exchange of this run's own (deleted at
// the end; its queues expire), with timings short enough for tests.
func testOptions(t *testing.T, u string) eventamqp.Options {
	t.Helper()
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatalf("random: %v", err)
	}
	opts := eventamqp.Options{
		Exchange:     "bazaar.test." + hex.EncodeToString(r[:]),
		BatchSize:    16,
		QueueExpires: time.Minute,
		RetryMin:     20 * time.Millisecond,
		RetryMax:     200 * time.Millisecond,
	}
	t.Cleanup(func() {
		conn, err := amqp.Dial(u)
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		_ = ch.ExchangeDelete(opts.Exchange, false, false)
	})
	return opts
}

func TestBrokerSuite(t *testing.T) {
	u := serverURL(t)
	opts := testOptions(t, u)
	eventtest.BrokerSuite(t, func(t *testing.T) event.Broker {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		b, err := eventamqp.Open(ctx, u, opts)
		if err != nil {
			t.Fatalf("Open = %v", err)
		}
		return b
	}, eventtest.Caps{Wait: 30 * time.Second})
}

func TestQueueName(t *testing.T) {
	u := serverURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := testOptions(t, u)
	br, err := eventamqp.Open(ctx, u, opts)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	defer br.Close()
	if got, want := br.QueueName("search"), opts.Exchange+".search"; got != want {
		t.Fatalf("QueueName(search) = %q, want %q", got, want)
	}
	tests := []struct {
		name   string
		group  string
		topics []string
	}{
		{"empty group", "", []string{"a.v1"}},
		{"no topics", "g", nil},
		{"empty topic", "g", []string{""}},
		{"long group", strings.Repeat("g", 300), []string{"a.v1"}},
	}
	for _, tc := range tests {
		if err := br.Consume(ctx, tc.group, tc.topics, nil); err == nil {
			t.Fatalf("%s: Consume = nil, want an error", tc.name)
		}
	}
}

func TestOpenErrorHidesPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, u := range []string{"amqp://user:s3cret@127.0.0.1:1/", "amqp://user:s3cret@[::1"} {
		_, err := eventamqp.Open(ctx, u, eventamqp.Options{DialTimeout: time.Second})
		if err == nil {
			t.Fatalf("Open(%q) = nil, want an error", u)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("Open(%q) = %v, which shows the password", u, err)
		}
	}
}
