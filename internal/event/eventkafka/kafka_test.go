package eventkafka_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventkafka"
	"github.com/bazaar-market/bazaar/internal/event/eventtest"
)

// cluster starts an in-process Kafka cluster (kfake) for the test.
func cluster(t *testing.T) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatalf("kfake cluster: %v", err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

func testOptions(t *testing.T) eventkafka.Options {
	t.Helper()
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatalf("random: %v", err)
	}
	return eventkafka.Options{
		Topic:             "bazaar.test." + hex.EncodeToString(r[:]),
		Partitions:        4,
		BatchSize:         16,
		RetryMin:          20 * time.Millisecond,
		RetryMax:          200 * time.Millisecond,
		HeartbeatInterval: 100 * time.Millisecond,
	}
}

func TestBrokerSuite(t *testing.T) {
	seeds := cluster(t)
	opts := testOptions(t)
	eventtest.BrokerSuite(t, func(t *testing.T) event.Broker {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		b, err := eventkafka.Open(ctx, seeds, opts)
		if err != nil {
			t.Fatalf("Open(%v) = %v", seeds, err)
		}
		return b
	}, eventtest.Caps{PerAggregateOrder: true, Wait: 30 * time.Second})
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url     string
		want    []string
		wantErr bool
	}{
		{"kafka://127.0.0.1:9092", []string{"127.0.0.1:9092"}, false},
		{"kafka://a:9092,b:9093/", []string{"a:9092", "b:9093"}, false},
		{"kafka://a:9092, b:9093?x=1", []string{"a:9092", "b:9093"}, false},
		{"kafka://", nil, true},
		{"nats://a:4222", nil, true},
		{"kafka://user:pw@a:9092", nil, true},
	}
	for _, tc := range tests {
		got, err := eventkafka.ParseURL(tc.url)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Fatalf("ParseURL(%q) = %v, %v, want %v (error %v)", tc.url, got, err, tc.want, tc.wantErr)
		}
	}
}
