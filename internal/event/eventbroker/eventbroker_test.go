package eventbroker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/bazaar-market/bazaar/internal/event/eventbroker"
	"github.com/bazaar-market/bazaar/internal/event/eventkafka"
)

func TestOpenEmptyIsInProcess(t *testing.T) {
	b, err := eventbroker.Open(context.Background(), "", nil)
	if b != nil || err != nil {
		t.Fatalf(`Open("") = %v, %v, want nil, nil`, b, err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tests := []struct {
		name, url, want string
	}{
		{"unknown scheme", "redis://u:s3cret@127.0.0.1:6379", "not supported"},
		{"no scheme", "u:s3cret@127.0.0.1", "no scheme"},
		{"bad amqp url", "amqp://u:s3cret@[::1", "does not parse"},
		{"bad nats url", "nats://u:s3cret@[::1", "does not parse"},
		{"kafka without brokers", "kafka://", "no brokers"},
		{"kafka with credentials", "kafka://u:s3cret@127.0.0.1:9092", "credentials"},
		{"amqp unreachable", "amqp://u:s3cret@127.0.0.1:1/", "rabbitmq"},
		{"nats unreachable", "nats://u:s3cret@127.0.0.1:1", "nats"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := eventbroker.Open(ctx, tc.url, nil)
			if err == nil {
				_ = b.Close()
				t.Fatalf("Open(%q) = nil error, want one", tc.url)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open(%q) = %v, want an error mentioning %q", tc.url, err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("Open(%q) = %v, which shows the password", tc.url, err)
			}
			if tc.want == "not supported" && !strings.Contains(err.Error(), "kafka://") {
				t.Fatalf("Open(%q) = %v, want the allowed schemes named", tc.url, err)
			}
		})
	}
}

func TestOpenKafka(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := eventbroker.Open(ctx, "kafka://"+strings.Join(c.ListenAddrs(), ","), nil)
	if err != nil {
		t.Fatalf("Open(kafka) = %v, want nil", err)
	}
	defer b.Close()
	if _, ok := b.(*eventkafka.Broker); !ok {
		t.Fatalf("Open(kafka) = %T, want *eventkafka.Broker", b)
	}
}
