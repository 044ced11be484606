package idempotency_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/edge"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/idempotency"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestIdempotencyKey(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if err := idempotency.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		var effects atomic.Int64
		var failNext atomic.Bool
		r := rest.NewRouter()
		r.Handle("POST /api/v1/order", func(w http.ResponseWriter, r *http.Request) error {
			time.Sleep(30 * time.Millisecond) // long enough for concurrent duplicates to overlap
			if failNext.Swap(false) {
				return fmt.Errorf("database went away")
			}
			n := effects.Add(1)
			w.Header().Set("Location", fmt.Sprintf("/api/v1/order/ord_%d", n))
			rest.JSON(w, http.StatusCreated, map[string]any{"id": fmt.Sprintf("ord_%d", n), "at": time.Now().UnixNano()})
			return nil
		})
		// Fake authentication: the X-User header names the caller.
		withUser := func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if u := r.Header.Get("X-User"); u != "" {
					r = r.WithContext(auth.With(r.Context(), auth.Principal{UserID: id.User(u), Role: auth.Customer}))
				}
				next.ServeHTTP(w, r)
			})
		}
		h := rest.Chain(r, rest.Observe(slog.New(slog.NewTextHandler(io.Discard, nil))), withUser, idempotency.New(db).Middleware)
		send := func(user, key, body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest("POST", "/api/v1/order", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-User", user)
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}

		// 10 at once: one effect; the others see 409 in-use or the replay.
		var wg sync.WaitGroup
		codes := make([]int, 10)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = send("usr_a", "k1", `{"cart":1}`).Code
			}()
		}
		wg.Wait()
		if n := effects.Load(); n != 1 {
			t.Fatalf("10 concurrent requests with one key made %d effects, want 1 (codes %v)", n, codes)
		}
		for _, c := range codes {
			if c != 201 && c != 409 {
				t.Errorf("concurrent duplicate answered %d, want 201 or 409 (codes %v)", c, codes)
			}
		}

		// 10 in a row: byte-for-byte replays with the header.
		first := send("usr_a", "k1", `{"cart":1}`)
		for range 10 {
			again := send("usr_a", "k1", `{"cart":1}`)
			if again.Code != 201 || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" ||
				again.Header().Get("Location") != "/api/v1/order/ord_1" {
				t.Fatalf("replay = %d %q %v, want 201 %q with Idempotent-Replayed and Location", again.Code, again.Body, again.Header(), first.Body)
			}
		}
		if n := effects.Load(); n != 1 {
			t.Errorf("replays made %d effects, want 1", n)
		}

		// Same key, different body: 422.
		if rec := send("usr_a", "k1", `{"cart":2}`); rec.Code != 422 || !strings.Contains(rec.Body.String(), "idempotency_key_reused") {
			t.Errorf("reused key with another body = %d %s, want 422 idempotency_key_reused", rec.Code, rec.Body)
		}
		// Another caller's identical key is its own.
		if rec := send("usr_b", "k1", `{"cart":1}`); rec.Code != 201 || rec.Header().Get("Idempotent-Replayed") != "" {
			t.Errorf("other user's key = %d %v, want a fresh 201", rec.Code, rec.Header())
		}
		// A 5xx is not stored: the retry runs again.
		failNext.Store(true)
		if rec := send("usr_a", "k2", `{}`); rec.Code != 500 {
			t.Fatalf("failing request = %d, want 500", rec.Code)
		}
		if rec := send("usr_a", "k2", `{}`); rec.Code != 201 || rec.Header().Get("Idempotent-Replayed") != "" {
			t.Errorf("retry after 500 = %d %v, want a fresh 201", rec.Code, rec.Header())
		}
		// No key: no idempotency.
		before := effects.Load()
		send("usr_a", "", `{}`)
		send("usr_a", "", `{}`)
		if effects.Load() != before+2 {
			t.Errorf("requests without a key made %d effects, want 2", effects.Load()-before)
		}
		if rec := send("usr_a", strings.Repeat("k", 256), `{}`); rec.Code != 400 {
			t.Errorf("256-character key = %d, want 400", rec.Code)
		}
	})
}

// TestStreamsPassThrough checks gRPC, gRPC-Web and streaming Connect calls
// are neither buffered nor replayed (their answers are frame streams with
// trailers), while a unary Connect call keeps the key's semantics.
func TestStreamsPassThrough(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if err := idempotency.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		var calls atomic.Int64
		h := idempotency.New(db).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := calls.Add(1)
			w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
			fmt.Fprintf(w, "call %d", n)
		}))
		send := func(ct string) string {
			req := httptest.NewRequest("POST", "/bazaar.order.v1.OrderService/PlaceOrder", strings.NewReader("{}"))
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Idempotency-Key", "k-"+ct)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Body.String() + " " + rec.Header().Get("Idempotent-Replayed")
		}
		for _, ct := range []string{"application/grpc", "application/grpc-web+proto", "application/connect+json"} {
			first, second := send(ct), send(ct)
			if first == second || strings.Contains(second, "true") {
				t.Errorf("%s twice with one key = %q then %q, want two calls, no replay", ct, first, second)
			}
		}
		first, second := send("application/json"), send("application/json")
		if !strings.HasPrefix(second, strings.TrimSpace(first)) || !strings.HasSuffix(second, "true") {
			t.Errorf("unary Connect JSON twice with one key = %q then %q, want the first answer replayed", first, second)
		}
	})
}

// TestReplayBehindCompressor checks a replay through the edge's
// compressor: the compressor's Content-Encoding describes its own output,
// not the body the key stored, so the replay must be a body the client can
// read (before, the stored "gzip" went out over plain JSON and a client
// retrying after a crash could never read its answer).
func TestReplayBehindCompressor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if err := idempotency.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		h := edge.Compress(idempotency.New(db).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rest.JSON(w, http.StatusCreated, map[string]string{"id": "ord_1", "padding": strings.Repeat("x", 4096)})
		})))
		srv := httptest.NewServer(h)
		defer srv.Close()
		for i := range 2 {
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/order", strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "compressed-1")
			res, err := http.DefaultClient.Do(req) // asks for gzip and decodes it
			if err != nil {
				t.Fatal(err)
			}
			var body map[string]string
			err = json.NewDecoder(res.Body).Decode(&body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusCreated || body["id"] != "ord_1" {
				t.Fatalf("attempt %d = %d, %v, %v (replayed %q)", i+1, res.StatusCode, body["id"], err, res.Header.Get("Idempotent-Replayed"))
			}
			if i == 1 && res.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("the second attempt was not a replay")
			}
		}
	})
}
