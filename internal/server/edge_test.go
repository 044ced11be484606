package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"github.com/bazaar-market/bazaar/internal/server"
)

// rawGet sends one request without the client's transparent gzip.
func rawGet(t *testing.T, method, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

// testRedisURL is the real Redis the edge tests share limits through;
// without BAZAAR_TEST_REDIS_URL they skip (and fail under CI=true).
func testRedisURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("BAZAAR_TEST_REDIS_URL")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("BAZAAR_TEST_REDIS_URL is not set; CI must test against a real Redis")
		}
		t.Skip("BAZAAR_TEST_REDIS_URL not set: no Redis to share limits through")
	}
	return u
}

// TestEdgeChain: API answers carry the edge's headers (nosniff, RateLimit,
// caching), public reads get an ETag and a 304, private ones no-store,
// and the IP's bucket answers 429 problem+json with Retry-After.
func TestEdgeChain(t *testing.T) {
	_, base := bootConfig(t, server.Config{DataDir: t.TempDir(), Edge: server.Edge{RateIP: ratelimit.Bucket{Rate: 0.5, Burst: 8}}})
	res, _ := rawGet(t, "GET", base+"/api/v1/product", nil)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" || !strings.HasPrefix(res.Header.Get("Cache-Control"), "public, max-age=") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "s-maxage=") || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
		res.Header.Get("RateLimit-Limit") != "8" || res.Header.Get("RateLimit-Remaining") != "7" || res.Header.Get("RateLimit-Policy") != "8;w=16" {
		t.Fatalf("GET /api/v1/product: %d %v", res.StatusCode, res.Header)
	}
	if res, body := rawGet(t, "GET", base+"/api/v1/product", map[string]string{"If-None-Match": etag}); res.StatusCode != 304 || body != "" {
		t.Fatalf("If-None-Match: %d %q, want an empty 304", res.StatusCode, body)
	}
	if res, _ := rawGet(t, "GET", base+"/api/v1/product", map[string]string{"Authorization": "Bearer nope"}); res.StatusCode != 401 ||
		res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("with a bad token: %d %v, want 401 no-store nosniff", res.StatusCode, res.Header)
	}
	res, body := rawGet(t, "GET", base+"/api/v1/openapi.json", map[string]string{"Accept-Encoding": "zstd, gzip"})
	if res.Header.Get("Content-Encoding") != "zstd" || len(body) < 1000 {
		t.Fatalf("openapi.json with zstd accepted: Content-Encoding %q, %d bytes", res.Header.Get("Content-Encoding"), len(body))
	}
	var last *http.Response
	for range 10 {
		last, body = rawGet(t, "GET", base+"/api/v1/category", nil)
		if last.StatusCode == 429 {
			break
		}
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" || last.Header.Get("RateLimit-Remaining") != "0" ||
		!strings.Contains(last.Header.Get("Content-Type"), "problem+json") || !strings.Contains(body, `"code":"rate_limited"`) {
		t.Fatalf("past the IP's burst: %d %v %s, want 429 problem+json with Retry-After", last.StatusCode, last.Header, body)
	}
	// The web UI and probes are not rate-limited, and get the security
	// headers too.
	if res, _ := rawGet(t, "GET", base+"/healthz", nil); res.StatusCode != 200 {
		t.Fatalf("/healthz past the API limit: %d", res.StatusCode)
	}
	if res, _ := rawGet(t, "GET", base+"/", nil); res.Header.Get("X-Content-Type-Options") != "nosniff" ||
		res.Header.Get("X-Frame-Options") != "DENY" || res.Header.Get("Referrer-Policy") == "" {
		t.Fatalf("web UI headers: %v", res.Header)
	}
}

// TestEdgeRedisShared: two processes on one Redis share the buckets.
func TestEdgeRedisShared(t *testing.T) {
	url := testRedisURL(t)
	edge := server.Edge{RedisURL: url, RedisPrefix: fmt.Sprintf("test:%s:%d:", t.Name(), time.Now().UnixNano()),
		RateIP: ratelimit.Bucket{Rate: 0.01, Burst: 4}}
	db := filepath.Join(t.TempDir(), "a")
	_, a := bootConfig(t, server.Config{DataDir: db, Edge: edge})
	_, b := bootConfig(t, server.Config{DataDir: t.TempDir(), Edge: edge})
	var got []int
	for _, base := range []string{a, b, a, b, a, b} {
		res, _ := rawGet(t, "GET", base+"/api/v1/category", nil)
		got = append(got, res.StatusCode)
	}
	if fmt.Sprint(got) != "[200 200 200 200 429 429]" {
		t.Fatalf("statuses across two processes sharing a bucket of 4 = %v, want four 200s then 429s", got)
	}

	// The sign-in backoff is shared too: three failures at one process,
	// and the fourth try at the other must wait.
	edge.RedisPrefix += "signin:"
	edge.RateIP = ratelimit.Bucket{}
	_, a = bootConfig(t, server.Config{DataDir: t.TempDir(), Edge: edge})
	_, b = bootConfig(t, server.Config{DataDir: t.TempDir(), Edge: edge})
	got = nil
	for _, base := range []string{a, a, a, b} {
		res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"victim@example.com","password":"wrong-guess-1"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		got = append(got, res.StatusCode)
	}
	if fmt.Sprint(got) != "[401 401 401 429]" {
		t.Fatalf("sign-in failures across two processes = %v, want three 401s then 429", got)
	}
}

// TestServeTLS: with a certificate the server speaks HTTPS with HTTP/2
// (ALPN) and sends HSTS.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := server.New(ctx, server.Config{DataDir: dir, Edge: server.Edge{TLSCert: certFile, TLSKey: keyFile}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		s.Close()
	})
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	res, err := hc.Get("https://" + l.Addr().String() + "/api/v1/category")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.ProtoMajor != 2 || !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("HTTPS GET: %d %s HSTS %q, want 200 over HTTP/2 with HSTS", res.StatusCode, res.Proto, res.Header.Get("Strict-Transport-Security"))
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bazaar test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
