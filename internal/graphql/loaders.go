package graphql

import (
	"context"
	"net/http"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/vikstrous/dataloadgen"
)

// loaders batch what a page of products asks of other modules: every
// variant's stock in one call, every seller in one, every rating in one. They live for one request,
// so what they cache is never stale across requests.
type loaders struct {
	stock  *dataloadgen.Loader[string, int64]
	seller *dataloadgen.Loader[id.Seller, account.Seller]
	rating *dataloadgen.Loader[id.Product, review.Summary]
}

type loadersKey struct{}

// batchWait is how long a loader waits for more keys before it fetches:
// resolvers of one list run concurrently and ask within microseconds.
const batchWait = 2 * time.Millisecond

func newLoaders(svc Services) *loaders {
	return &loaders{
		stock: dataloadgen.NewMappedLoader(func(ctx context.Context, skus []string) (map[string]int64, error) {
			return svc.Inventory.Available(ctx, skus)
		}, dataloadgen.WithWait(batchWait)),
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

// prime queues every variant's SKU, every seller and every rating of a page
// of products in one batch each, at once, so the fields that ask for them
// find them fetched (or being fetched) together however the field
// resolvers are scheduled: a page costs these three calls whatever its
// size, and no more when its products ask for nothing of them.
func prime(ctx context.Context, ps []catalog.Product) {
	l, ok := ctx.Value(loadersKey{}).(*loaders)
	if !ok || len(ps) == 0 {
		return
	}
	var skus []string
	sellers := make([]id.Seller, 0, len(ps))
	for _, p := range ps {
		sellers = append(sellers, p.SellerID)
		for _, v := range p.Variants {
			skus = append(skus, v.SKU)
		}
	}
	ids := make([]id.Product, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	l.stock.LoadAllThunk(ctx, skus)
	l.seller.LoadAllThunk(ctx, sellers)
	l.rating.LoadAllThunk(ctx, ids)
}
