package rest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/page"
)

// HandlerFunc is an HTTP handler that returns its error for the router to
// write as problem+json.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Router is a ServeMux that remembers its API routes so the OpenAPI document
// can be checked against them.
type Router struct {
	mux *http.ServeMux

	mu     sync.Mutex
	routes []string
}

// NewRouter returns an empty router.
func NewRouter() *Router { return &Router{mux: http.NewServeMux()} }

// Handle registers h for a ServeMux pattern such as "GET /api/v1/order/{id}".
func (rt *Router) Handle(pattern string, h HandlerFunc) {
	rt.mu.Lock()
	rt.routes = append(rt.routes, pattern)
	rt.mu.Unlock()
	rt.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if m, ok := r.Context().Value(keyRoute).(*matched); ok {
			m.pattern = pattern
		}
		if err := h(w, r); err != nil {
			Error(w, r, err)
		}
	})
}

// Mount registers a plain handler that is not part of the documented API
// (health checks, static files, metrics).
func (rt *Router) Mount(pattern string, h http.Handler) { rt.mux.Handle(pattern, h) }

// Routes returns the registered API patterns, sorted.
func (rt *Router) Routes() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := append([]string(nil), rt.routes...)
	sort.Strings(out)
	return out
}

// ServeHTTP dispatches to the registered handlers; an unmatched /api/ path
// gets a problem+json 404 or 405 rather than ServeMux's plain text.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := rt.mux.Handler(r)
	if pattern == "" && strings.HasPrefix(r.URL.Path, "/api/") {
		rec := &statusProbe{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
			writeProblem(w, r, Problem{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
				Detail: fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)})
			return
		}
		Error(w, r, apperr.New(apperr.KindNotFound, "route_not_found", "no such endpoint: %s %s", r.Method, r.URL.Path))
		return
	}
	rt.mux.ServeHTTP(w, r)
}

// statusProbe captures the status ServeMux would answer an unmatched request with.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(s int)           { p.status = s }

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies middleware so that the first listed runs first.
func Chain(h http.Handler, mw ...Middleware) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// matched records which API route pattern served a request.
type matched struct{ pattern string }

// Recorder is told about every finished request: its route pattern ("" when
// no API route matched), status and duration. Metrics use it.
type Recorder func(r *http.Request, route string, status int, took time.Duration)

// Observe gives every request an ID (an incoming X-Request-ID of sane shape
// is kept), a request-scoped logger, an access log line, and turns a panic
// into a logged 500 "internal error".
func Observe(log *slog.Logger) Middleware { return ObserveWith(log, nil) }

// ObserveWith is Observe that also reports every finished request to rec.
func ObserveWith(log *slog.Logger, rec Recorder) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rid := r.Header.Get("X-Request-ID")
			if !saneID(rid) {
				b := make([]byte, 8)
				_, _ = rand.Read(b)
				rid = hex.EncodeToString(b)
			}
			w.Header().Set("X-Request-ID", rid)
			l := log.With("request_id", rid)
			route := &matched{}
			ctx := context.WithValue(context.WithValue(WithLogger(r.Context(), l), keyRequestID, rid), keyRoute, route)
			r = r.WithContext(ctx)
			sw := &statusWriter{ResponseWriter: w}
			start := time.Now()
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					l.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					if !sw.wrote {
						Error(sw, r, fmt.Errorf("panic: %v", p))
					}
				}
				took := time.Since(start)
				l.LogAttrs(ctx, slog.LevelInfo, "http",
					slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.Int("status", sw.code()), slog.Duration("took", took))
				if rec != nil {
					rec(r, route.pattern, sw.code(), took)
				}
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

func saneID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(s int) {
	if !w.wrote {
		w.status, w.wrote = s, true
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush sends what was written so far (gRPC server streams flush each
// message; connect requires the writer to be an http.Flusher).
func (w *statusWriter) Flush() {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Limit parses the "limit" query parameter: page.DefaultLimit when absent,
// an error when not an integer in 1..page.MaxLimit.
func Limit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return page.DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > page.MaxLimit {
		return 0, apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "limit", Message: page.LimitRule})
	}
	return n, nil
}
