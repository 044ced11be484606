package cataloghttp_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloghttp"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogtest"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// env is a catalog served over HTTP on a real database, with callers of
// every kind.
type env struct {
	db      *sqldb.DB
	svc     *catalog.Service
	stock   *catalogtest.Stock
	sellers *catalogtest.Sellers
	handler http.Handler
	tokens  map[string]string // who -> bearer token
	ctxs    map[string]context.Context
}

var principals = map[string]auth.Principal{
	"admin":    {UserID: "usr_admin", Role: auth.Admin},
	"s1":       {UserID: "usr_s1", Role: auth.Seller},
	"s2":       {UserID: "usr_s2", Role: auth.Seller},
	"nostore":  {UserID: "usr_nostore", Role: auth.Seller},
	"suspend":  {UserID: "usr_suspend", Role: auth.Seller},
	"customer": {UserID: "usr_customer", Role: auth.Customer},
}

func newEnv(t testing.TB, db *sqldb.DB) *env {
	t.Helper()
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := catalogsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	sellers := catalogtest.NewSellers(
		account.Seller{ID: "sel_1", UserID: "usr_s1", Name: "One", Status: account.SellerActive},
		account.Seller{ID: "sel_2", UserID: "usr_s2", Name: "Two", Status: account.SellerActive},
		account.Seller{ID: "sel_3", UserID: "usr_suspend", Name: "Three", Status: account.SellerSuspended},
	)
	e := &env{db: db, sellers: sellers, stock: catalogtest.NewStock(), tokens: map[string]string{}, ctxs: map[string]context.Context{}}
	e.svc = catalog.New(catalogsql.New(db), sellers, catalog.Options{ImageDir: t.TempDir()})
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	tokens := auth.NewTokens(key, 15*time.Minute)
	for who, p := range principals {
		tok, _, err := tokens.Issue(p)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[who] = tok
		e.ctxs[who] = auth.With(ctx, p)
	}
	r := rest.NewRouter()
	cataloghttp.New(e.svc, e.stock).Routes(r)
	e.handler = tokens.Middleware(nil, rest.Error)(r)
	return e
}

// do sends a request as who ("" for anonymous).
func (e *env) do(t testing.TB, method, path, who, contentType string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return rec
}

