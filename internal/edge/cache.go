package edge

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Cache is the HTTP caching policy of API answers.
type Cache struct {
	// Public says which requests have answers the same for everyone (the
	// catalog, categories, search, reviews, a product's recommendations):
	// those of anonymous GETs get an ETag and Cache-Control public.
	Public func(r *http.Request) bool
	// MaxAge is how long a browser may reuse a public answer (60 s),
	// SharedMaxAge a CDN (300 s), StaleWhileRevalidate how long past that
	// either may serve it while fetching a fresh one (600 s).
	MaxAge, SharedMaxAge, StaleWhileRevalidate time.Duration
	// MaxBody is the largest answer buffered to hash (4 MiB); larger ones
	// are sent without an ETag.
	MaxBody int
	// Fresh, when positive, keeps each public answer in memory that long
	// and answers the same request from it (a 304 or the body) without
	// running the handler: a micro-cache for a server without a CDN in
	// front. Answers may then be that much out of date. Zero: off.
	Fresh time.Duration
	// MaxEntries bounds the micro-cache (10,000 answers).
	MaxEntries int
}

// cached is one public answer of the micro-cache.
type cached struct {
	etag, ctype string
	body        []byte
	expires     time.Time
}

type microCache struct {
	mu      sync.Mutex
	entries map[string]cached
	max     int
}

func (m *microCache) get(key string, now time.Time) (cached, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || !now.Before(e.expires) {
		return cached{}, false
	}
	return e, true
}

func (m *microCache) put(key string, e cached, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) >= m.max {
		for k, old := range m.entries {
			if !now.Before(old.expires) {
				delete(m.entries, k)
			}
		}
		if len(m.entries) >= m.max {
			clear(m.entries)
		}
	}
	m.entries[key] = e
}

// PublicReads is the Public rule of the REST doors: the GET routes of the
// catalog (products, a product and its reviews and recommendations),
// categories, search and reviews, except a user's own review.
func PublicReads(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	switch {
	case p == "/api/v1/product", p == "/api/v1/category", p == "/api/v1/search", p == "/api/v1/search/suggest", p == "/api/v1/review":
		return true
	case strings.HasPrefix(p, "/api/v1/category/"), strings.HasPrefix(p, "/api/v1/review/"):
		return !strings.Contains(p[len("/api/v1/"):], "/mine")
	case strings.HasPrefix(p, "/api/v1/product/"):
		rest := strings.Split(p[len("/api/v1/product/"):], "/")
		switch {
		case len(rest) == 1:
			return rest[0] != ""
		case len(rest) == 2:
			return rest[1] == "review" || rest[1] == "recommendation"
		}
	}
	return false
}

// private reports whether r carries a credential: a bearer token, a cart
// token or cookie, a session cookie. Such answers are never shared.
func private(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" || r.Header.Get("X-Cart-Token") != "" {
		return true
	}
	for _, c := range r.Cookies() {
		if c.Name == "cart_token" {
			return true
		}
	}
	return false
}

func (c *Cache) defaults() {
	if c.MaxAge == 0 {
		c.MaxAge = time.Minute
	}
	if c.SharedMaxAge == 0 {
		c.SharedMaxAge = 5 * time.Minute
	}
	if c.StaleWhileRevalidate == 0 {
		c.StaleWhileRevalidate = 10 * time.Minute
	}
	if c.MaxBody == 0 {
		c.MaxBody = 4 << 20
	}
	if c.Public == nil {
		c.Public = PublicReads
	}
	if c.MaxEntries == 0 {
		c.MaxEntries = 10_000
	}
}

