package notifyhttp_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/notify/notifyhttp"
	"github.com/bazaar-market/bazaar/internal/notify/notifysql"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

var roles = map[string]auth.Role{
	"usr_ann": auth.Customer, "usr_bob": auth.Customer, "usr_sa": auth.Seller, "usr_rider": auth.Delivery,
	"usr_agent": auth.Support, "usr_adm": auth.Admin,
}

type bus map[string]event.Handler

func (b bus) Subscribe(consumer, topic string, h event.Handler) { b[topic] = h }

type people struct{}

func (people) Contact(ctx context.Context, u id.User) (notify.Contact, error) {
	return notify.Contact{Email: string(u) + "@example.com"}, nil
}

func (people) SellerOwner(ctx context.Context, s id.Seller) (id.User, error) {
	if s == "sel_a" {
		return "usr_sa", nil
	}
	return "", apperr.NotFound("seller %s not found", s)
}

// TestRoutes is the notify routes' role matrix, on both engines.
func TestRoutes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := notifysql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		svc := notify.New(notifysql.New(db), people{}, notify.Options{})
		b := bus{}
		svc.Subscribe(b)
		raw, _ := json.Marshal(order.PaidEvent{OrderID: "ord_1", CustomerID: "usr_ann", SellerOrders: []order.PaidSeller{{SellerOrderID: "sor_1", SellerID: "sel_a"}}})
		if err := b[order.TopicPaid.Name()](ctx, event.Event{ID: "evt_1", Topic: order.TopicPaid.Name(), Payload: raw}); err != nil {
			t.Fatal(err)
		}
		raw, _ = json.Marshal(order.Placed{OrderID: "ord_2", CustomerID: "usr_ann", Total: money.New(500, "USD")})
		if err := b[order.TopicPlaced.Name()](ctx, event.Event{ID: "evt_2", Topic: order.TopicPlaced.Name(), Payload: raw}); err != nil {
			t.Fatal(err)
		}
		admin := auth.With(ctx, auth.Principal{UserID: "usr_adm", Role: auth.Admin})
		ms, err := svc.Mails(admin, notify.MailQuery{})
		if err != nil || len(ms.Items) != 2 {
			t.Fatalf("Mails = %+v, %v", ms, err)
		}
		inbox, _ := svc.Inbox(auth.With(ctx, auth.Principal{UserID: "usr_ann", Role: auth.Customer}), "", 1)

		_, key, _ := ed25519.GenerateKey(rand.Reader)
		tokens := auth.NewTokens(key, 15*time.Minute)
		router := rest.NewRouter()
		notifyhttp.New(svc).Routes(router)
		srv := httptest.NewServer(tokens.Middleware(nil, rest.Error)(router))
		defer srv.Close()
		ids := map[string]string{"{n}": string(inbox.Items[0].ID), "{mail}": string(ms.Items[0].ID)}
		expand := func(s string) string {
			for k, v := range ids {
				s = strings.ReplaceAll(s, k, v)
			}
			return s
		}
		tests := []struct {
			name, who, method, path, body string
			status                        int
			want, absent                  []string
		}{
			{name: "anonymous inbox", method: "GET", path: "/api/v1/notification", status: 401},
			{name: "anonymous read all", method: "PUT", path: "/api/v1/notification/read", status: 401},
			{name: "anonymous preferences", method: "GET", path: "/api/v1/notification/preference", status: 401},
			{name: "anonymous outbox", method: "GET", path: "/api/v1/admin/mail", status: 401},
			{name: "inbox", who: "usr_ann", method: "GET", path: "/api/v1/notification?limit=1", status: 200,
				want:   []string{`"unread":2`, `"title":"Order placed"`, `"next_cursor"`, `"read_at":null`, `"link":"/orders/ord_2"`},
				absent: []string{"usr_ann"}},
			{name: "bad limit", who: "usr_ann", method: "GET", path: "/api/v1/notification?limit=1000", status: 400, want: []string{`"field":"limit"`}},
			{name: "bad cursor", who: "usr_ann", method: "GET", path: "/api/v1/notification?cursor=zzz", status: 400, want: []string{`"field":"cursor"`}},
			{name: "seller's inbox", who: "usr_sa", method: "GET", path: "/api/v1/notification", status: 200,
				want: []string{`"unread":1`, `"category":"seller_order"`, `"link":"/seller/orders"`}, absent: []string{"ord_2"}},
			{name: "someone else's inbox is empty", who: "usr_bob", method: "GET", path: "/api/v1/notification", status: 200,
				want: []string{`{"items":[],"unread":0}`}},
			{name: "wrong user reads", who: "usr_bob", method: "PUT", path: "/api/v1/notification/{n}/read", status: 404},
			{name: "missing notification", who: "usr_ann", method: "PUT", path: "/api/v1/notification/ntf_missing/read", status: 404},
			{name: "read with a body", who: "usr_ann", method: "PUT", path: "/api/v1/notification/{n}/read", body: `{"read":false}`, status: 400},
			{name: "read", who: "usr_ann", method: "PUT", path: "/api/v1/notification/{n}/read", status: 200,
				want: []string{`"id":"{n}"`, `"read_at":"`}},
			{name: "unread after one read", who: "usr_ann", method: "GET", path: "/api/v1/notification", status: 200, want: []string{`"unread":1`}},
			{name: "read all", who: "usr_ann", method: "PUT", path: "/api/v1/notification/read", status: 200, want: []string{`{"marked":1}`}},
			{name: "preferences", who: "usr_ann", method: "GET", path: "/api/v1/notification/preference", status: 200,
				want: []string{`{"category":"order","in_app":true,"email":true,"email_required":true}`, `{"category":"shipment","in_app":true,"email":true,"email_required":false}`}},
			{name: "turn off transactional mail", who: "usr_ann", method: "PUT", path: "/api/v1/notification/preference",
				body: `{"items":[{"category":"order","in_app":true,"email":false}]}`, status: 400,
				want: []string{`"field":"items[0].email"`, "cannot be turned off"}},
			{name: "unknown category", who: "usr_ann", method: "PUT", path: "/api/v1/notification/preference",
				body: `{"items":[{"category":"promo","in_app":true,"email":false}]}`, status: 400, want: []string{`"field":"items[0].category"`}},
			{name: "unknown field", who: "usr_ann", method: "PUT", path: "/api/v1/notification/preference",
				body: `{"items":[{"category":"shipment","email_required":false}]}`, status: 400, want: []string{`"code":"unknown_field"`}},
			{name: "empty preferences", who: "usr_ann", method: "PUT", path: "/api/v1/notification/preference", body: `{"items":[]}`, status: 400,
				want: []string{`"field":"items"`}},
			{name: "set preferences", who: "usr_ann", method: "PUT", path: "/api/v1/notification/preference",
				body: `{"items":[{"category":"shipment","in_app":true,"email":false}]}`, status: 200,
				want: []string{`{"category":"shipment","in_app":true,"email":false,"email_required":false}`}},
			{name: "customer reads the outbox", who: "usr_ann", method: "GET", path: "/api/v1/admin/mail", status: 403},
			{name: "seller reads the outbox", who: "usr_sa", method: "GET", path: "/api/v1/admin/mail", status: 403},
			{name: "support reads the outbox", who: "usr_agent", method: "GET", path: "/api/v1/admin/mail", status: 403},
			{name: "partner reads a mail", who: "usr_rider", method: "GET", path: "/api/v1/admin/mail/{mail}", status: 403},
			{name: "outbox", who: "usr_adm", method: "GET", path: "/api/v1/admin/mail?status=pending&limit=1", status: 200,
				want: []string{`"status":"pending"`, `"attempts":0`, `"next_cursor"`}, absent: []string{`"html"`}},
			{name: "bad outbox status", who: "usr_adm", method: "GET", path: "/api/v1/admin/mail?status=lost", status: 400, want: []string{`"field":"status"`}},
			{name: "a mail", who: "usr_adm", method: "GET", path: "/api/v1/admin/mail/{mail}", status: 200,
				want: []string{`"id":"{mail}"`, `"text":"`, `"html":"\u003c!DOCTYPE html\u003e`}},
			{name: "missing mail", who: "usr_adm", method: "GET", path: "/api/v1/admin/mail/mal_missing", status: 404},
		}
		for _, tc := range tests {
			req, _ := http.NewRequest(tc.method, srv.URL+expand(tc.path), strings.NewReader(expand(tc.body)))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
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
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Errorf("%s: %s %s = %d, want %d; body %.300s", tc.name, tc.method, tc.path, res.StatusCode, tc.status, body)
				continue
			}
			if res.StatusCode >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s: error answered as %s", tc.name, res.Header.Get("Content-Type"))
			}
			for _, w := range tc.want {
				if !strings.Contains(string(body), expand(w)) {
					t.Errorf("%s: body lacks %s: %.500s", tc.name, expand(w), body)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(string(body), expand(a)) {
					t.Errorf("%s: body has %s: %.500s", tc.name, expand(a), body)
				}
			}
		}
	})
}