// topics returns the topics published so far.
func (e *env) topics(t testing.TB) []string {
	t.Helper()
	rows, err := e.db.Read().Query(`SELECT topic FROM event_outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// snapshot is every catalog row, to prove a refused request changed nothing.
func (e *env) snapshot(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id || name || slug || COALESCE(parent_id, '') || position FROM catalog_categories ORDER BY id`,
		`SELECT id || slug || title || brand || category_id || attributes || status || price_min || price_max || version FROM catalog_products ORDER BY id`,
		`SELECT id || product_id || sku || options || price_amount || currency || position FROM catalog_variants ORDER BY id`,
		`SELECT id || product_id || position FROM catalog_images ORDER BY id`,
	} {
		rows, err := e.db.Read().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			b.WriteString(s + "\n")
		}
		rows.Close()
	}
	return b.String()
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func multipartBody(t testing.TB, field, contentType string, data []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name=%q; filename="../../etc/passwd"`, field)}
	h["Content-Type"] = []string{contentType}
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write(data)
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

const teeBody = `{"title": "Cotton Tee", "description": "Soft.", "brand": "Acme", "category_id": "{leaf}",
	"attributes": {"material": "cotton"}, "status": "active",
	"variants": [{"sku": "TS-RED-M", "options": {"color": "red", "size": "M"}, "price": {"amount": 1999, "currency": "USD"}}]}`

// TestScenarios walks the API as every kind of caller, in order. Each row
// that is refused must leave every catalog row as it was and publish nothing.
func TestScenarios(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		e.stock.Set("TS-RED-M", 7)
		vars := map[string]string{}
		bigImage := append(pngBytes(t, 2, 2), make([]byte, catalog.MaxImageSize)...)
		mp, mpType := multipartBody(t, "file", "image/png", pngBytes(t, 5, 4))
		mpWrongField, mpWrongType := multipartBody(t, "upload", "image/png", pngBytes(t, 5, 4))

		tests := []struct {
			name         string
			method, path string
			who          string
			ctype        string // default application/json when body is set
			body         string
			status       int
			want         []string // fragments of the body
			absent       []string // fragments the body must not have
			events       []string // topics published by this request
			save         string   // remember the response's "id" as this variable
		}{
			// Categories.
			{name: "admin creates root", method: "POST", path: "/api/v1/category", who: "admin", body: `{"name": "Clothing"}`, status: 201,
				want: []string{`"slug":"clothing"`, `"parent_id":null`, `"id":"cat_`}, events: []string{catalog.TopicCategoryChanged.Name()}, save: "root"},
			{name: "admin creates child", method: "POST", path: "/api/v1/category", who: "admin", body: `{"name": "T-Shirts", "parent_id": "{root}"}`, status: 201,
				want: []string{`"slug":"t-shirts"`, `"parent_id":"{root}"`, `"depth":1`, `"path":["Clothing"]`}, events: []string{catalog.TopicCategoryChanged.Name()}, save: "leaf"},
			{name: "admin creates spare", method: "POST", path: "/api/v1/category", who: "admin", body: `{"name": "Spare"}`, status: 201, events: []string{catalog.TopicCategoryChanged.Name()}, save: "spare"},
			{name: "same name gets suffix", method: "POST", path: "/api/v1/category", who: "admin", body: `{"name": "Clothing", "parent_id": "{spare}"}`, status: 201,
				want: []string{`"slug":"clothing-2"`}, events: []string{catalog.TopicCategoryChanged.Name()}, save: "dup"},
			{name: "seller cannot create category", method: "POST", path: "/api/v1/category", who: "s1", body: `{"name": "X"}`, status: 403, want: []string{`"code":"forbidden"`}},
			{name: "anonymous cannot create category", method: "POST", path: "/api/v1/category", body: `{"name": "X"}`, status: 401, want: []string{`"code":"unauthenticated"`}},
			{name: "malformed category", method: "POST", path: "/api/v1/category", who: "admin", body: `{"name":`, status: 400, want: []string{`"code":"malformed_json"`}},
			{name: "unknown category field", method: "POST", path: "/api/v1/category", who: "admin", body: `{"name": "X", "id": "cat_mine"}`, status: 400, want: []string{`"code":"unknown_field"`}},
			{name: "empty category name", method: "POST", path: "/api/v1/category", who: "admin", body: `{"name": "  "}`, status: 400, want: []string{`"field":"name"`}},
			{name: "missing parent", method: "POST", path: "/api/v1/category", who: "admin", body: `{"name": "X", "parent_id": "cat_nope"}`, status: 400, want: []string{`"field":"parent_id"`}},
			{name: "category tree", method: "GET", path: "/api/v1/category", status: 200, want: []string{`"name":"T-Shirts"`, `"path":["Clothing"]`, `"depth":1`}},
			{name: "category by slug", method: "GET", path: "/api/v1/category/t-shirts", status: 200, want: []string{`"id":"{leaf}"`}},
			{name: "missing category", method: "GET", path: "/api/v1/category/nope", status: 404, want: []string{`"code":"not_found"`}},
			{name: "no cycles", method: "PUT", path: "/api/v1/category/{root}", who: "admin", body: `{"parent_id": "{leaf}"}`, status: 400, want: []string{`"field":"parent_id"`}},
			{name: "seller cannot rename", method: "PUT", path: "/api/v1/category/{leaf}", who: "s1", body: `{"name": "Tees"}`, status: 403},
			{name: "rename keeps slug", method: "PUT", path: "/api/v1/category/{leaf}", who: "admin", body: `{"name": "Tees"}`, status: 200,
				want: []string{`"name":"Tees"`, `"slug":"t-shirts"`}, events: []string{catalog.TopicCategoryChanged.Name()}},
			{name: "taken slug", method: "PUT", path: "/api/v1/category/{leaf}", who: "admin", body: `{"slug": "clothing"}`, status: 409, want: []string{`"code":"slug_taken"`}},
			{name: "delete with children", method: "DELETE", path: "/api/v1/category/{root}", who: "admin", status: 409, want: []string{`"code":"category_in_use"`}},
			{name: "delete leaf", method: "DELETE", path: "/api/v1/category/{dup}", who: "admin", status: 204, events: []string{catalog.TopicCategoryChanged.Name()}},

			// Creating products.
			{name: "seller creates product", method: "POST", path: "/api/v1/product", who: "s1", body: teeBody, status: 201,
				want: []string{`"id":"prd_`, `"slug":"cotton-tee"`, `"seller_id":"sel_1"`, `"sku":"TS-RED-M"`, `"id":"var_`, `"price":{"amount":1999,"currency":"USD"}`,
					`"available":7`, `"category":{"id":"{leaf}","name":"Tees","slug":"t-shirts","path":["Clothing"]}`, `"price_min":{"amount":1999`, `"images":[]`},
				events: []string{catalog.TopicProductCreated.Name()}, save: "p1"},
			{name: "same title gets another slug", method: "POST", path: "/api/v1/product", who: "s2",
				body: `{"title": "Cotton Tee", "category_id": "{root}", "variants": [{"sku": "S2-TEE", "price": {"amount": 500, "currency": "EUR"}}]}`, status: 201,
				want: []string{`"slug":"cotton-tee-`, `"status":"draft"`, `"seller_id":"sel_2"`, `"available":0`}, events: []string{catalog.TopicProductCreated.Name()}, save: "p2"},
			{name: "sku taken", method: "POST", path: "/api/v1/product", who: "s2",
				body:   `{"title": "Copy", "category_id": "{leaf}", "variants": [{"sku": "S2-NEW", "price": {"amount": 1, "currency": "USD"}}, {"sku": "TS-RED-M", "options": {"size": "L"}, "price": {"amount": 1, "currency": "USD"}}]}`,
				status: 409, want: []string{`"code":"sku_taken"`, `"field":"variants[1].sku"`}},
			{name: "negative price", method: "POST", path: "/api/v1/product", who: "s1",
				body:   `{"title": "Neg", "category_id": "{leaf}", "variants": [{"sku": "NEG-1", "price": {"amount": -1, "currency": "USD"}}]}`,
				status: 400, want: []string{`"code":"validation_failed"`, `"field":"variants[0].price.amount"`}},
			{name: "missing fields", method: "POST", path: "/api/v1/product", who: "s1", body: `{}`, status: 400,
				want: []string{`"field":"title"`, `"field":"category_id"`, `"field":"variants"`}},
			{name: "mixed currencies", method: "POST", path: "/api/v1/product", who: "s1",
				body:   `{"title": "Mix", "category_id": "{leaf}", "variants": [{"sku": "MIX-1", "options": {"s": "1"}, "price": {"amount": 1, "currency": "USD"}}, {"sku": "MIX-2", "options": {"s": "2"}, "price": {"amount": 1, "currency": "EUR"}}]}`,
				status: 400, want: []string{`"field":"variants[1].price.currency"`}},
			{name: "bad sku", method: "POST", path: "/api/v1/product", who: "s1",
				body:   `{"title": "Bad", "category_id": "{leaf}", "variants": [{"sku": "no spaces", "price": {"amount": 1, "currency": "USD"}}]}`,
				status: 400, want: []string{`"field":"variants[0].sku"`}},
			{name: "unknown category", method: "POST", path: "/api/v1/product", who: "s1",
				body:   `{"title": "Lost", "category_id": "cat_nope", "variants": [{"sku": "LOST-1", "price": {"amount": 1, "currency": "USD"}}]}`,
				status: 400, want: []string{`"field":"category_id"`}},
			{name: "owner from the client is refused", method: "POST", path: "/api/v1/product", who: "s1",
				body:   `{"title": "Mine", "seller_id": "sel_2", "category_id": "{leaf}", "variants": [{"sku": "MINE-1", "price": {"amount": 1, "currency": "USD"}}]}`,
				status: 400, want: []string{`"code":"unknown_field"`, `"field":"seller_id"`}},
			{name: "variant id from the client is refused", method: "POST", path: "/api/v1/product", who: "s1",
				body:   `{"title": "Mine", "category_id": "{leaf}", "variants": [{"id": "var_x", "sku": "MINE-1", "price": {"amount": 1, "currency": "USD"}}]}`,
				status: 400, want: []string{`"code":"unknown_field"`}},
			{name: "malformed product", method: "POST", path: "/api/v1/product", who: "s1", body: `{"title": "x",}`, status: 400, want: []string{`"code":"malformed_json"`}},
			{name: "wrong type", method: "POST", path: "/api/v1/product", who: "s1", body: `{"title": 5}`, status: 400, want: []string{`"field":"title"`}},
			{name: "customer cannot sell", method: "POST", path: "/api/v1/product", who: "customer", body: teeBody, status: 403},
			{name: "anonymous cannot sell", method: "POST", path: "/api/v1/product", body: teeBody, status: 401},
			{name: "no store yet", method: "POST", path: "/api/v1/product", who: "nostore", body: teeBody, status: 409, want: []string{`"code":"store_required"`, `create your store`}},
			{name: "suspended store", method: "POST", path: "/api/v1/product", who: "suspend", body: teeBody, status: 403, want: []string{`"code":"seller_suspended"`}},

			// Reading products.
			{name: "active product by id", method: "GET", path: "/api/v1/product/{p1}", status: 200, want: []string{`"title":"Cotton Tee"`, `"available":7`}},
			{name: "active product by slug", method: "GET", path: "/api/v1/product/cotton-tee", status: 200, want: []string{`"id":"{p1}"`}},
			{name: "draft hidden from anonymous", method: "GET", path: "/api/v1/product/{p2}", status: 404},
			{name: "draft hidden from other seller", method: "GET", path: "/api/v1/product/{p2}", who: "s1", status: 404},
			{name: "draft seen by owner", method: "GET", path: "/api/v1/product/{p2}", who: "s2", status: 200, want: []string{`"status":"draft"`}},
			{name: "draft seen by admin", method: "GET", path: "/api/v1/product/{p2}", who: "admin", status: 200},
			{name: "missing product", method: "GET", path: "/api/v1/product/prd_nope", status: 404},
			{name: "list shows active only", method: "GET", path: "/api/v1/product", status: 200, want: []string{`"id":"{p1}"`}, absent: []string{`{p2}`}},
			{name: "list by category includes sub-categories", method: "GET", path: "/api/v1/product?category=clothing", status: 200, want: []string{`"id":"{p1}"`}},
			{name: "list by other category", method: "GET", path: "/api/v1/product?category={spare}", status: 200, want: []string{`"items":[]`}},
			{name: "list other seller's drafts refused", method: "GET", path: "/api/v1/product?status=draft", who: "s2", status: 400, want: []string{`"field":"status"`}},
			{name: "admin lists drafts", method: "GET", path: "/api/v1/product?status=draft", who: "admin", status: 200, want: []string{`{p2}`}, absent: []string{`{p1}`}},
			{name: "seller lists own", method: "GET", path: "/api/v1/seller/product", who: "s2", status: 200, want: []string{`{p2}`}, absent: []string{`{p1}`}},
			{name: "seller's list never has others'", method: "GET", path: "/api/v1/seller/product?seller=sel_2", who: "s1", status: 200, want: []string{`{p1}`}, absent: []string{`{p2}`}},
			{name: "customer has no seller list", method: "GET", path: "/api/v1/seller/product", who: "customer", status: 403},
			{name: "bad price", method: "GET", path: "/api/v1/product?price_min=abc&price_max=-1", status: 400, want: []string{`"field":"price_min"`, `"field":"price_max"`}},
			{name: "inverted price range", method: "GET", path: "/api/v1/product?price_min=10&price_max=5", status: 400, want: []string{`"field":"price_max"`}},
			{name: "bad sort", method: "GET", path: "/api/v1/product?sort=cheapest", status: 400, want: []string{`"field":"sort"`}},
			{name: "bad limit", method: "GET", path: "/api/v1/product?limit=1000", status: 400, want: []string{`"field":"limit"`}},
			{name: "bad cursor", method: "GET", path: "/api/v1/product?cursor=garbage", status: 400, want: []string{`"field":"cursor"`}},
			{name: "unknown category filter", method: "GET", path: "/api/v1/product?category=nope", status: 400, want: []string{`"field":"category"`}},
			{name: "bad currency", method: "GET", path: "/api/v1/product?currency=dollars", status: 400, want: []string{`"field":"currency"`}},

			// Changing products.
			{name: "other seller cannot update", method: "PUT", path: "/api/v1/product/{p1}", who: "s2", body: teeBody, status: 404, want: []string{`"code":"not_found"`}},
			{name: "other seller cannot archive", method: "DELETE", path: "/api/v1/product/{p1}", who: "s2", status: 404},
			{name: "customer cannot archive", method: "DELETE", path: "/api/v1/product/{p1}", who: "customer", status: 403},
			{name: "update validates", method: "PUT", path: "/api/v1/product/{p1}", who: "s1", body: `{"title": "", "category_id": "{leaf}", "variants": []}`, status: 400,
				want: []string{`"field":"title"`, `"field":"variants"`}},
			{name: "update cannot take another's sku", method: "PUT", path: "/api/v1/product/{p1}", who: "s1",
				body: `{"title": "Cotton Tee", "category_id": "{leaf}", "variants": [{"sku": "S2-TEE", "price": {"amount": 1, "currency": "USD"}}]}`, status: 409, want: []string{`"code":"sku_taken"`}},
			{name: "owner updates", method: "PUT", path: "/api/v1/product/{p1}", who: "s1",
				body:   `{"title": "Cotton Tee v2", "brand": "Acme", "category_id": "{leaf}", "variants": [{"sku": "TS-RED-M", "options": {"size": "M"}, "price": {"amount": 2499, "currency": "USD"}}, {"sku": "TS-RED-L", "options": {"size": "L"}, "price": {"amount": 2599, "currency": "USD"}}]}`,
				status: 200, want: []string{`"title":"Cotton Tee v2"`, `"slug":"cotton-tee"`, `"status":"active"`, `"sku":"TS-RED-L"`, `"price_max":{"amount":2599`}, events: []string{catalog.TopicProductUpdated.Name()}},
			{name: "admin updates any", method: "PUT", path: "/api/v1/product/{p2}", who: "admin",
				body:   `{"title": "Moderated", "category_id": "{root}", "variants": [{"sku": "S2-TEE", "price": {"amount": 500, "currency": "EUR"}}]}`,
				status: 200, want: []string{`"title":"Moderated"`, `"seller_id":"sel_2"`}, events: []string{catalog.TopicProductUpdated.Name()}},

			// Images.
			{name: "owner uploads png", method: "POST", path: "/api/v1/product/{p1}/image", who: "s1", ctype: "image/png", body: string(pngBytes(t, 3, 2)), status: 201,
				want: []string{`"id":"img_`, `"url":"/api/v1/image/img_`, `"content_type":"image/png"`, `"width":3`, `"height":2`}, events: []string{catalog.TopicProductUpdated.Name()}, save: "img1"},
			{name: "owner uploads multipart", method: "POST", path: "/api/v1/product/{p1}/image", who: "s1", ctype: mpType, body: string(mp), status: 201,
				want: []string{`"width":5`, `"height":4`}, absent: []string{"passwd"}, events: []string{catalog.TopicProductUpdated.Name()}, save: "img2"},
			{name: "multipart without file", method: "POST", path: "/api/v1/product/{p1}/image", who: "s1", ctype: mpWrongType, body: string(mpWrongField), status: 400, want: []string{`"field":"file"`}},
			{name: "other seller cannot upload", method: "POST", path: "/api/v1/product/{p1}/image", who: "s2", ctype: "image/png", body: string(pngBytes(t, 1, 1)), status: 404},
			{name: "declared type must match", method: "POST", path: "/api/v1/product/{p1}/image", who: "s1", ctype: "image/png", body: string(jpegBytes(t)), status: 400, want: []string{`"code":"content_type_mismatch"`}},
			{name: "not an image", method: "POST", path: "/api/v1/product/{p1}/image", who: "s1", ctype: "image/gif", body: "<html>hi</html>", status: 400, want: []string{`"code":"unsupported_image_type"`}},
			{name: "text is not accepted", method: "POST", path: "/api/v1/product/{p1}/image", who: "s1", ctype: "text/plain", body: "hello", status: 400, want: []string{`"code":"unsupported_media_type"`}},
			{name: "broken png", method: "POST", path: "/api/v1/product/{p1}/image", who: "s1", ctype: "image/png", body: "\x89PNG\r\n\x1a\nbroken", status: 400, want: []string{`"code":"invalid_image"`}},
			{name: "too large", method: "POST", path: "/api/v1/product/{p1}/image", who: "s1", ctype: "image/png", body: string(bigImage), status: 413, want: []string{`"code":"image_too_large"`}},
			{name: "product shows images in order", method: "GET", path: "/api/v1/product/{p1}", status: 200, want: []string{`"images":[{"id":"{img1}"`, `{"id":"{img2}"`}},
			{name: "other seller cannot delete image", method: "DELETE", path: "/api/v1/product/{p1}/image/{img1}", who: "s2", status: 404},
			{name: "image of another product", method: "DELETE", path: "/api/v1/product/{p2}/image/{img1}", who: "admin", status: 404},
			{name: "owner deletes image", method: "DELETE", path: "/api/v1/product/{p1}/image/{img1}", who: "s1", status: 204, events: []string{catalog.TopicProductUpdated.Name()}},
			{name: "deleted image is gone", method: "GET", path: "/api/v1/image/{img1}", status: 404},
			{name: "other image still served", method: "GET", path: "/api/v1/image/{img2}", status: 200},
			{name: "image path traversal", method: "GET", path: "/api/v1/image/..%2f..%2fetc%2fpasswd", status: 404},

			// Archiving.
			{name: "category with products", method: "DELETE", path: "/api/v1/category/{leaf}", who: "admin", status: 409, want: []string{`"code":"category_in_use"`}},
			{name: "owner archives", method: "DELETE", path: "/api/v1/product/{p1}", who: "s1", status: 204, events: []string{catalog.TopicProductArchived.Name()}},
			{name: "archive twice", method: "DELETE", path: "/api/v1/product/{p1}", who: "s1", status: 204},
			{name: "archived hidden", method: "GET", path: "/api/v1/product/{p1}", status: 404},
			{name: "archived seen by owner", method: "GET", path: "/api/v1/product/{p1}", who: "s1", status: 200, want: []string{`"status":"archived"`}},
			{name: "archived not listed", method: "GET", path: "/api/v1/product", status: 200, want: []string{`"items":[]`}},
		}
		for _, tt := range tests {
			expand := func(s string) string {
				for k, v := range vars {
					s = strings.ReplaceAll(s, "{"+k+"}", v)
				}
				return s
			}
			ctype := tt.ctype
			if ctype == "" && tt.body != "" {
				ctype = "application/json"
			}
			before, beforeSnap := e.topics(t), e.snapshot(t)
			rec := e.do(t, tt.method, expand(tt.path), tt.who, ctype, []byte(expand(tt.body)))
			body := rec.Body.String()
			if rec.Code != tt.status {
				t.Errorf("%s: %s %s as %q = %d, want %d; body %s", tt.name, tt.method, tt.path, tt.who, rec.Code, tt.status, body)
				continue
			}
			if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: error Content-Type = %q, want application/problem+json", tt.name, rec.Header().Get("Content-Type"))
			}
			for _, w := range tt.want {
				if !strings.Contains(body, expand(w)) {
					t.Errorf("%s: body lacks %s: %s", tt.name, expand(w), body)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(body, expand(w)) {
					t.Errorf("%s: body has %s: %s", tt.name, expand(w), body)
				}
			}
			after := e.topics(t)
			if diff := cmp.Diff(tt.events, after[len(before):], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: events (-want +got):\n%s", tt.name, diff)
			}
			if rec.Code >= 300 || tt.method == "GET" {
				if snap := e.snapshot(t); snap != beforeSnap {
					t.Errorf("%s: the request changed the catalog:\nbefore:\n%s\nafter:\n%s", tt.name, beforeSnap, snap)
				}
			}
			if tt.save != "" {
				var v struct{ ID string }
				if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.ID == "" {
					t.Fatalf("%s: no id in %s", tt.name, body)
				}
				vars[tt.save] = v.ID
			}
		}
	})
}

