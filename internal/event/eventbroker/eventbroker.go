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
	"time"

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
// A "namespace" query parameter (letters, digits, - and _) keeps one
// deployment's events apart from another's on a shared broker: the NATS
// stream is named after it and its subjects start with "<namespace>.events";
// the RabbitMQ exchange and the Kafka topic are "<namespace>.events".
//
// Errors never show the URL's password.
func Open(ctx context.Context, rawURL string, log *slog.Logger) (event.Broker, error) {
	if rawURL == "" {
		return nil, nil
	}
	rawURL, ns, err := namespace(rawURL)
	if err != nil {
		return nil, err
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
		opts := eventnats.Options{Logger: log,
			// A member's batch stays its own while its handler runs (it
			// reports progress), so a short AckWait only shortens how
			// long a crashed member's batch waits for another.
			AckWait: 15 * time.Second, LeaseTTL: 10 * time.Second}
		if ns != "" {
			opts.Stream, opts.SubjectPrefix = ns, ns+".events"
		}
		b, err := eventnats.Open(ctx, rawURL, opts)
		if err != nil {
			return nil, fmt.Errorf("event broker %s: %w", shown, err)
		}
		return b, nil
	case "amqp", "amqps":
		opts := eventamqp.Options{Logger: log}
		if ns != "" {
			opts.Exchange = ns + ".events"
		}
		b, err := eventamqp.Open(ctx, rawURL, opts)
		if err != nil {
			return nil, fmt.Errorf("event broker %s: %w", shown, err)
		}
		return b, nil
	case "kafka":
		seeds, err := eventkafka.ParseURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("event broker %s: %w", shown, err)
		}
		opts := eventkafka.Options{Logger: log}
		if ns != "" {
			opts.Topic = ns + ".events"
		}
		b, err := eventkafka.Open(ctx, seeds, opts)
		if err != nil {
			return nil, fmt.Errorf("event broker %s: %w", shown, err)
		}
		return b, nil
	default:
		return nil, fmt.Errorf("event broker url: scheme %q not supported (want %s, or empty for in process)", scheme, Schemes)
	}
}

// namespace takes the "namespace" query parameter out of rawURL.
func namespace(rawURL string) (string, string, error) {
	base, query, ok := strings.Cut(rawURL, "?")
	if !ok {
		return rawURL, "", nil
	}
	vals, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("event broker url: the query does not parse")
	}
	ns := vals.Get("namespace")
	vals.Del("namespace")
	if ns != "" && !validNamespace(ns) {
		return "", "", fmt.Errorf("event broker url: namespace %q: use 1 to 64 letters, digits, - and _", ns)
	}
	if len(vals) > 0 {
		base += "?" + vals.Encode()
	}
	return base, ns, nil
}

func validNamespace(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
