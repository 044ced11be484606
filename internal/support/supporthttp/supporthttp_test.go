package supporthttp_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
	"github.com/bazaar-market/bazaar/internal/support"
	"github.com/bazaar-market/bazaar/internal/support/supporthttp"
	"github.com/bazaar-market/bazaar/internal/support/supportsql"
	"github.com/bazaar-market/bazaar/internal/support/supporttest"
)

var roles = map[string]auth.Role{
	"usr_ann": auth.Customer, "usr_bob": auth.Customer, "usr_sa": auth.Seller, "usr_sb": auth.Seller,
	"usr_rider": auth.Delivery, "usr_rider2": auth.Delivery, "usr_agent": auth.Support, "usr_adm": auth.Admin,
}

// TestRoutes is the support routes' role matrix: each route as each kind
// of caller, with the status and body it must answer, on both engines.
func TestRoutes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for _, m := range []func(context.Context, *sqldb.DB) error{event.Migrate, supportsql.Migrate} {
			if err := m(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		w := supporttest.NewWorld()
		w.Partners = []id.User{"usr_rider"}
		w.Staff["usr_agent"], w.Staff["usr_adm"] = true, true
		w.SellerOf["usr_sa"], w.SellerOf["usr_sb"] = "sel_a", "sel_b"
		o := w.DeliveredOrder("ord_1", "usr_ann", time.Now().Add(-24*time.Hour), map[string]map[string]int64{"sel_a": {"LAMP": 2}})
		so := o.SellerOrders[0].ID
		svc := support.New(supportsql.New(db), w.Deps(), support.Options{FileDir: t.TempDir()})

		_, key, _ := ed25519.GenerateKey(rand.Reader)
		tokens := auth.NewTokens(key, 15*time.Minute)
		router := rest.NewRouter()
		h := supporthttp.New(svc)
		h.Routes(router)
		srv := httptest.NewServer(tokens.Middleware(nil, rest.Error)(router))
		defer srv.Close()

		ids := map[string]string{"{so}": string(so)}
		expand := func(s string) string {
			for k, v := range ids {
				s = strings.ReplaceAll(s, k, v)
			}
			return s
		}
		png := "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 32)
		tests := []struct {
			name, who, method, path, body, ctype string
			status                               int
			want, absent                         []string
			save                                 string // remember the answer's id as {save}
		}{
			{name: "anonymous lists tickets", method: "GET", path: "/api/v1/ticket", status: 401},
			{name: "delivery lists tickets", who: "usr_rider", method: "GET", path: "/api/v1/ticket", status: 403},
			{name: "seller opens a ticket", who: "usr_sa", method: "POST", path: "/api/v1/ticket", body: `{"subject":"s","body":"b"}`, status: 403},
			{name: "upload a photo", who: "usr_ann", method: "POST", path: "/api/v1/attachment?name=crack.png", body: png, ctype: "image/png",
				status: 201, want: []string{`"content_type":"image/png"`, `"name":"crack.png"`}, save: "{photo}"},
			{name: "upload text as PNG", who: "usr_ann", method: "POST", path: "/api/v1/attachment", body: "hello", ctype: "image/png",
				status: 415, want: []string{`"code":"unsupported_media_type"`}},
			{name: "upload text", who: "usr_ann", method: "POST", path: "/api/v1/attachment", body: "hello", ctype: "text/plain",
				status: 415, want: []string{`"code":"unsupported_media_type"`}},
			{name: "upload too big", who: "usr_ann", method: "POST", path: "/api/v1/attachment",
				body: "%PDF-" + strings.Repeat("x", support.MaxAttachmentSize), ctype: "application/pdf",
				status: 413, want: []string{`"code":"attachment_too_large"`}},
			{name: "open a ticket", who: "usr_ann", method: "POST", path: "/api/v1/ticket",
				body: `{"subject":"Cracked lamp","body":"See photo","seller_order_id":"{so}","attachments":["{photo}"]}`, status: 201,
				want: []string{`"status":"open"`, `"seller_id":"sel_a"`, `"category":"order"`, `"author_name":"You"`, `"url":"/api/v1/attachment/{photo}"`}, save: "{t}"},
			{name: "mass assignment", who: "usr_ann", method: "POST", path: "/api/v1/ticket",
				body: `{"subject":"s","body":"b","priority":"urgent"}`, status: 400, want: []string{`"code":"unknown_field"`}},
			{name: "other customer reads", who: "usr_bob", method: "GET", path: "/api/v1/ticket/{t}", status: 404},
			{name: "other seller reads", who: "usr_sb", method: "GET", path: "/api/v1/ticket/{t}", status: 404},
			{name: "other customer reads the photo", who: "usr_bob", method: "GET", path: "/api/v1/attachment/{photo}", status: 404},
			{name: "seller reads the photo", who: "usr_sa", method: "GET", path: "/api/v1/attachment/{photo}", status: 200, want: []string{"PNG"}},
			{name: "seller's internal note", who: "usr_sa", method: "POST", path: "/api/v1/ticket/{t}/message",
				body: `{"body":"psst","internal":true}`, status: 400, want: []string{`"field":"internal"`}},
			{name: "internal note", who: "usr_agent", method: "POST", path: "/api/v1/ticket/{t}/message",
				body: `{"body":"repeat offender","internal":true}`, status: 201, want: []string{`"internal":true`}},
			{name: "seller replies", who: "usr_sa", method: "POST", path: "/api/v1/ticket/{t}/message",
				body: `{"body":"Sending a new one"}`, status: 201},
			{name: "customer's thread", who: "usr_ann", method: "GET", path: "/api/v1/ticket/{t}", status: 200,
				want: []string{`"status":"awaiting_customer"`, `"author_name":"Seller"`, `"message_count":2`}, absent: []string{"repeat offender", `"assignee_id"`}},
			{name: "customer's list counts no note", who: "usr_ann", method: "GET", path: "/api/v1/ticket", status: 200,
				want: []string{`"message_count":2`}},
			{name: "seller's list", who: "usr_sa", method: "GET", path: "/api/v1/ticket", status: 200, want: []string{`"id":"{t}"`}},
			{name: "other seller's list", who: "usr_sb", method: "GET", path: "/api/v1/ticket", status: 200, want: []string{`{"items":[]}`}},
			{name: "staff thread", who: "usr_agent", method: "GET", path: "/api/v1/ticket/{t}", status: 200, want: []string{"repeat offender", `"message_count":3`}},
			{name: "customer sets priority", who: "usr_ann", method: "PUT", path: "/api/v1/ticket/{t}", body: `{"priority":"urgent"}`, status: 403},
			{name: "assign to a customer", who: "usr_agent", method: "PUT", path: "/api/v1/ticket/{t}", body: `{"assignee_id":"usr_ann"}`,
				status: 400, want: []string{`"field":"assignee_id"`}},
			{name: "assign and prioritise", who: "usr_agent", method: "PUT", path: "/api/v1/ticket/{t}",
				body: `{"assignee_id":"usr_agent","priority":"high"}`, status: 200, want: []string{`"assignee_id":"usr_agent"`, `"priority":"high"`}},
			{name: "queue filters", who: "usr_agent", method: "GET", path: "/api/v1/ticket?assignee=me&priority=high&open=true", status: 200,
				want: []string{`"id":"{t}"`}},
			{name: "bad filter", who: "usr_agent", method: "GET", path: "/api/v1/ticket?overdue=maybe", status: 400, want: []string{`"field":"overdue"`}},
			{name: "seller resolves", who: "usr_sa", method: "PUT", path: "/api/v1/ticket/{t}/resolve", status: 403},
			{name: "reopen an open ticket", who: "usr_ann", method: "PUT", path: "/api/v1/ticket/{t}/reopen", status: 409,
				want: []string{`"code":"illegal_transition"`}},
			{name: "resolve", who: "usr_ann", method: "PUT", path: "/api/v1/ticket/{t}/resolve", status: 200, want: []string{`"status":"resolved"`}},
			{name: "eligibility", who: "usr_ann", method: "GET", path: "/api/v1/return/eligibility/{so}", status: 200,
				want: []string{`"open":true`, `"available":2`}},
			{name: "other's eligibility", who: "usr_bob", method: "GET", path: "/api/v1/return/eligibility/{so}", status: 404},
			{name: "return too many", who: "usr_ann", method: "POST", path: "/api/v1/return",
				body: `{"seller_order_id":"{so}","lines":[{"sku":"LAMP","quantity":3,"reason":"damaged"}]}`, status: 422,
				want: []string{`"code":"quantity_exceeds_delivered"`, `"field":"lines[0].quantity"`}},
			{name: "seller requests a return", who: "usr_sa", method: "POST", path: "/api/v1/return",
				body: `{"seller_order_id":"{so}","lines":[{"sku":"LAMP","quantity":1,"reason":"damaged"}]}`, status: 403},
			{name: "request a return", who: "usr_ann", method: "POST", path: "/api/v1/return",
				body:   `{"seller_order_id":"{so}","lines":[{"sku":"LAMP","quantity":1,"reason":"damaged"}],"comment":"cracked"}`,
				status: 201, want: []string{`"status":"requested"`, `"refund":{"amount":0,"currency":"USD"}`}, save: "{r}"},
			{name: "other seller approves", who: "usr_sb", method: "PUT", path: "/api/v1/return/{r}/approve", status: 404},
			{name: "customer approves", who: "usr_ann", method: "PUT", path: "/api/v1/return/{r}/approve", status: 403},
			{name: "receive before approval", who: "usr_sa", method: "PUT", path: "/api/v1/return/{r}/receive",
				body: `{"lines":[{"sku":"LAMP","quantity":1,"condition":"sellable"}]}`, status: 409},
			{name: "approve", who: "usr_sa", method: "PUT", path: "/api/v1/return/{r}/approve", status: 200,
				want: []string{`"status":"approved"`, `"partner_id":"usr_rider"`, `"status":"scheduled"`}},
			{name: "unassigned partner", who: "usr_rider2", method: "PUT", path: "/api/v1/return/{r}/pickup", body: `{"status":"picked_up"}`, status: 404},
			{name: "seller records pickup", who: "usr_sa", method: "PUT", path: "/api/v1/return/{r}/pickup", body: `{"status":"picked_up"}`, status: 403},
			{name: "partner's pickups", who: "usr_rider", method: "GET", path: "/api/v1/return", status: 200, want: []string{`"id":"{r}"`}},
			{name: "picked up", who: "usr_rider", method: "PUT", path: "/api/v1/return/{r}/pickup",
				body: `{"status":"picked_up","location":"Springfield"}`, status: 200, want: []string{`"status":"in_transit"`}},
			{name: "cancel after pickup", who: "usr_ann", method: "PUT", path: "/api/v1/return/{r}/cancel", status: 409},
			{name: "refund by a seller", who: "usr_sa", method: "PUT", path: "/api/v1/return/{r}/refund", body: `{"note":"x"}`, status: 403},
			{name: "receive a bad condition", who: "usr_sa", method: "PUT", path: "/api/v1/return/{r}/receive",
				body: `{"lines":[{"sku":"LAMP","quantity":1,"condition":"meh"}]}`, status: 400, want: []string{`"field":"lines[0].condition"`}},
			{name: "receive more lines than a return holds", who: "usr_sa", method: "PUT", path: "/api/v1/return/{r}/receive",
				body: `{"lines":[` + strings.Repeat(`{"sku":"LAMP","quantity":1,"condition":"sellable"},`, support.MaxReturnLines) + `{"sku":"LAMP","quantity":1,"condition":"sellable"}]}`, status: 400, want: []string{`"field":"lines"`}},
			{name: "receive", who: "usr_sa", method: "PUT", path: "/api/v1/return/{r}/receive",
				body: `{"lines":[{"sku":"LAMP","quantity":1,"condition":"sellable"}]}`, status: 200,
				want: []string{`"status":"refunded"`, `"refund":{"amount":1100,"currency":"USD"}`, `"restocked":1`}, absent: []string{`"actor_id"`}},
			{name: "receive again", who: "usr_sa", method: "PUT", path: "/api/v1/return/{r}/receive",
				body: `{"lines":[{"sku":"LAMP","quantity":1,"condition":"sellable"}]}`, status: 409, want: []string{`"code":"illegal_transition"`}},
			{name: "staff sees actors", who: "usr_agent", method: "GET", path: "/api/v1/return/{r}", status: 200, want: []string{`"actor_id":"usr_sa"`}},
			{name: "other customer reads the return", who: "usr_bob", method: "GET", path: "/api/v1/return/{r}", status: 404},
			{name: "customer's returns", who: "usr_ann", method: "GET", path: "/api/v1/return?status=refunded", status: 200, want: []string{`"id":"{r}"`}},
			{name: "bad status filter", who: "usr_ann", method: "GET", path: "/api/v1/return?status=lost", status: 400},
			{name: "set a policy", who: "usr_sa", method: "PUT", path: "/api/v1/seller/return-policy",
				body: `{"window_days":30,"auto_approve":["damaged","defective"]}`, status: 200, want: []string{`"window_days":30`}},
			{name: "more auto-approve reasons than there are", who: "usr_sa", method: "PUT", path: "/api/v1/seller/return-policy",
				body: `{"window_days":30,"auto_approve":["damaged","damaged","damaged","damaged","damaged","damaged","damaged","damaged"]}`, status: 400,
				want: []string{`"field":"auto_approve"`}},
			{name: "bad policy", who: "usr_sa", method: "PUT", path: "/api/v1/seller/return-policy",
				body: `{"window_days":400,"auto_approve":["bored"]}`, status: 400, want: []string{`"field":"window_days"`, `"field":"auto_approve[0]"`}},
			{name: "customer reads a policy", who: "usr_ann", method: "GET", path: "/api/v1/seller/return-policy", status: 403},
			{name: "staff read a seller's policy", who: "usr_agent", method: "GET", path: "/api/v1/seller/return-policy?seller=sel_a", status: 200,
				want: []string{`"window_days":30`}},
			{name: "support marks a category", who: "usr_agent", method: "PUT", path: "/api/v1/admin/return-policy/category/cat_x",
				body: `{"returnable":false}`, status: 403},
			{name: "unknown category", who: "usr_adm", method: "PUT", path: "/api/v1/admin/return-policy/category/cat_x",
				body: `{"returnable":false}`, status: 404},
			{name: "non-returnable list", who: "usr_agent", method: "GET", path: "/api/v1/admin/return-policy/category", status: 200,
				want: []string{`{"categories":[]}`}},
		}
		for _, tc := range tests {
			req, _ := http.NewRequest(tc.method, srv.URL+expand(tc.path), strings.NewReader(expand(tc.body)))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.who != "" {
				tok, _, err := tokens.Issue(auth.Principal{UserID: id.User(tc.who), Role: roles[tc.who]})
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Errorf("%s: %s %s = %d, want %d; body %.300s", tc.name, tc.method, tc.path, res.StatusCode, tc.status, b)
				continue
			}
			if res.StatusCode >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s: error answered as %s", tc.name, res.Header.Get("Content-Type"))
			}
			for _, w := range tc.want {
				if !bytes.Contains(b, []byte(expand(w))) {
					t.Errorf("%s: body %.500s lacks %s", tc.name, b, expand(w))
				}
			}
			for _, w := range tc.absent {
				if bytes.Contains(b, []byte(expand(w))) {
					t.Errorf("%s: body %.500s has %s", tc.name, b, expand(w))
				}
			}
			if tc.save != "" {
				var v struct{ ID string }
				if err := json.Unmarshal(b, &v); err != nil || v.ID == "" {
					t.Fatalf("%s: no id in %s", tc.name, b)
				}
				ids[tc.save] = v.ID
			}
		}

		// Every route is documented, and only those.
		if _, err := rest.OpenAPI(rest.Spec{Title: "t", Version: "1", Ops: h.Ops()}); err != nil {
			t.Errorf("OpenAPI: %v", err)
		}
		var documented []string
		for _, op := range h.Ops() {
			documented = append(documented, op.Method+" "+op.Path)
		}
		slices.Sort(documented)
		if diff := cmp.Diff(router.Routes(), documented); diff != "" {
			t.Errorf("documented routes (-registered +documented):\n%s", diff)
		}
	})
}