// TestUpdateKeepsVariantIDs checks that PUT matches variants by SKU.
func TestUpdateKeepsVariantIDs(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLite(t))
	cat, err := e.svc.CreateCategory(e.ctxs["admin"], catalog.NewCategory{Name: "Cups"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.CreateProduct(e.ctxs["s1"], catalog.NewProduct{Title: "Cup", CategoryID: cat.ID, Status: catalog.Active, Variants: []catalog.NewVariant{
		{SKU: "CUP-S", Options: map[string]string{"size": "S"}, Price: moneyUSD(100)},
		{SKU: "CUP-M", Options: map[string]string{"size": "M"}, Price: moneyUSD(200)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rec := e.do(t, "PUT", string("/api/v1/product/"+p.ID), "s1", "application/json", []byte(`{"title": "Cup", "category_id": "`+cat.ID+`", "variants": [
		{"sku": "CUP-L", "options": {"size": "L"}, "price": {"amount": 300, "currency": "USD"}},
		{"sku": "CUP-M", "options": {"size": "M"}, "price": {"amount": 250, "currency": "USD"}}]}`))
	if rec.Code != 200 {
		t.Fatalf("PUT = %d %s", rec.Code, rec.Body)
	}
	var got catalog.Product
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	type v struct {
		SKU    string
		Amount int64
		SameID bool
	}
	var gotVs []v
	for _, x := range got.Variants {
		gotVs = append(gotVs, v{x.SKU, x.Price.Amount, x.ID == p.Variants[1].ID})
	}
	want := []v{{"CUP-L", 300, false}, {"CUP-M", 250, true}}
	if diff := cmp.Diff(want, gotVs); diff != "" {
		t.Errorf("variants (-want +got):\n%s", diff)
	}
	if got.PriceMin.Amount != 250 || got.PriceMax.Amount != 300 || got.Status != catalog.Active {
		t.Errorf("price range %v..%v status %s, want 250..300 active", got.PriceMin, got.PriceMax, got.Status)
	}
	// CUP-S is free again.
	if _, err := e.svc.SKU(context.Background(), "CUP-S"); err == nil {
		t.Errorf("SKU(CUP-S) still exists")
	}
	k, err := e.svc.SKU(context.Background(), "CUP-M")
	if err != nil || !k.Active || k.ProductID != p.ID || k.Price.Amount != 250 {
		t.Errorf("SKU(CUP-M) = %+v, %v", k, err)
	}
}

// TestListPaging pages through sorted, filtered lists over HTTP.
func TestListPaging(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.ctxs["admin"]
		root, _ := e.svc.CreateCategory(admin, catalog.NewCategory{Name: "Root"})
		sub, _ := e.svc.CreateCategory(admin, catalog.NewCategory{Name: "Sub", ParentID: &root.ID})
		other, _ := e.svc.CreateCategory(admin, catalog.NewCategory{Name: "Other"})
		prices := []int64{500, 100, 300, 100, 900, 300}
		titles := map[id.Product]string{}
		for i, price := range prices {
			cat := []id.Category{root.ID, sub.ID, other.ID}[i%3]
			brand := []string{"Acme", "Bolt"}[i%2]
			p, err := e.svc.CreateProduct(e.ctxs[[]string{"s1", "s2"}[i%2]], catalog.NewProduct{
				Title: fmt.Sprintf("Thing %d", i), Brand: brand, CategoryID: cat, Status: catalog.Active,
				Variants: []catalog.NewVariant{{SKU: fmt.Sprintf("TH-%d", i), Price: moneyUSD(price)}},
			})
			if err != nil {
				t.Fatal(err)
			}
			titles[p.ID] = p.Title
		}
		tests := []struct {
			query string
			want  []string
		}{
			{"sort=price_asc", []string{"Thing 1", "Thing 3", "Thing 2", "Thing 5", "Thing 0", "Thing 4"}},
			{"sort=price_desc", []string{"Thing 4", "Thing 0", "Thing 5", "Thing 2", "Thing 3", "Thing 1"}},
			{"", []string{"Thing 5", "Thing 4", "Thing 3", "Thing 2", "Thing 1", "Thing 0"}},
			{"category=root", []string{"Thing 4", "Thing 3", "Thing 1", "Thing 0"}},
			{"category=sub&sort=price_asc", []string{"Thing 1", "Thing 4"}},
			{"brand=ACME", []string{"Thing 4", "Thing 2", "Thing 0"}},
			{"seller=sel_2&sort=price_asc", []string{"Thing 1", "Thing 3", "Thing 5"}},
			{"price_min=200&price_max=500&sort=price_asc", []string{"Thing 2", "Thing 5", "Thing 0"}},
			{"q=thing%204", []string{"Thing 4"}},
		}
		for _, tt := range tests {
			var got []string
			path := "/api/v1/product?limit=2&" + tt.query
			for range 10 {
				rec := e.do(t, "GET", path, "", "", nil)
				if rec.Code != 200 {
					t.Fatalf("GET %s = %d %s", path, rec.Code, rec.Body)
				}
				var page page.Page[catalog.Product]
				if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
					t.Fatal(err)
				}
				if len(page.Items) > 2 {
					t.Fatalf("GET %s gave %d items, want at most 2", path, len(page.Items))
				}
				for _, p := range page.Items {
					got = append(got, titles[p.ID])
				}
				if page.NextCursor == "" {
					break
				}
				path = "/api/v1/product?limit=2&" + tt.query + "&cursor=" + page.NextCursor
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GET ?%s (-want +got):\n%s", tt.query, diff)
			}
		}
		// A cursor from one sort cannot be used with another.
		rec := e.do(t, "GET", "/api/v1/product?limit=1&sort=price_asc", "", "", nil)
		var page page.Page[catalog.Product]
		json.Unmarshal(rec.Body.Bytes(), &page)
		rec = e.do(t, "GET", "/api/v1/product?sort=newest&cursor="+page.NextCursor, "", "", nil)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"field":"cursor"`) {
			t.Errorf("cursor of another sort = %d %s, want 400 on cursor", rec.Code, rec.Body)
		}
		// One stock lookup per page, not per product.
		calls := e.stock.Calls()
		e.do(t, "GET", "/api/v1/product?limit=6", "", "", nil)
		if n := e.stock.Calls() - calls; n != 1 {
			t.Errorf("a page called Stock.Available %d times, want 1", n)
		}
	})
}

// TestImageServing checks the headers of a served image and conditional GET.
func TestImageServing(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLite(t))
	cat, _ := e.svc.CreateCategory(e.ctxs["admin"], catalog.NewCategory{Name: "Art"})
	p, err := e.svc.CreateProduct(e.ctxs["s1"], catalog.NewProduct{Title: "Print", CategoryID: cat.ID, Variants: []catalog.NewVariant{{SKU: "PRINT", Price: moneyUSD(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	data := pngBytes(t, 7, 3)
	img, err := e.svc.AddImage(e.ctxs["s1"], p.ID, "", data)
	if err != nil {
		t.Fatal(err)
	}
	rec := e.do(t, "GET", img.URL, "", "", nil)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), data) {
		t.Fatalf("GET %s = %d (%d bytes), want 200 with the image", img.URL, rec.Code, rec.Body.Len())
	}
	want := map[string]string{
		"Content-Type":           "image/png",
		"Cache-Control":          "public, max-age=31536000, immutable",
		"X-Content-Type-Options": "nosniff",
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	etag := rec.Header().Get("ETag")
	if len(etag) < 10 {
		t.Fatalf("ETag = %q", etag)
	}
	req := httptest.NewRequest("GET", img.URL, nil)
	req.Header.Set("If-None-Match", etag)
	rec2 := httptest.NewRecorder()
	e.handler.ServeHTTP(rec2, req)
	if rec2.Code != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", rec2.Code)
	}
	// The image of a draft product is in its SKU summary too.
	k, err := e.svc.SKU(context.Background(), "PRINT")
	if err != nil || k.Image != img.URL || k.Active {
		t.Errorf("SKU(PRINT) = %+v, %v; want image %s, inactive", k, err, img.URL)
	}
	// Twenty images at most.
	for i := 1; i < catalog.MaxImages; i++ {
		if _, err := e.svc.AddImage(e.ctxs["s1"], p.ID, "image/png", data); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.AddImage(e.ctxs["s1"], p.ID, "image/png", data); err == nil {
		t.Errorf("AddImage beyond %d images succeeded", catalog.MaxImages)
	}
}

func moneyUSD(amount int64) money.Money { return money.New(amount, "USD") }

// TestSuspendedStore checks that a suspended store can no longer change its
// products, while others still get 404 for them.
func TestSuspendedStore(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLite(t))
	cat, _ := e.svc.CreateCategory(e.ctxs["admin"], catalog.NewCategory{Name: "Art"})
	e.sellers.Put(account.Seller{ID: "sel_3", UserID: "usr_suspend", Status: account.SellerActive})
	p, err := e.svc.CreateProduct(e.ctxs["suspend"], catalog.NewProduct{Title: "Print", CategoryID: cat.ID, Variants: []catalog.NewVariant{{SKU: "PRINT", Price: moneyUSD(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	e.sellers.Put(account.Seller{ID: "sel_3", UserID: "usr_suspend", Status: account.SellerSuspended})
	for _, tc := range []struct {
		who    string
		status int
	}{{"suspend", 403}, {"s1", 404}} {
		rec := e.do(t, "DELETE", string("/api/v1/product/"+p.ID), tc.who, "", nil)
		if rec.Code != tc.status {
			t.Errorf("DELETE as %s = %d %s, want %d", tc.who, rec.Code, rec.Body, tc.status)
		}
	}
	got, err := e.svc.Product(e.ctxs["admin"], string(p.ID))
	if err != nil || got.Status != catalog.Draft {
		t.Errorf("product after refused archive = %s, %v; want draft", got.Status, err)
	}
}
