// Package eventbrokertest gives tests an event bus on the broker named by
// BAZAAR_TEST_EVENTS_URL (in process when it is unset), so the same tests
// run with events in process and through NATS, RabbitMQ or Kafka. Each
// bus gets a namespace of its own on the broker, removed when the test ends.
package eventbrokertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventbroker"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// EnvEvents names the variable holding the broker URL for tests.
const EnvEvents = "BAZAAR_TEST_EVENTS_URL"

// URL returns BAZAAR_TEST_EVENTS_URL with a namespace of its own (removed
// from a NATS server when the test ends), or "" when it is unset.
func URL(t testing.TB) string {
	url := os.Getenv(EnvEvents)
	if url == "" {
		return ""
	}
	return Namespace(t, url)
}

// Namespace gives url a namespace of its own on the broker, removed when
// the test ends (NATS keeps a stream per namespace on disk).
func Namespace(t testing.TB, url string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	ns := "t" + hex.EncodeToString(b)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	if strings.HasPrefix(url, "nats://") {
		t.Cleanup(func() { dropNATS(strings.SplitN(url, "?", 2)[0], ns) })
	}
	return url + sep + "namespace=" + ns
}

// Bus returns a bus over db's outbox, on the test broker if one is set.
// Its consumers and broker are closed when the test ends.
func Bus(t testing.TB, db *sqldb.DB, log *slog.Logger) *event.Bus {
	t.Helper()
	url := URL(t)
	if url == "" {
		bus := event.NewBus(db, log)
		t.Cleanup(bus.Close)
		return bus
	}
	broker, err := eventbroker.Open(context.Background(), url, log)
	if err != nil {
		t.Fatalf("open the test broker: %v", err)
	}
	bus := event.NewBus(db, log, event.WithBroker(broker))
	t.Cleanup(func() {
		bus.Close()
		_ = broker.Close()
	})
	return bus
}

// dropNATS deletes a test namespace's stream and lease bucket.
func dropNATS(url, ns string) {
	nc, err := nats.Connect(url, nats.Timeout(5*time.Second))
	if err != nil {
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = js.DeleteStream(ctx, ns)
	_ = js.DeleteKeyValue(ctx, ns+"_LEASES")
}
