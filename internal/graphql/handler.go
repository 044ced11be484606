// Package graphql is Bazaar's GraphQL door: a schema-first gqlgen server
// (schema/*.graphqls, generated exec_gen.go and model_gen.go; regenerate
// with `make graphql`) whose resolvers translate arguments, call the same
// services REST calls with the caller's principal in the context, and
// translate the answers back. No business or authorisation rule lives here.
//
//	POST /graphql               queries and mutations (JSON; APQ)
//	GET  /graphql               queries, as ?query=...&variables=... or an APQ hash
//	GET  /graphql (WebSocket)   subscriptions: graphql-transport-ws and graphql-ws
//	GET  /graphql/schema.graphql  the SDL
package graphql

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Options tune the GraphQL server.
type Options struct {
	// MaxDepth is the deepest selection an operation may have (12).
	MaxDepth int
	// MaxComplexity is the most an operation may cost, counting each field
	// 1 and each list field times its page size (2000).
	MaxComplexity int
	// APQCache is how many persisted queries are remembered (1000).
	APQCache int
	// Authenticate verifies the access token a WebSocket sends in
	// connection_init; nil refuses subscriptions of signed-in users.
	Authenticate Authenticate
	// OriginPatterns are the other origins (host patterns) allowed to open
	// subscription sockets.
	OriginPatterns []string
}

// Server is the GraphQL HTTP handler.
type Server struct {
	exec gql.ExecutableSchema
	h    http.Handler
}

// New returns the GraphQL server over svc.
func New(svc Services, opts Options) *Server {
	if opts.MaxDepth == 0 {
		opts.MaxDepth = 12
	}
	if opts.MaxComplexity == 0 {
		opts.MaxComplexity = 2000
	}
	if opts.APQCache == 0 {
		opts.APQCache = 1000
	}
	cfg := Config{Resolvers: &Resolver{svc: svc}}
	pageSized(&cfg.Complexity)
	exec := NewExecutableSchema(cfg)
	srv := handler.New(exec)
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		InitTimeout:           10 * time.Second,
		// The request's own host is always allowed; a client without an
		// Origin (not a browser) is too, since it carries its own token.
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: opts.OriginPatterns}},
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			tok, ok := strings.CutPrefix(p.Authorization(), "Bearer ")
			if !ok || tok == "" {
				return ctx, nil, nil // anonymous: subscriptions then answer UNAUTHENTICATED
			}
			if opts.Authenticate == nil {
				return ctx, nil, errors.New("subscriptions are not available")
			}
			pr, err := opts.Authenticate(ctx, tok)
			if err != nil {
				return ctx, nil, errors.New("the access token is not valid")
			}
			return auth.With(ctx, pr), nil, nil
		},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(postJSON{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](opts.APQCache)})
	srv.Use(depthLimit{max: opts.MaxDepth})
	srv.Use(extension.FixedComplexityLimit(opts.MaxComplexity))
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		rest.Logger(ctx).ErrorContext(ctx, "graphql resolver panicked", "panic", fmt.Sprint(v))
		return errors.New("internal error")
	})
	return &Server{exec: exec, h: withRequest(withLoaders(svc, srv))}
}

// ServeHTTP answers GraphQL requests. Bodies over rest.MaxBody are refused
// as REST's are.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.Body != nil {
		// Read the body here, so an oversized one is refused as REST
		// refuses it (413, body_too_large) rather than as a bad request.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rest.MaxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				err = apperr.New(apperr.KindTooLarge, "body_too_large", "the request body is over %d bytes", tooBig.Limit)
			} else {
				err = apperr.Invalid("malformed_body", "the request body could not be read")
			}
			WriteError(w, r, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	w.Header().Set("Cache-Control", "no-store")
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		// A subscription outlives the server's write timeout.
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Time{})
		_ = rc.SetReadDeadline(time.Time{})
	}
	s.h.ServeHTTP(w, r)
}

// SDL answers the schema in the GraphQL schema definition language.
func (s *Server) SDL(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="schema.graphql"`)
	formatter.NewFormatter(w, formatter.WithIndent("  ")).FormatSchema(s.exec.Schema())
}

// pageSized makes every field that takes `first` cost its children times
// the page size asked for (page.DefaultLimit when absent), so one request
// cannot ask for many large pages.
func pageSized(c *ComplexityRoot) {
	per := func(child int, first *int) int {
		n := 20
		if first != nil && *first > 0 {
			n = *first
		}
		return 1 + child*n
	}
	c.Query.Products = func(child int, _ *string, _ *string, _ *string, _ *string, _ *string, _ *PriceRange, _ *string, _ *string, first *int, _ *string) int {
		return per(child, first)
	}
	c.Query.MyProducts = func(child int, _ *string, first *int, _ *string) int { return per(child, first) }
	c.Query.Search = func(child int, _ *string, _ *SearchFilters, _ *string, first *int, _ *string) int {
		return per(child, first)
	}
	c.Query.Orders = func(child int, _ *string, first *int, _ *string) int { return per(child, first) }
	c.Query.SellerOrders = func(child int, _ *string, first *int, _ *string) int { return per(child, first) }
	c.Query.Users = func(child int, _ *string, _ *string, _ *string, first *int) int { return per(child, first) }
	c.Query.Sellers = func(child int, _ *string, _ *string, first *int) int { return per(child, first) }
	c.Product.Reviews = func(child int, first *int, _ *string) int { return per(child, first) }
}

// depthLimit refuses operations nested deeper than max.
type depthLimit struct{ max int }

var _ interface {
	gql.HandlerExtension
	gql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string               { return "DepthLimit" }
func (depthLimit) Validate(gql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, op *gql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	if n := depth(op.Operation.SelectionSet, op.Doc.Fragments, 0); n > d.max {
		err := gqlerror.Errorf("operation is %d levels deep, which exceeds the limit of %d", n, d.max)
		errcode.Set(err, "DEPTH_LIMIT_EXCEEDED")
		return err
	}
	return nil
}

// depth is how deep a selection set goes; fragments count as their fields
// (a fragment that spreads itself is refused by validation before this).
func depth(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen int) int {
	if seen > 64 {
		return seen
	}
	most := 0
	for _, s := range set {
		var d int
		switch s := s.(type) {
		case *ast.Field:
			switch {
			case len(s.SelectionSet) == 0:
				d = 1
			case s.Name == "ofType" && s.ObjectDefinition != nil && s.ObjectDefinition.Name == "__Type":
				// Introspection's chain of wrapped types (a list of
				// non-null X) is one object each, never a list, so it
				// cannot fan out: GraphiQL's schema query nests it nine
				// deep and must not be refused for it.
				d = depth(s.SelectionSet, frags, seen+1)
			default:
				d = 1 + depth(s.SelectionSet, frags, seen+1)
			}
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, frags, seen)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = depth(f.SelectionSet, frags, seen)
			}
		}
		most = max(most, d)
	}
	return most
}
