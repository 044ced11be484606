// Package idempotency gives every mutating API call Stripe's Idempotency-Key
// semantics. The first response for a (caller, key) pair is stored and
// replayed byte for byte, with "Idempotent-Replayed: true", for 24 hours; the
// same key with a different request is refused (422 idempotency_key_reused);
// a duplicate that arrives while the first is still running is refused with
// 409 idempotency_key_in_use and is safe to retry.
//
// Keys are scoped to the caller: the signed-in user, or for guests their cart
// token, else their IP address. Server errors (5xx) are not stored, so the
// client's retry runs again; every use case is one transaction, so a failed
// attempt left nothing behind.
//
// Table: idempotency_keys.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/reqctx"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates the key table.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, _ := fs.Sub(migrations, "migrations")
	return db.Migrate(ctx, "idempotency", sub)
}

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// Keys stores responses by key.
type Keys struct {
	db  *sqldb.DB
	now func() time.Time
	// TTL is how long a response is replayed.
	TTL time.Duration
	// Lock is how long a running request holds its key; a request that died
	// mid-way (a crash) frees its key after this.
	Lock time.Duration
	// ErrorWriter answers a request the middleware refuses (a key too
	// long, a reused key, a body too large); rest.Error when nil. The
	// server passes one that answers RPCs in their own protocol.
	ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)
}

func (k *Keys) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if k.ErrorWriter != nil {
		k.ErrorWriter(w, r, err)
		return
	}
	rest.Error(w, r, err)
}

// New returns a key store on db.
func New(db *sqldb.DB) *Keys {
	return &Keys{db: db, now: time.Now, TTL: 24 * time.Hour, Lock: 30 * time.Second}
}

// replayed headers: what a client needs to read the replayed answer.
// Content-Encoding: the body is kept as written, so a handler that
// compressed it (connect does, for clients that accept gzip) is replayed
// with its encoding.
var kept = []string{"Content-Type", "Content-Encoding", "Location", "X-Cart-Token"}

// Middleware applies the key semantics to POST, PUT, PATCH and DELETE
// requests that carry an Idempotency-Key header. It must run after
// authentication so that keys are scoped to the caller. The key also goes
// into the request's context (reqctx.IdempotencyKey) for the use cases.
func (k *Keys) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(Header)
		if key == "" || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions || streaming(r) {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			k.refuse(w, r, apperr.Invalid("validation_failed", "the request has invalid fields",
				apperr.FieldError{Field: Header, Message: "must be at most 255 characters"}))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rest.MaxBody))
		if err != nil {
			k.refuse(w, r, apperr.New(apperr.KindTooLarge, "body_too_large", "the request body is over %d bytes", rest.MaxBody))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r = r.WithContext(reqctx.WithIdempotencyKey(r.Context(), key))
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
		fp := hex.EncodeToString(sum[:])
		scope := scopeOf(r)

		stored, err := k.begin(r.Context(), scope, key, fp)
		if err != nil {
			k.refuse(w, r, err)
			return
		}
		if stored != nil {
			for name, v := range stored.Headers {
				w.Header().Set(name, v)
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(stored.Status)
			_, _ = io.WriteString(w, stored.Body)
			return
		}

		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		completed := false
		defer func() {
			if !completed { // a panic: free the key so the client can retry
				k.abandon(context.WithoutCancel(r.Context()), scope, key)
			}
		}()
		next.ServeHTTP(rec, r)
		completed = true
		ctx := context.WithoutCancel(r.Context())
		if rec.status >= 500 {
			k.abandon(ctx, scope, key)
			return
		}
		h := rec.headers
		if h == nil { // nothing was written: no body, so no encoding to keep
			h = keptHeaders(w.Header())
			delete(h, "Content-Encoding")
		}
		if err := k.finish(ctx, scope, key, rec.status, h, rec.buf.String()); err != nil {
			rest.Logger(ctx).Error("store idempotent response", "err", err)
		}
	})
}

// streaming reports whether r is a gRPC or gRPC-Web call, or a Connect
// streaming one: their bodies and answers are streams of frames with
// trailers, which cannot be buffered and replayed, so they pass through
// (unary Connect calls, plain JSON or proto, keep the key's semantics).
func streaming(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/grpc") || strings.HasPrefix(ct, "application/connect+")
}

