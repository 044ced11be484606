// Package eventbroker opens the event.Broker a URL names, so that the
// composition root picks a driver by configuration. It lives outside
// package event, which the drivers import.
package eventbroker

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventamqp"
	"github.com/bazaar-market/bazaar/internal/event/eventkafka"
	"github.com/bazaar-market/bazaar/internal/event/eventnats"
)

// Schemes lists the URL schemes Open accepts.
const Schemes = "nats://, amqp://, amqps:// or kafka://host:port[,host:port]"

// Open opens the broker rawURL names, with each driver's default options
// and log for its errors:
//
//	""                       nil, nil: in process (the caller uses its default)
//	nats://host:4222         eventnats (JetStream)
//	amqp://user:pw@host/vh   eventamqp (RabbitMQ); amqps:// for TLS
//	kafka://host:9092[,...]  eventkafka
//
// Errors never show the URL's password.
func Open(ctx context.Context, rawURL string, log *slog.Logger) (event.Broker, error) {
	if rawURL == "" {
		return nil, nil
	}
	scheme, _, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, fmt.Errorf("event broker url: no scheme (want %s, or empty for in process)", Schemes)
	}
	scheme = strings.ToLower(scheme)
	shown := scheme + "://…"
	if scheme != "kafka" { // a kafka URL may list several hosts: eventkafka parses it
		u, err := url.Parse(rawURL)
		if err != nil { // url's error would repeat the URL, password and all
			return nil, fmt.Errorf("event broker url (%s): does not parse; percent-encode reserved characters in the user and password", shown)
		}
		shown = u.Redacted()
	}
	switch scheme {
	case "nats":
		b, err := eventnats.Open(ctx, rawURL, eventnats.Options{Logger: log})
		if err != nil {
			return nil, fmt.Errorf("event broker %s: %w", shown, err)
		}
		return b, nil
	case "amqp", "amqps":
		b, err := eventamqp.Open(ctx, rawURL, eventamqp.Options{Logger: log})
		if err != nil {
			return nil, fmt.Errorf("event broker %s: %w", shown, err)
		}
		return b, nil
	case "kafka":
		seeds, err := eventkafka.ParseURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("event broker %s: %w", shown, err)
		}
		b, err := eventkafka.Open(ctx, seeds, eventkafka.Options{Logger: log})
		if err != nil {
			return nil, fmt.Errorf("event broker %s: %w", shown, err)
		}
		return b, nil
	default:
		return nil, fmt.Errorf("event broker url: scheme %q not supported (want %s, or empty for in process)", scheme, Schemes)
	}
}
