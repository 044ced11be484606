package server

import (
	"context"
	"net/url"
	"time"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/live"
	"github.com/bazaar-market/bazaar/internal/notify"
)

// liveNotices hands notify's committed notifications to the live hub.
func liveNotices(h *live.Hub) func([]notify.Notification) {
	return func(ns []notify.Notification) {
		out := make([]live.Notice, 0, len(ns))
		for _, n := range ns {
			out = append(out, live.Notice{ID: string(n.ID), Recipient: n.Recipient, Category: string(n.Category),
				Title: n.Title, Body: n.Body, Link: n.Link, CreatedAt: n.CreatedAt})
		}
		h.Notify(out...)
	}
}

// authenticateLive verifies a WebSocket's access token as the auth
// middleware verifies a request's (signature, expiry, then the account and
// session still active) and says when the token expires.
func (s *Server) authenticateLive(ctx context.Context, token string) (auth.Principal, time.Time, error) {
	p, until, err := s.tokens.VerifyUntil(token)
	if err != nil {
		return auth.Principal{}, time.Time{}, err
	}
	p, err = s.mods.check(ctx, p)
	return p, until, err
}

// liveOrigins are the origins besides the request's own host allowed to
// open live sockets: the public URL's and the configured patterns.
func (s *Server) liveOrigins() []string {
	out := append([]string(nil), s.cfg.LiveOrigins...)
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Host != "" {
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out
}

// liveConsumer is this process's consumer group of live updates: each
// process holds its own sockets, so each must see every event.
func (s *Server) liveConsumer() string { return "live." + s.replica }
