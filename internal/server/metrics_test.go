package server_test

import (
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	_, base := boot(t, "")
	c := client{t: t, base: base}
	c.must(200, "GET", "/api/v1/product", nil)
	c.must(200, "GET", "/api/v1/product", nil)
	c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "m@example.com", "password": "metrics-pass-1", "name": "M", "role": "customer"})
	eventually(t, "the registration event counted", func() string {
		if !strings.Contains(string(c.do("GET", "/metrics", nil).body), `bazaar_events_delivered_total{topic="account.user.registered.v1"} 1`) {
			return "no account.user.registered.v1 count of 1 in /metrics"
		}
		return ""
	})
	c.problem(404, "not_found", "GET", "/api/v1/product/prd_missing", nil)
	c.problem(404, "route_not_found", "GET", "/api/v1/no/such/thing", nil)
	r := c.do("GET", "/metrics", nil)
	if r.status != 200 {
		t.Fatalf("GET /metrics = %d", r.status)
	}
	body := string(r.body)
	for _, want := range []string{
		`bazaar_http_requests_total{code="200",method="GET",route="GET /api/v1/product"} 2`,
		`bazaar_http_requests_total{code="404",method="GET",route="GET /api/v1/product/{id}"} 1`,
		`bazaar_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`bazaar_http_request_duration_seconds_count{method="GET",route="GET /api/v1/product"} 2`,
		"bazaar_outbox_pending_events ",
		"bazaar_outbox_lag_seconds ",
		"bazaar_search_documents ",
		"bazaar_search_pending_products ",
		"bazaar_search_lag_seconds ",
		"bazaar_live_sockets 0",
		`go_sql_max_open_connections{db_name="bazaar_write"} 1`, // SQLite: one writer
		`go_sql_open_connections{db_name="bazaar_read"}`,
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "prd_missing") || strings.Contains(body, "/no/such/thing") {
		t.Error("/metrics labels requests by raw path; want route patterns only")
	}
}
