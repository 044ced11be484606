package eventbroker

import (
	"strings"
	"testing"
)

func TestNamespace(t *testing.T) {
	for _, c := range []struct {
		in, url, ns string
		bad         bool
	}{
		{in: "nats://h:4222", url: "nats://h:4222"},
		{in: "nats://h:4222?namespace=shop_1", url: "nats://h:4222", ns: "shop_1"},
		{in: "amqp://u:p@h/?namespace=a-b&heartbeat=10", url: "amqp://u:p@h/?heartbeat=10", ns: "a-b"},
		{in: "nats://h?namespace=a.b", bad: true},
		{in: "nats://h?namespace=" + strings.Repeat("x", 65), bad: true},
	} {
		url, ns, err := namespace(c.in)
		if (err != nil) != c.bad || !c.bad && (url != c.url || ns != c.ns) {
			t.Errorf("namespace(%q) = %q, %q, %v; want %q, %q (error: %v)", c.in, url, ns, err, c.url, c.ns, c.bad)
		}
	}
}
