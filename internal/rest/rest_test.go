package rest_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/rest"
)

type widget struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func newAPI() http.Handler {
	r := rest.NewRouter()
	r.Handle("POST /api/v1/widget", func(w http.ResponseWriter, r *http.Request) error {
		var in widget
		if err := rest.Decode(w, r, &in); err != nil {
			return err
		}
		var f apperr.Fields
		f.Check(in.Name != "", "name", "is required")
		f.Check(in.Count >= 0, "count", "must not be negative")
		if err := f.Err(); err != nil {
			return err
		}
		rest.JSON(w, http.StatusCreated, in)
		return nil
	})
	r.Handle("GET /api/v1/boom", func(w http.ResponseWriter, r *http.Request) error {
		return errors.New("pq: secret connection string leaked")
	})
	r.Handle("GET /api/v1/panic", func(w http.ResponseWriter, r *http.Request) error {
		panic("kaboom")
	})
	r.Handle("GET /api/v1/slow-down", func(w http.ResponseWriter, r *http.Request) error {
		return apperr.RateLimited(90*time.Second, "too many attempts")
	})
	r.Handle("GET /api/v1/widget/{id}", func(w http.ResponseWriter, r *http.Request) error {
		return apperr.NotFound("widget %s not found", r.PathValue("id"))
	})
	return rest.Chain(r, rest.Observe(slog.New(slog.NewTextHandler(io.Discard, nil))))
}

func TestProblems(t *testing.T) {
	h := newAPI()
	tests := []struct {
		name, method, path, body, ctype string
		status                          int
		code                            string
		fields                          []string
		notContains                     string
	}{
		{name: "ok", method: "POST", path: "/api/v1/widget", body: `{"name":"a","count":1}`, status: 201},
		{name: "malformed", method: "POST", path: "/api/v1/widget", body: `{"name":`, status: 400, code: "malformed_json"},
		{name: "syntax", method: "POST", path: "/api/v1/widget", body: `{"name" "a"}`, status: 400, code: "malformed_json"},
		{name: "empty", method: "POST", path: "/api/v1/widget", body: ``, status: 400, code: "empty_body"},
		{name: "unknown field", method: "POST", path: "/api/v1/widget", body: `{"name":"a","price":1}`, status: 400, code: "unknown_field", fields: []string{"price"}},
		{name: "wrong type", method: "POST", path: "/api/v1/widget", body: `{"name":"a","count":"many"}`, status: 400, code: "validation_failed", fields: []string{"count"}},
		{name: "trailing data", method: "POST", path: "/api/v1/widget", body: `{"name":"a"} {}`, status: 400, code: "malformed_json"},
		{name: "validation", method: "POST", path: "/api/v1/widget", body: `{"count":-1}`, status: 400, code: "validation_failed", fields: []string{"name", "count"}},
		{name: "not json", method: "POST", path: "/api/v1/widget", body: `name=a`, ctype: "application/x-www-form-urlencoded", status: 400, code: "unsupported_media_type"},
		{name: "too large", method: "POST", path: "/api/v1/widget", body: `{"name":"` + strings.Repeat("x", rest.MaxBody) + `"}`, status: 413, code: "body_too_large"},
		{name: "internal hides detail", method: "GET", path: "/api/v1/boom", status: 500, code: "internal", notContains: "secret"},
		{name: "panic", method: "GET", path: "/api/v1/panic", status: 500, code: "internal", notContains: "kaboom"},
		{name: "rate limited", method: "GET", path: "/api/v1/slow-down", status: 429, code: "rate_limited"},
		{name: "not found", method: "GET", path: "/api/v1/widget/w1", status: 404, code: "not_found"},
		{name: "unknown route", method: "GET", path: "/api/v1/nope", status: 404, code: "route_not_found"},
		{name: "wrong method", method: "DELETE", path: "/api/v1/widget", status: 405, code: "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("%s %s = %d, want %d; body %s", tt.method, tt.path, rec.Code, tt.status, rec.Body)
			}
			if rec.Header().Get("X-Request-ID") == "" {
				t.Error("no X-Request-ID header")
			}
			if tt.code == "" {
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q, want application/problem+json", ct)
			}
			if tt.notContains != "" && strings.Contains(rec.Body.String(), tt.notContains) {
				t.Errorf("body %s leaks %q", rec.Body, tt.notContains)
			}
			var p rest.Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("decode problem: %v", err)
			}
			if p.Code != tt.code || p.Status != tt.status || p.Type != "urn:bazaar:problem:"+tt.code || p.Title == "" || p.Detail == "" {
				t.Errorf("problem = %+v, want code %s status %d with type, title and detail", p, tt.code, tt.status)
			}
			var fields []string
			for _, f := range p.Errors {
				fields = append(fields, f.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("field errors = %v, want %v", fields, tt.fields)
			}
			if tt.status == 429 && rec.Header().Get("Retry-After") != "90" {
				t.Errorf("Retry-After = %q, want 90", rec.Header().Get("Retry-After"))
			}
		})
	}
}

func TestLimit(t *testing.T) {
	for q, want := range map[string]int{"": 20, "limit=5": 5, "limit=100": 100, "limit=0": -1, "limit=101": -1, "limit=x": -1} {
		n, err := rest.Limit(httptest.NewRequest("GET", "/?"+q, nil))
		if want < 0 && err == nil || want >= 0 && (err != nil || n != want) {
			t.Errorf("Limit(%q) = %d, %v; want %d", q, n, err, want)
		}
	}
}
