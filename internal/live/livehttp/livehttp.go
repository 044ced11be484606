// Package livehttp is the WebSocket door to live updates:
//
//	GET /api/v1/live[?after=<last message id>]   upgrade to a WebSocket of the caller's messages
//
// Browsers cannot set an Authorization header on a WebSocket, so the
// access token travels as a subprotocol: the client offers
// "bazaar.live.v1" and "bazaar.token.<access token>" in
// Sec-WebSocket-Protocol and the server answers "bazaar.live.v1". (A
// client that can set headers may send "Authorization: Bearer ..."
// instead.) Tokens never go in the URL, where logs and history keep them.
// The Origin must be the server's own host or match one of the configured
// patterns, so another site cannot open a socket with a user's token.
//
// Close codes: 4001 the access token expired (refresh it and reconnect
// with after=), 4008 the client did not read its messages fast enough
// (reconnect with after=), 1001 the server is going away (reconnect
// later), 1008 the client sent a data message (it must not).
package livehttp

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/live"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// The subprotocol and the prefix of the token entry.
const (
	Protocol    = "bazaar.live.v1"
	TokenPrefix = "bazaar.token."
)

// Close codes the server ends a socket with.
const (
	CloseTokenExpired websocket.StatusCode = 4001 // the access token expired: refresh, then reconnect
	CloseSlow         websocket.StatusCode = 4008 // the client fell behind: reconnect with after=
)

// Authenticate verifies an access token and says until when it is valid
// (auth.Tokens.VerifyUntil, plus the check that the account and session
// are still active).
type Authenticate func(ctx context.Context, token string) (auth.Principal, time.Time, error)

// Options tune a Handler.
type Options struct {
	// OriginPatterns are the other origins (host patterns as in
	// path.Match, or scheme://host) allowed to open sockets; the
	// server's own host always is.
	OriginPatterns []string
	// PingEvery is the keepalive interval (30 s); a ping not answered
	// within WriteTimeout ends the socket.
	PingEvery time.Duration
	// WriteTimeout bounds each write and ping (10 s).
	WriteTimeout time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Handler serves the live route.
type Handler struct {
	hub  *live.Hub
	auth Authenticate
	opts Options
}

// New returns a Handler over hub.
func New(hub *live.Hub, authenticate Authenticate, opts Options) *Handler {
	if opts.PingEvery <= 0 {
		opts.PingEvery = 30 * time.Second
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Handler{hub: hub, auth: authenticate, opts: opts}
}

// Routes registers the live route on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/live", h.live)
}

func (h *Handler) live(w http.ResponseWriter, r *http.Request) error {
	if !headerHas(r.Header, "Upgrade", "websocket") || !headerHas(r.Header, "Connection", "upgrade") {
		return apperr.Invalid("websocket_required", "GET /api/v1/live is a WebSocket: connect with Upgrade: websocket")
	}
	token := bearer(r)
	if token == "" {
		return apperr.Unauthorized("unauthenticated", "offer the access token as the subprotocol "+TokenPrefix+"<token> (or an Authorization header)")
	}
	p, until, err := h.auth(r.Context(), token)
	if err != nil {
		return err
	}
	if err := h.checkOrigin(r); err != nil {
		return err
	}
	after := r.URL.Query().Get("after")
	if len(after) > 64 {
		return apperr.Invalid("validation_failed", "the request has invalid fields", apperr.FieldError{Field: "after", Message: "must be a message id"})
	}
	sub, err := h.hub.Subscribe(p.UserID, after)
	if err != nil {
		return err
	}
	defer sub.Close()
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{Protocol}, OriginPatterns: h.opts.OriginPatterns})
	if err != nil {
		return nil // Accept has answered
	}
	defer c.CloseNow()
	c.SetReadLimit(1024)
	h.serve(c, sub, until)
	return nil
}

// serve writes sub's frames to c until either side ends it.
func (h *Handler) serve(c *websocket.Conn, sub *live.Sub, until time.Time) {
	// The request's context must not be used after the upgrade. The
	// reader answers pings and the close handshake in the background; ctx
	// ends when the client goes away or sends a message, which clients
	// must not. (Not websocket.CloseRead: its own close on a message
	// waits 15 s for itself.)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var spoke atomic.Bool
	go func() {
		defer cancel()
		if _, _, err := c.Read(ctx); err == nil {
			spoke.Store(true)
		}
	}()
	// Writes and pings have their own deadlines, not ctx: ending ctx
	// mid-write would drop the connection without its close code.
	write := func(b []byte) bool {
		wctx, cancel := context.WithTimeout(context.Background(), h.opts.WriteTimeout)
		defer cancel()
		return c.Write(wctx, websocket.MessageText, b) == nil
	}
	for _, b := range sub.Replay {
		if !write(b) {
			return
		}
	}
	ping := time.NewTicker(h.opts.PingEvery)
	defer ping.Stop()
	expiry := time.NewTimer(until.Sub(h.opts.Now()))
	defer expiry.Stop()
	for {
		select {
		case b := <-sub.C():
			if !write(b) {
				return
			}
		case <-sub.Done():
			switch sub.Reason() {
			case live.ReasonSlow:
				_ = c.Close(CloseSlow, "slow consumer")
			case live.ReasonShutdown:
				_ = c.Close(websocket.StatusGoingAway, "server shutting down")
			}
			return
		case <-expiry.C:
			_ = c.Close(CloseTokenExpired, "token expired")
			return
		case <-ping.C:
			pctx, cancel := context.WithTimeout(context.Background(), h.opts.WriteTimeout)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		case <-ctx.Done():
			if spoke.Load() {
				_ = c.Close(websocket.StatusPolicyViolation, "clients only listen")
			}
			return
		}
	}
}

// bearer is the access token the client offered: a "bazaar.token."
// subprotocol entry, else the Authorization header's bearer token.
func bearer(r *http.Request) string {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if t, ok := strings.CutPrefix(strings.TrimSpace(p), TokenPrefix); ok && t != "" {
				return t
			}
		}
	}
	scheme, t, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(t)
	}
	return ""
}

// checkOrigin refuses a browser's request from another site, with the
// rule websocket.Accept applies (checked first so the refusal is
// problem+json): no Origin (not a browser), the request's own host, or a
// configured pattern.
func (h *Handler) checkOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	refused := apperr.New(apperr.KindForbidden, "origin_forbidden", "live updates are not open to pages of %s", origin)
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return refused
	}
	if strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	for _, p := range h.opts.OriginPatterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, err := path.Match(strings.ToLower(p), strings.ToLower(target)); err == nil && ok {
			return nil
		}
	}
	return refused
}

// headerHas reports whether a comma-separated header lists token.
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