func scopeOf(r *http.Request) string {
	if p, ok := auth.From(r.Context()); ok {
		return "user:" + string(p.UserID)
	}
	if t := r.Header.Get("X-Cart-Token"); t != "" {
		sum := sha256.Sum256([]byte(t))
		return "cart:" + hex.EncodeToString(sum[:8])
	}
	if c, err := r.Cookie("cart_token"); err == nil && c.Value != "" {
		sum := sha256.Sum256([]byte(c.Value))
		return "cart:" + hex.EncodeToString(sum[:8])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "ip:" + host
}

// Response is a stored answer.
type Response struct {
	Status  int
	Headers map[string]string
	Body    string
}

// begin claims (scope, key) for this request. It returns a stored response to
// replay, nil to go ahead, or a conflict or reuse error.
func (k *Keys) begin(ctx context.Context, scope, key, fp string) (*Response, error) {
	now := k.now()
	var out *Response
	err := k.db.Tx(ctx, func(tx *sql.Tx) error {
		out = nil
		// An expired key, or a running one whose holder died, can be claimed again.
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND (expires_at < $3 OR (state = 'running' AND locked_until < $3))`,
			scope, key, sqldb.Micros(now)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO idempotency_keys (scope, key, fingerprint, state, locked_until, created_at, expires_at)
			VALUES ($1, $2, $3, 'running', $4, $5, $6) ON CONFLICT DO NOTHING`,
			scope, key, fp, sqldb.Micros(now.Add(k.Lock)), sqldb.Micros(now), sqldb.Micros(now.Add(k.TTL)))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var gotFP, state, headers, body string
		var status int
		if err := tx.QueryRowContext(ctx, `SELECT fingerprint, state, status, headers, body FROM idempotency_keys WHERE scope = $1 AND key = $2`,
			scope, key).Scan(&gotFP, &state, &status, &headers, &body); err != nil {
			return err
		}
		switch {
		case gotFP != fp:
			return apperr.Unprocessable("idempotency_key_reused", "this Idempotency-Key was used with a different request; use a new key")
		case state != "done":
			return apperr.Conflict("idempotency_key_in_use", "a request with this Idempotency-Key is still being processed; retry shortly")
		}
		out = &Response{Status: status, Body: body}
		return json.Unmarshal([]byte(headers), &out.Headers)
	})
	if err != nil {
		if apperr.KindOf(err) != apperr.KindInternal {
			return nil, err
		}
		return nil, fmt.Errorf("idempotency key: %w", err)
	}
	return out, nil
}

func (k *Keys) finish(ctx context.Context, scope, key string, status int, headers map[string]string, body string) error {
	h, _ := json.Marshal(headers)
	_, err := k.db.Exec(ctx, `UPDATE idempotency_keys SET state = 'done', status = $1, headers = $2, body = $3 WHERE scope = $4 AND key = $5`,
		status, string(h), body, scope, key)
	return err
}

func (k *Keys) abandon(ctx context.Context, scope, key string) {
	_, _ = k.db.Exec(ctx, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'running'`, scope, key)
}

// Purge deletes expired keys.
func (k *Keys) Purge(ctx context.Context) (int64, error) {
	res, err := k.db.Exec(ctx, `DELETE FROM idempotency_keys WHERE expires_at < $1`, sqldb.Micros(k.now()))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// keptHeaders returns the headers of h a replay sends.
func keptHeaders(h http.Header) map[string]string {
	out := make(map[string]string)
	for _, name := range kept {
		if v := h.Get(name); v != "" {
			out[name] = v
		}
	}
	return out
}

type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
	wrote  bool
	// headers are the kept headers as the handler set them, taken when it
	// first writes and before the writers around this middleware see the
	// answer: an outer compressor's Content-Encoding describes its own
	// output, not the body recorded here, and must not be replayed.
	headers map[string]string
}

func (r *recorder) snapshot() {
	if r.headers == nil {
		r.headers = keptHeaders(r.ResponseWriter.Header())
	}
}

func (r *recorder) WriteHeader(s int) {
	r.snapshot()
	if !r.wrote {
		r.status, r.wrote = s, true
	}
	r.ResponseWriter.WriteHeader(s)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.snapshot()
	r.wrote = true
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}
