package recommendhttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendhttp"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// fake answers lists naming what it was asked and records views.
type fake struct {
	views []string
	last  any
}

func (f *fake) View(_ context.Context, user id.User, session, product string) error {
	if product == "prd_nope" {
		return apperr.New(apperr.KindNotFound, "product_not_found", "product %q not found", product)
	}
	f.views = append(f.views, string(user)+"|"+session+"|"+product)
	return nil
}

func (f *fake) ForProduct(_ context.Context, q recommend.ProductQuery) (recommend.List, error) {
	f.last = q
	if q.Product == "prd_nope" {
		return recommend.List{}, apperr.New(apperr.KindNotFound, "product_not_found", "product %q not found", q.Product)
	}
	return recommend.List{Kind: q.Kind, Items: []recommend.Item{{ProductID: "prd_b", Reason: recommend.Reason{Code: "bought_with", Text: "Bought together with A", ProductID: "prd_a"}}}}, nil
}

func (f *fake) ForShopper(_ context.Context, q recommend.ShopperQuery) (recommend.List, error) {
	f.last = q
	return recommend.List{Kind: q.Kind}, nil
}

func newServer(t *testing.T) (*httptest.Server, *fake) {
	t.Helper()
	f := &fake{}
	r := rest.NewRouter()
	recommendhttp.New(f, recommendhttp.Options{ViewLimit: ratelimit.Rule{Limit: 3, Window: time.Minute}}).Routes(r)
	// A stand-in for the auth middleware: "Bearer usr_x" signs in usr_x.
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if u, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
			req = req.WithContext(auth.With(req.Context(), auth.Principal{UserID: id.User(u), Role: auth.Customer}))
		}
		r.ServeHTTP(w, req)
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, f
}

func call(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestRoutes(t *testing.T) {
	srv, f := newServer(t)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		want                            []string
	}{
		{"view as a guest", "POST", "/api/v1/activity", "", `{"kind":"view","product_id":"prd_a","session":"abcdefgh123"}`, 202, []string{`{}`}},
		{"view signed in", "POST", "/api/v1/activity", "usr_1", `{"kind":"view","product_id":"prd_a"}`, 202, nil},
		{"guest without session", "POST", "/api/v1/activity", "", `{"kind":"view","product_id":"prd_a"}`, 400, []string{`"field":"session"`, `application/problem+json`}},
		{"bad session", "POST", "/api/v1/activity", "", `{"kind":"view","product_id":"prd_a","session":"a b"}`, 400, []string{`"field":"session"`}},
		{"bad kind", "POST", "/api/v1/activity", "", `{"kind":"buy","product_id":"prd_a","session":"abcdefgh123"}`, 400, []string{`"field":"kind"`}},
		{"unknown product", "POST", "/api/v1/activity", "", `{"kind":"view","product_id":"prd_nope","session":"abcdefgh456"}`, 404, []string{`"code":"product_not_found"`}},
		{"also bought", "GET", "/api/v1/product/prd_a/recommendation?kind=also_bought&limit=5", "", "", 200,
			[]string{`"kind":"also_bought"`, `"product_id":"prd_b"`, `"reason":{"code":"bought_with","text":"Bought together with A","product_id":"prd_a"}`}},
		{"product kind missing", "GET", "/api/v1/product/prd_a/recommendation", "", "", 400, []string{`"field":"kind"`}},
		{"bad limit", "GET", "/api/v1/product/prd_a/recommendation?kind=similar&limit=51", "", "", 400, []string{`"field":"limit"`}},
		{"unknown parameter", "GET", "/api/v1/product/prd_a/recommendation?kind=similar&foo=1", "", "", 400, []string{`"field":"foo"`}},
		{"unknown product list", "GET", "/api/v1/product/prd_nope/recommendation?kind=similar", "", "", 404, []string{`"code":"product_not_found"`}},
		{"empty list", "GET", "/api/v1/recommendation?kind=trending&category=tents", "", "", 200, []string{`{"kind":"trending","items":[]}`}},
		{"shopper kind", "GET", "/api/v1/recommendation?kind=also_bought", "", "", 400, []string{`"field":"kind"`}},
		{"cart without products", "GET", "/api/v1/recommendation?kind=cart", "", "", 400, []string{`"field":"product"`}},
		{"for you", "GET", "/api/v1/recommendation?kind=for_you&session=abcdefgh123", "usr_2", "", 200, []string{`"kind":"for_you"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := call(t, srv, tc.method, tc.path, tc.token, tc.body)
			if status != tc.status {
				t.Fatalf("%s %s = %d %s, want %d", tc.method, tc.path, status, body, tc.status)
			}
			all := h.Get("Content-Type") + body
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("%s %s: %s lacks %s", tc.method, tc.path, all, w)
				}
			}
		})
	}
	if want := []string{"|abcdefgh123|prd_a", "usr_1||prd_a"}; len(f.views) != 2 || f.views[0] != want[0] || f.views[1] != want[1] {
		t.Errorf("views = %q, want %q", f.views, want)
	}
	call(t, srv, "GET", "/api/v1/recommendation?kind=cart&product=prd_a,prd_b&session=abcdefgh123", "usr_3", "")
	if q, ok := f.last.(recommend.ShopperQuery); !ok || q.User != "usr_3" || len(q.Products) != 2 || q.Session != "abcdefgh123" {
		t.Errorf("cart query = %+v", f.last)
	}
}

func TestBeaconRateLimited(t *testing.T) {
	srv, _ := newServer(t)
	body := `{"kind":"view","product_id":"prd_a","session":"limited001"}`
	for i := range 3 {
		if status, _, b := call(t, srv, "POST", "/api/v1/activity", "", body); status != 202 {
			t.Fatalf("view %d = %d %s", i+1, status, b)
		}
	}
	status, h, b := call(t, srv, "POST", "/api/v1/activity", "", body)
	if status != 429 || h.Get("Retry-After") == "" || !strings.Contains(b, `"code":"rate_limited"`) {
		t.Fatalf("fourth view in a minute = %d %s (Retry-After %q), want 429 rate_limited", status, b, h.Get("Retry-After"))
	}
	// Another session is not held back.
	if status, _, b := call(t, srv, "POST", "/api/v1/activity", "", `{"kind":"view","product_id":"prd_a","session":"another001"}`); status != 202 {
		t.Errorf("another session = %d %s", status, b)
	}
}
