package server

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/graphql"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/live"
)

// mountGraphQL serves GraphQL at /graphql (queries, mutations and, over
// WebSocket, subscriptions) and its SDL at /graphql/schema.graphql, over the
// same services as REST and behind the same middleware.
func (s *Server) mountGraphQL() {
	m := &s.mods
	g := graphql.New(graphql.Services{
		Accounts: m.account, Catalog: m.catalog, Inventory: m.inventory, Carts: m.cart, Orders: m.order,
		Shipments: m.shipment, Reviews: m.review, Search: m.search, Recommend: m.recommend, Support: m.support,
		Watch: s.watchLive,
	}, graphql.Options{
		MaxDepth: s.cfg.GraphQLMaxDepth, MaxComplexity: s.cfg.GraphQLMaxComplexity,
		Authenticate: func(ctx context.Context, token string) (auth.Principal, error) {
			p, _, err := s.authenticateLive(ctx, token)
			return p, err
		},
		OriginPatterns: s.liveOrigins(),
	})
	s.router.Mount("/graphql", s.withGraphiQL(g))
	s.router.Mount("GET /graphql/schema.graphql", http.HandlerFunc(g.SDL))
}

// watchLive streams the live messages of user until ctx ends, for
// GraphQL subscriptions.
func (s *Server) watchLive(ctx context.Context, user id.User) (<-chan live.Message, error) {
	sub, err := s.mods.live.Subscribe(user, "")
	if err != nil {
		return nil, err
	}
	out := make(chan live.Message, 16)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.Done():
				return
			case b := <-sub.C():
				var m live.Message
				if json.Unmarshal(b, &m) != nil {
					continue
				}
				select {
				case out <- m:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
