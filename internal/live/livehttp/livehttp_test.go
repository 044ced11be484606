package livehttp_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/live"
	"github.com/bazaar-market/bazaar/internal/live/livehttp"
	"github.com/bazaar-market/bazaar/internal/rest"
)

type fixture struct {
	hub    *live.Hub
	tokens *auth.Tokens
	url    string // ws://...
	host   string // http://...
}

func newFixture(t *testing.T, hubOpts live.Options, ttl time.Duration) *fixture {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{hub: live.NewHub(hubOpts), tokens: auth.NewTokens(key, ttl)}
	authenticate := func(_ context.Context, token string) (auth.Principal, time.Time, error) {
		p, until, err := f.tokens.VerifyUntil(token)
		if err == nil && p.UserID == "usr_suspended" {
			return auth.Principal{}, time.Time{}, apperr.Unauthorized("account_suspended", "suspended")
		}
		return p, until, err
	}
	r := rest.NewRouter()
	livehttp.New(f.hub, authenticate, livehttp.Options{OriginPatterns: []string{"https://shop.example.com"}, PingEvery: 100 * time.Millisecond}).Routes(r)
	srv := httptest.NewServer(rest.Chain(r, rest.Observe(rest.Logger(context.Background()))))
	t.Cleanup(srv.Close)
	f.host = srv.URL
	f.url = "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/v1/live"
	return f
}

func (f *fixture) token(t *testing.T, user string) string {
	t.Helper()
	tok, _, err := f.tokens.Issue(auth.Principal{UserID: id.User(user), Role: auth.Customer})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (f *fixture) dial(t *testing.T, query string, opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, f.url+query, opts)
	if c != nil {
		t.Cleanup(func() { c.CloseNow() })
	}
	return c, resp, err
}

// as is how a browser page of origin connects as user.
func (f *fixture) as(t *testing.T, user, origin string) *websocket.DialOptions {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return &websocket.DialOptions{Subprotocols: []string{livehttp.Protocol, livehttp.TokenPrefix + f.token(t, user)}, HTTPHeader: h}
}

func read(t *testing.T, c *websocket.Conn) live.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("message type %v, want text", typ)
	}
	var m live.Message
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("message %s: %v", b, err)
	}
	return m
}

// closeCode reads until the socket closes and returns its close code.
func closeCode(t *testing.T, c *websocket.Conn, within time.Duration) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatalf("the socket stayed open for %v", within)
			}
			return websocket.CloseStatus(err)
		}
	}
}

func TestRefusedHandshakes(t *testing.T) {
	f := newFixture(t, live.Options{}, time.Minute)
	good := f.token(t, "usr_alice")
	cases := []struct {
		name   string
		opts   *websocket.DialOptions
		query  string
		status int
		code   string
	}{
		{"no token", &websocket.DialOptions{Subprotocols: []string{livehttp.Protocol}}, "", 401, "unauthenticated"},
		{"bad token", &websocket.DialOptions{Subprotocols: []string{livehttp.Protocol, livehttp.TokenPrefix + "abc.def.ghi"}}, "", 401, "invalid_token"},
		{"suspended", f.as(t, "usr_suspended", ""), "", 401, "account_suspended"},
		{"another site's page", f.as(t, "usr_alice", "https://evil.example.net"), "", 403, "origin_forbidden"},
		{"another site's page, allowed host but other scheme", f.as(t, "usr_alice", "http://shop.example.com"), "", 403, "origin_forbidden"},
		{"after too long", f.as(t, "usr_alice", ""), "?after=" + strings.Repeat("x", 65), 400, "validation_failed"},
		{"bearer header, bad origin", &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + good}, "Origin": {"https://evil.example.net"}}}, "", 403, "origin_forbidden"},
	}
	for _, c := range cases {
		_, resp, err := f.dial(t, c.query, c.opts)
		if err == nil {
			t.Errorf("%s: the handshake succeeded", c.name)
			continue
		}
		if resp == nil {
			t.Errorf("%s: no response: %v", c.name, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != c.status || !strings.Contains(string(body), `"code":"`+c.code+`"`) || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s %s, want %d problem+json %s", c.name, resp.StatusCode, resp.Header.Get("Content-Type"), body, c.status, c.code)
		}
	}

	// A plain GET is not a WebSocket.
	resp, err := http.Get(f.host + "/api/v1/live")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "websocket_required") {
		t.Errorf("plain GET = %d %s, want 400 websocket_required", resp.StatusCode, body)
	}
}

