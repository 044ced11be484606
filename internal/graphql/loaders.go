package graphql

import (
	"context"

	gql "github.com/99designs/gqlgen/graphql"
	"net/http"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"
)

// loaders batch what products ask of other modules: every seller in one
// call, every rating in one. (Stock is set on the products themselves, by
// prime.) They live for one request,
// so what they cache is never stale across requests.
type loaders struct {
	seller *dataloadgen.Loader[id.Seller, account.Seller]
	rating *dataloadgen.Loader[id.Product, review.Summary]
}

type loadersKey struct{}

// batchWait is how long a loader waits for more keys before it fetches:
// resolvers of one list run concurrently and ask within microseconds.
const batchWait = 500 * time.Microsecond

func newLoaders(svc Services) *loaders {
	return &loaders{
		seller: dataloadgen.NewLoader(func(ctx context.Context, ids []id.Seller) ([]account.Seller, []error) {
			found, err := svc.Accounts.SellersByID(ctx, ids)
			out, errs := make([]account.Seller, len(ids)), make([]error, len(ids))
			for i, sid := range ids {
				switch s, ok := found[sid]; {
				case err != nil:
					errs[i] = err
				case !ok: // missing, or suspended and hidden from the caller
					errs[i] = apperr.NotFound("seller %s not found", sid)
				default:
					out[i] = s
				}
			}
			return out, errs
		}, dataloadgen.WithWait(batchWait)),
		rating: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []id.Product) (map[id.Product]review.Summary, error) {
			return svc.Reviews.Summaries(ctx, ids)
		}, dataloadgen.WithWait(batchWait)),
	}
}

// withLoaders gives each request its own loaders.
func withLoaders(svc Services, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loadersKey{}, newLoaders(svc))))
	})
}

func loadersFrom(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	panic("graphql: no loaders in the context")
}

// missing reports a NotFound error, which a nullable field shows as null.
func missing(err error) bool { return apperr.Is(err, apperr.KindNotFound) }

// prime fetches, for a page of products, what the query asks of them
// beyond the catalog, one call each: every variant's stock, every seller,
// every rating, and stores the answers in the request's loaders, so the
// fields find them without waiting for a batch to fill. A page thus costs
// at most these three calls whatever its size, and only those the query
// asks for.
func prime(ctx context.Context, svc Services, ps []catalog.Product) error {
	l, ok := ctx.Value(loadersKey{}).(*loaders)
	if !ok || len(ps) == 0 {
		return nil
	}
	wants := selected(ctx)
	if wants["available"] {
		// As REST does: every variant's stock in one lookup, set on the
		// products themselves.
		if err := catalog.FillAvailable(ctx, svc.Inventory, ps); err != nil {
			return err
		}
	}
	if wants["seller"] {
		ids := make([]id.Seller, 0, len(ps))
		for _, p := range ps {
			ids = append(ids, p.SellerID)
		}
		sellers, err := svc.Accounts.SellersByID(ctx, ids)
		if err != nil {
			return err
		}
		for _, sid := range ids {
			if s, ok := sellers[sid]; ok {
				l.seller.Prime(sid, s)
			}
		}
	}
	if wants["rating"] {
		ids := make([]id.Product, 0, len(ps))
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		ratings, err := svc.Reviews.Summaries(ctx, ids)
		if err != nil {
			return err
		}
		for _, pid := range ids {
			l.rating.Prime(pid, ratings[pid])
		}
	}
	return nil
}

// selected names every field selected below the field being resolved
// (through fragments too), or nil outside a field.
func selected(ctx context.Context) map[string]bool {
	fc := gql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	out := map[string]bool{}
	var frags ast.FragmentDefinitionList
	if oc := gql.GetOperationContext(ctx); oc != nil && oc.Doc != nil {
		frags = oc.Doc.Fragments
	}
	var walk func(set ast.SelectionSet, depth int)
	walk = func(set ast.SelectionSet, depth int) {
		if depth > 32 {
			return
		}
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				out[s.Name] = true
				walk(s.SelectionSet, depth+1)
			case *ast.InlineFragment:
				walk(s.SelectionSet, depth+1)
			case *ast.FragmentSpread:
				if f := frags.ForName(s.Name); f != nil {
					walk(f.SelectionSet, depth+1)
				}
			}
		}
	}
	walk(fc.Field.Selections, 0)
	return out
}

// primeOne is prime for one product, which it updates.
func primeOne(ctx context.Context, svc Services, p *catalog.Product) error {
	ps := []catalog.Product{*p}
	err := prime(ctx, svc, ps)
	*p = ps[0]
	return err
}
