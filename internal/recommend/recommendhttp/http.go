// Package recommendhttp serves recommendations and the activity beacon over
// REST.
package recommendhttp

import (
	"context"
	"maps"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Recommender is what the handlers need; *recommend.Service satisfies it.
type Recommender interface {
	View(ctx context.Context, user id.User, session, product string) error
	ForProduct(ctx context.Context, q recommend.ProductQuery) (recommend.List, error)
	ForShopper(ctx context.Context, q recommend.ShopperQuery) (recommend.List, error)
}

// Options tunes the handlers.
type Options struct {
	// ViewLimit caps the beacon per shopper (user or session); zero for
	// 60 a minute.
	ViewLimit ratelimit.Rule
	// IPLimit caps the beacon per client address; zero for 600 a minute.
	IPLimit ratelimit.Rule
	// Now is the limiters' clock; nil for time.Now.
	Now func() time.Time
}

// Handler serves the recommendation API.
type Handler struct {
	svc      Recommender
	shoppers ratelimit.Limiter
	ips      ratelimit.Limiter
}

// New returns the handlers over svc.
func New(svc Recommender, opts Options) *Handler {
	if opts.ViewLimit == (ratelimit.Rule{}) {
		opts.ViewLimit = ratelimit.Rule{Limit: 60, Window: time.Minute}
	}
	if opts.IPLimit == (ratelimit.Rule{}) {
		opts.IPLimit = ratelimit.Rule{Limit: 600, Window: time.Minute}
	}
	return &Handler{svc: svc, shoppers: ratelimit.NewMemory(opts.ViewLimit, opts.Now), ips: ratelimit.NewMemory(opts.IPLimit, opts.Now)}
}

// Routes mounts the routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("POST /api/v1/activity", h.activity)
	r.Handle("GET /api/v1/product/{id}/recommendation", h.forProduct)
	r.Handle("GET /api/v1/recommendation", h.forShopper)
}

// sessionRE is a guest session ID as the web makes one.
var sessionRE = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// activity is the body of POST /api/v1/activity.
type activity struct {
	Kind      string `json:"kind"`
	ProductID string `json:"product_id"`
	Session   string `json:"session,omitempty"`
}

// accepted is the body of a 202.
type accepted struct{}

// activity records a product page view: POST /api/v1/activity.
func (h *Handler) activity(w http.ResponseWriter, r *http.Request) error {
	var in activity
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	p, signedIn := auth.From(r.Context())
	var f apperr.Fields
	f.Check(in.Kind == "view", "kind", `must be "view"`)
	f.Check(in.ProductID != "" && len(in.ProductID) <= 200, "product_id", "is required")
	switch {
	case in.Session != "":
		f.Check(sessionRE.MatchString(in.Session), "session", "must be 8 to 64 letters, digits, - or _")
	case !signedIn:
		f.Add("session", "is required without a bearer token")
	}
	if err := f.Err(); err != nil {
		return err
	}
	who := "s:" + in.Session
	if signedIn {
		who = "u:" + string(p.UserID)
	}
	if err := h.take(r.Context(), h.ips, "ip:"+clientIP(r)); err != nil {
		return err
	}
	if err := h.take(r.Context(), h.shoppers, who); err != nil {
		return err
	}
	if err := h.svc.View(r.Context(), p.UserID, in.Session, in.ProductID); err != nil {
		return err
	}
	rest.JSON(w, http.StatusAccepted, accepted{})
	return nil
}

// take counts one beacon for key, or answers 429 when it is over its limit.
func (h *Handler) take(ctx context.Context, l ratelimit.Limiter, key string) error {
	wait, err := l.Take(ctx, key)
	if err != nil {
		return err
	}
	if wait > 0 {
		return apperr.RateLimited(wait, "too many activity reports; slow down")
	}
	return nil
}

// clientIP is the peer address of the connection. Proxy headers are not
// trusted: a deployment behind a proxy must rewrite RemoteAddr itself.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// params checks that the query has only the names allowed, each once.
func params(f *apperr.Fields, q map[string][]string, allowed ...string) {
	for _, name := range slices.Sorted(maps.Keys(q)) {
		switch {
		case !slices.Contains(allowed, name):
			f.Add(name, "is not a parameter of this list")
		case len(q[name]) > 1:
			f.Add(name, "must be given once")
		}
	}
}

// limit reads the limit parameter (0 when absent).
func limit(f *apperr.Fields, s string) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > recommend.MaxLimit {
		f.Add("limit", "must be an integer from 1 to "+strconv.Itoa(recommend.MaxLimit))
		return 0
	}
	return n
}

// kind reads the kind parameter, one of kinds.
func kind(f *apperr.Fields, s string, kinds []string) string {
	if !slices.Contains(kinds, s) {
		f.Add("kind", "must be one of "+strings.Join(kinds, ", "))
	}
	return s
}

// session reads an optional guest session.
func session(f *apperr.Fields, s string) string {
	if s != "" && !sessionRE.MatchString(s) {
		f.Add("session", "must be 8 to 64 letters, digits, - or _")
	}
	return s
}

// forProduct answers GET /api/v1/product/{id}/recommendation?kind=&limit=.
func (h *Handler) forProduct(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	var f apperr.Fields
	params(&f, v, "kind", "limit", "session")
	q := recommend.ProductQuery{Product: r.PathValue("id"), Kind: kind(&f, v.Get("kind"), recommend.ProductKinds),
		Limit: limit(&f, v.Get("limit")), Session: session(&f, v.Get("session"))}
	if err := f.Err(); err != nil {
		return err
	}
	if p, ok := auth.From(r.Context()); ok {
		q.User = p.UserID
	}
	list, err := h.svc.ForProduct(r.Context(), q)
	if err != nil {
		return err
	}
	writeList(w, list)
	return nil
}

// forShopper answers GET /api/v1/recommendation?kind=&category=&limit=&session=&product=.
func (h *Handler) forShopper(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	var f apperr.Fields
	params(&f, v, "kind", "limit", "session", "category", "product")
	q := recommend.ShopperQuery{Kind: kind(&f, v.Get("kind"), recommend.ShopperKinds), Limit: limit(&f, v.Get("limit")),
		Session: session(&f, v.Get("session")), Category: v.Get("category")}
	if s := v.Get("product"); s != "" {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				q.Products = append(q.Products, id.Product(p))
			}
		}
		f.Check(len(q.Products) <= recommend.MaxCart, "product", "at most "+strconv.Itoa(recommend.MaxCart)+" products")
	}
	if q.Kind == recommend.Cart {
		f.Check(len(q.Products) > 0, "product", "is required for the cart list")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if p, ok := auth.From(r.Context()); ok {
		q.User = p.UserID
	}
	list, err := h.svc.ForShopper(r.Context(), q)
	if err != nil {
		return err
	}
	writeList(w, list)
	return nil
}

// writeList answers with a list; never cached, it depends on the caller.
func writeList(w http.ResponseWriter, l recommend.List) {
	if l.Items == nil {
		l.Items = []recommend.Item{}
	}
	w.Header().Set("Cache-Control", "no-store")
	rest.JSON(w, http.StatusOK, l)
}