func TestMessagesReachTheirUserOnly(t *testing.T) {
	f := newFixture(t, live.Options{}, time.Minute)
	alice, resp, err := f.dial(t, "", f.as(t, "usr_alice", f.host)) // the site's own page
	if err != nil {
		t.Fatalf("dial as alice: %v", err)
	}
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != livehttp.Protocol {
		t.Errorf("subprotocol = %q, want %q (never the token)", got, livehttp.Protocol)
	}
	// Another allowed origin, and a client that sends Authorization.
	alice2, _, err := f.dial(t, "", f.as(t, "usr_alice", "https://shop.example.com"))
	if err != nil {
		t.Fatalf("dial from an allowed origin: %v", err)
	}
	bob, _, err := f.dial(t, "", &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + f.token(t, "usr_bob")}}})
	if err != nil {
		t.Fatalf("dial with a bearer header: %v", err)
	}
	for _, c := range []*websocket.Conn{alice, alice2, bob} {
		if m := read(t, c); m.Type != live.TypeHello {
			t.Fatalf("first message %+v, want hello", m)
		}
	}
	msgID, _ := f.hub.Publish("usr_alice", live.TypeOrder, live.OrderData{OrderID: "ord_1", Status: "shipped"})
	bobID, _ := f.hub.Publish("usr_bob", live.TypeOrder, live.OrderData{OrderID: "ord_2", Status: "paid"})
	for _, c := range []*websocket.Conn{alice, alice2} {
		if m := read(t, c); m.ID != msgID || string(m.Data) != `{"order_id":"ord_1","status":"shipped"}` {
			t.Errorf("alice read %+v, want %s", m, msgID)
		}
	}
	if m := read(t, bob); m.ID != bobID {
		t.Errorf("bob read %+v, want only his %s", m, bobID)
	}

	// Resume: alice goes away, misses one, comes back with her last id.
	alice.Close(websocket.StatusNormalClosure, "")
	missed, _ := f.hub.Publish("usr_alice", live.TypeShipment, live.ShipmentData{ShipmentID: "shp_1", Status: "delivered"})
	back, _, err := f.dial(t, "?after="+msgID, f.as(t, "usr_alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	if m := read(t, back); m.ID != missed || m.Type != live.TypeShipment {
		t.Errorf("after reconnecting alice read %+v, want the missed %s", m, missed)
	}
	if m := read(t, back); m.Type != live.TypeHello {
		t.Errorf("then %+v, want hello", m)
	}
	// Another process's id: a reset.
	again, _, err := f.dial(t, "?after=zzzzzzzz.3", f.as(t, "usr_alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	if m := read(t, again); m.Type != live.TypeReset {
		t.Errorf("after an unknown id alice read %+v, want reset", m)
	}
}

func TestTokenExpiryClosesWith4001(t *testing.T) {
	f := newFixture(t, live.Options{}, 1500*time.Millisecond)
	c, _, err := f.dial(t, "", f.as(t, "usr_alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	// Pings (every 100 ms here) are answered meanwhile: the socket stays.
	if code := closeCode(t, c, 4*time.Second); code != livehttp.CloseTokenExpired {
		t.Errorf("close code = %d, want %d", code, livehttp.CloseTokenExpired)
	}
}

func TestSlowClientClosedWith4008OthersGoOn(t *testing.T) {
	f := newFixture(t, live.Options{Queue: 1}, time.Minute)
	slow, _, err := f.dial(t, "", f.as(t, "usr_alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	bob, _, err := f.dial(t, "", f.as(t, "usr_bob", ""))
	if err != nil {
		t.Fatal(err)
	}
	read(t, slow)
	read(t, bob)
	big := strings.Repeat("x", 2048)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 2000 { // far faster than a socket writes: the queue of 1 overflows
			_, _ = f.hub.Publish("usr_alice", live.TypeNotification, live.Notice{Title: big})
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publishing blocked on a slow client")
	}
	if code := closeCode(t, slow, 5*time.Second); code != livehttp.CloseSlow {
		t.Errorf("slow client's close code = %d, want %d", code, livehttp.CloseSlow)
	}
	want, _ := f.hub.Publish("usr_bob", live.TypeOrder, live.OrderData{OrderID: "ord_b"})
	if m := read(t, bob); m.ID != want {
		t.Errorf("bob read %+v, want %s", m, want)
	}
}

func TestShutdownClosesWithGoingAway(t *testing.T) {
	f := newFixture(t, live.Options{MaxPerUser: 1}, time.Minute)
	c, _, err := f.dial(t, "", f.as(t, "usr_alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	read(t, c)
	// One socket per user here: a second is refused with 429.
	if _, resp, err := f.dial(t, "", f.as(t, "usr_alice", "")); err == nil || resp == nil || resp.StatusCode != 429 {
		t.Errorf("a second socket: %v, want 429", err)
	}
	f.hub.Close()
	if code := closeCode(t, c, 3*time.Second); code != websocket.StatusGoingAway {
		t.Errorf("close code = %d, want %d", code, websocket.StatusGoingAway)
	}
	if _, resp, err := f.dial(t, "", f.as(t, "usr_alice", "")); err == nil || resp == nil || resp.StatusCode != 503 {
		t.Errorf("after shutdown: %v, want 503", err)
	}
}

func TestClientMessagesAreRefused(t *testing.T) {
	f := newFixture(t, live.Options{}, time.Minute)
	c, _, err := f.dial(t, "", f.as(t, "usr_alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	read(t, c)
	if err := c.Write(context.Background(), websocket.MessageText, []byte(`{"subscribe":"everything"}`)); err != nil {
		t.Fatal(err)
	}
	if code := closeCode(t, c, 3*time.Second); code != websocket.StatusPolicyViolation {
		t.Errorf("close code = %d, want %d", code, websocket.StatusPolicyViolation)
	}
	// The subscription is gone with the socket.
	deadline := time.Now().Add(2 * time.Second)
	for f.hub.Subscribers() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := f.hub.Subscribers(); n != 0 {
		t.Errorf("Subscribers() = %d after the socket closed, want 0", n)
	}
}
