package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServeWebUI checks, through the real server, that / answers the web UI
// (or the page saying how to build it), that app routes fall back to it, and
// that the API, health checks and API 404s are as they were.
func TestServeWebUI(t *testing.T) {
	_, base := boot(t, "")
	tests := []struct {
		path, contentType, bodyHas string
		status                     int
	}{
		{"/", "text/html", "<html", 200},
		{"/p/some-product", "text/html", "<html", 200},
		{"/healthz", "application/json", `"status":"ok"`, 200},
		{"/api/v1/category", "application/json", `"items"`, 200},
		{"/api/v1/no-such-route", "application/problem+json", `"route_not_found"`, 404},
	}
	for _, tt := range tests {
		res, err := http.Get(base + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status || !strings.HasPrefix(res.Header.Get("Content-Type"), tt.contentType) || !strings.Contains(string(body), tt.bodyHas) {
			t.Errorf("GET %s = %d %s %.200q; want %d %s containing %q", tt.path, res.StatusCode, res.Header.Get("Content-Type"), body, tt.status, tt.contentType, tt.bodyHas)
		}
	}
}
