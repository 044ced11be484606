package server

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/live"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// businessTopics are counted as they are delivered (at least once: a
// redelivery after a crash counts again, so these are rates, not ledgers).
var businessTopics = []string{
	"account.user.registered.v1", "account.seller.created.v1",
	"catalog.product.created.v1",
	"order.placed.v1", "order.paid.v1", "order.cancelled.v1", "order.delivered.v1",
	"payment.succeeded.v1", "payment.failed.v1", "payment.refunded.v1",
	"shipment.created.v1", "shipment.status_changed.v1",
}

// metrics is the server's Prometheus registry, served at /metrics.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	events   *prometheus.CounterVec
}

func newMetrics(db *sqldb.DB, bus event.Subscriber, srch *search.Service, replica string, hub *live.Hub) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bazaar_http_requests_total",
			Help: "HTTP requests by method, API route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bazaar_http_request_duration_seconds",
			Help:    "HTTP request latency by method and API route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bazaar_events_delivered_total",
			Help: "Business events delivered by the outbox relay, by topic.",
		}, []string{"topic"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.events,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		outboxCollector{db: db},
		searchCollector{db: db, svc: srch, replica: replica},
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "bazaar_live_sockets",
			Help: "Live-update WebSockets open on this process.",
		}, func() float64 { return float64(hub.Subscribers()) }),
	)
	for name, pool := range db.Pools() {
		m.reg.MustRegister(collectors.NewDBStatsCollector(pool, "bazaar_"+name))
	}
	for _, topic := range businessTopics {
		bus.Subscribe("metrics", topic, func(ctx context.Context, e event.Event) error {
			m.events.WithLabelValues(e.Topic).Inc()
			return nil
		})
	}
	return m
}

// record is the rest.Recorder: requests that matched no API route are
// labelled "unmatched" so that scanners cannot blow up the label space.
func (m *metrics) record(r *http.Request, route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(r.Method, route, strconv.Itoa(status)).Inc()
	if status == http.StatusSwitchingProtocols {
		return // a WebSocket's lifetime, not a latency
	}
	m.duration.WithLabelValues(r.Method, route).Observe(took.Seconds())
}

var _ rest.Recorder = (*metrics)(nil).record

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// outboxCollector reports the outbox backlog at scrape time: how many events
// wait for delivery and how old the oldest is (the relay's lag).
type outboxCollector struct{ db *sqldb.DB }

var (
	outboxPending = prometheus.NewDesc("bazaar_outbox_pending_events",
		"Events committed but not yet delivered to every subscriber.", nil, nil)
	outboxLag = prometheus.NewDesc("bazaar_outbox_lag_seconds",
		"Age of the oldest undelivered event (0 when none).", nil, nil)
	consumerRetrying = prometheus.NewDesc("bazaar_event_retrying",
		"Events a consumer has not applied yet because they failed or wait behind one that did, by consumer.", []string{"consumer"}, nil)
	consumerDead = prometheus.NewDesc("bazaar_event_dead_letters",
		"Events a consumer gave up on (dead letters waiting for an admin's replay), by consumer.", []string{"consumer"}, nil)
)

func (c outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxPending
	ch <- outboxLag
	ch <- consumerRetrying
	ch <- consumerDead
}

func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var n int64
	var oldest sql.NullInt64
	if err := c.db.Read().QueryRowContext(ctx,
		`SELECT COUNT(*), MIN(created_at) FROM event_outbox WHERE published_at IS NULL`).Scan(&n, &oldest); err != nil {
		ch <- prometheus.NewInvalidMetric(outboxPending, err)
		return
	}
	lag := 0.0
	if oldest.Valid {
		lag = time.Since(sqldb.Time(oldest.Int64)).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(outboxPending, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(outboxLag, prometheus.GaugeValue, lag)
	rows, err := c.db.Read().QueryContext(ctx, `SELECT consumer, status, COUNT(*) FROM event_retry GROUP BY consumer, status`)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(consumerRetrying, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var consumer, status string
		var n int64
		if err := rows.Scan(&consumer, &status, &n); err != nil {
			ch <- prometheus.NewInvalidMetric(consumerRetrying, err)
			return
		}
		desc := consumerRetrying
		if status == "dead" {
			desc = consumerDead
		}
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(n), consumer)
	}
}

// searchCollector reports the search index: its documents, and the refresh
// queue's backlog and lag (how far search trails the catalog and stock).
type searchCollector struct {
	db      *sqldb.DB
	svc     *search.Service
	replica string
}

var (
	searchDocs = prometheus.NewDesc("bazaar_search_documents",
		"Products in the search index.", nil, nil)
	searchPending = prometheus.NewDesc("bazaar_search_pending_products",
		"Products changed but not yet refreshed in the search index.", nil, nil)
	searchLag = prometheus.NewDesc("bazaar_search_lag_seconds",
		"How long the longest-waiting product has waited for its refresh (0 when none).", nil, nil)
)

func (c searchCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- searchDocs
	ch <- searchPending
	ch <- searchLag
}

func (c searchCollector) Collect(ch chan<- prometheus.Metric) {
	if n, err := c.svc.Count(); err != nil {
		ch <- prometheus.NewInvalidMetric(searchDocs, err)
	} else {
		ch <- prometheus.MustNewConstMetric(searchDocs, prometheus.GaugeValue, float64(n))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var n int64
	var oldest sql.NullInt64
	if err := c.db.Read().QueryRowContext(ctx, `SELECT COUNT(*), MIN(queued_at) FROM search_pending WHERE replica = $1`, c.replica).Scan(&n, &oldest); err != nil {
		ch <- prometheus.NewInvalidMetric(searchPending, err)
		return
	}
	lag := 0.0
	if oldest.Valid {
		lag = max(time.Since(sqldb.Time(oldest.Int64)).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(searchPending, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(searchLag, prometheus.GaugeValue, lag)
}