// Middleware applies the policy to API requests. Public answers (200 to an
// anonymous GET or HEAD of a Public route) get a strong ETag (a hash of
// the body), Cache-Control public with max-age, s-maxage and
// stale-while-revalidate, Vary: Accept-Encoding, and a 304 when
// If-None-Match matches. Every other API answer gets Cache-Control:
// no-store, as does any answer setting a cookie. An answer that set its
// own Cache-Control to a request without credentials keeps it, and a
// Public route's handler that says no-store or private is obeyed.
func (c Cache) Middleware(next http.Handler) http.Handler {
	c.defaults()
	public := "public, max-age=" + strconv.Itoa(int(c.MaxAge.Seconds())) + ", s-maxage=" + strconv.Itoa(int(c.SharedMaxAge.Seconds())) +
		", stale-while-revalidate=" + strconv.Itoa(int(c.StaleWhileRevalidate.Seconds()))
	var micro *microCache
	if c.Fresh > 0 {
		micro = &microCache{entries: make(map[string]cached), max: c.MaxEntries}
	}
	// answer sends a public answer: 304 when If-None-Match names it.
	answer := func(w http.ResponseWriter, r *http.Request, e cached) {
		h := w.Header()
		h.Set("ETag", e.etag)
		h.Set("Cache-Control", public)
		addVary(h, "Accept-Encoding")
		addVary(h, "Authorization") // a signed-in caller is answered apart
		if tag, ok := etagMatch(r.Header.Get("If-None-Match"), e.etag); ok {
			h.Del("Content-Type")
			h.Del("Content-Length")
			h.Set("ETag", tag) // the tag the client holds, its encoding's
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if e.ctype != "" {
			h.Set("Content-Type", e.ctype)
		}
		h.Set("Content-Length", strconv.Itoa(len(e.body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(e.body)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !IsAPI(r) || isStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		priv := private(r)
		if priv || (r.Method != http.MethodGet && r.Method != http.MethodHead) || !c.Public(r) {
			next.ServeHTTP(&noStoreWriter{ResponseWriter: w, keepOwn: !priv && (r.Method == http.MethodGet || r.Method == http.MethodHead)}, r)
			return
		}
		if micro != nil {
			if e, ok := micro.get(r.URL.RequestURI(), time.Now()); ok {
				answer(w, r, e)
				return
			}
		}
		b := &bufferWriter{ResponseWriter: w, max: c.MaxBody, status: http.StatusOK}
		next.ServeHTTP(b, r)
		if b.passed {
			return // too large to buffer: already streamed as it came
		}
		h := w.Header()
		// A handler that marked its answer private or no-store knows it
		// depends on the caller: it stays so.
		own := h.Get("Cache-Control")
		if strings.Contains(own, "no-store") || strings.Contains(own, "private") {
			w.WriteHeader(b.status)
			_, _ = w.Write(b.buf.Bytes())
			return
		}
		if b.status != http.StatusOK || h.Get("Set-Cookie") != "" {
			if h.Get("Set-Cookie") != "" || h.Get("Cache-Control") == "" {
				h.Set("Cache-Control", "no-store")
			}
			w.WriteHeader(b.status)
			_, _ = w.Write(b.buf.Bytes())
			return
		}
		sum := sha256.Sum256(b.buf.Bytes())
		e := cached{etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`, ctype: h.Get("Content-Type"), body: b.buf.Bytes()}
		if micro != nil {
			e.body = bytes.Clone(e.body)
			e.expires = time.Now().Add(c.Fresh)
			micro.put(r.URL.RequestURI(), e, time.Now())
		}
		answer(w, r, e)
	})
}

// etagMatch is If-None-Match's weak comparison of header against etag; a
// tag Compress derived for an encoding ("...-gzip") matches too. It
// returns the tag that matched.
func etagMatch(header, etag string) (string, bool) {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" {
			return etag, true
		}
		base := t
		for _, enc := range []string{"-gzip\"", "-zstd\""} {
			if s, ok := strings.CutSuffix(t, enc); ok {
				base = s + `"`
			}
		}
		if base == etag {
			return t, true
		}
	}
	return "", false
}

func addVary(h http.Header, v string) {
	for _, have := range h.Values("Vary") {
		for t := range strings.SplitSeq(have, ",") {
			if strings.EqualFold(strings.TrimSpace(t), v) {
				return
			}
		}
	}
	h.Add("Vary", v)
}

// noStoreWriter sets Cache-Control: no-store on the answer when it is
// written, unless keepOwn and the handler chose its own (and sets no
// cookie).
type noStoreWriter struct {
	http.ResponseWriter
	keepOwn bool
	done    bool
}

func (n *noStoreWriter) WriteHeader(code int) {
	if !n.done {
		n.done = true
		h := n.Header()
		if !n.keepOwn || h.Get("Cache-Control") == "" || h.Get("Set-Cookie") != "" {
			h.Set("Cache-Control", "no-store")
		}
	}
	n.ResponseWriter.WriteHeader(code)
}

func (n *noStoreWriter) Write(p []byte) (int, error) {
	if !n.done {
		n.WriteHeader(http.StatusOK)
	}
	return n.ResponseWriter.Write(p)
}

func (n *noStoreWriter) Flush() {
	if !n.done {
		n.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(n.ResponseWriter).Flush()
}

func (n *noStoreWriter) Unwrap() http.ResponseWriter { return n.ResponseWriter }

// bufferWriter holds an answer up to max bytes; past that it sends what
// it holds and passes the rest through.
type bufferWriter struct {
	http.ResponseWriter
	max    int
	status int
	wrote  bool
	passed bool
	buf    bytes.Buffer
}

func (b *bufferWriter) WriteHeader(code int) {
	if !b.wrote {
		b.wrote = true
		b.status = code
	}
}

func (b *bufferWriter) Write(p []byte) (int, error) {
	if !b.wrote {
		b.WriteHeader(http.StatusOK)
	}
	if b.passed {
		return b.ResponseWriter.Write(p)
	}
	if b.buf.Len()+len(p) > b.max {
		b.passed = true
		h := b.Header()
		if h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", "no-store")
		}
		b.ResponseWriter.WriteHeader(b.status)
		if _, err := b.ResponseWriter.Write(b.buf.Bytes()); err != nil {
			return 0, err
		}
		b.buf.Reset()
		return b.ResponseWriter.Write(p)
	}
	return b.buf.Write(p)
}

func (b *bufferWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }
