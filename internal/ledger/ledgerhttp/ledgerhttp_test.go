package ledgerhttp_test

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
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/ledger/ledgerhttp"
	"github.com/bazaar-market/bazaar/internal/ledger/ledgersql"
	"github.com/bazaar-market/bazaar/internal/ledger/ledgertest"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

var roles = map[string]auth.Role{
	"usr_sa": auth.Seller, "usr_sb": auth.Seller, "usr_snone": auth.Seller, "usr_ann": auth.Customer,
	"usr_rider": auth.Delivery, "usr_agent": auth.Support, "usr_adm": auth.Admin,
}

// TestRoutes is the ledger routes' role matrix: each route as each kind of
// caller, with the status and body it must answer, on both engines.
func TestRoutes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := ledgersql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		env := ledgertest.NewEnv(ledgersql.New(db))
		svc := env.Svc
		selA, selB := id.Make[id.Seller](), id.Make[id.Seller]()
		env.Sellers.Set("usr_sa", selA)
		env.Sellers.Set("usr_sb", selB)
		rider := id.Make[id.User]()

		// Seller a sold twice (one released), and once cash on delivery.
		sale := func(seller id.Seller, gateway string, total int64) id.SellerOrder {
			so := id.Make[id.SellerOrder]()
			if _, err := svc.RecordSale(ctx, ledger.Sale{SellerOrderID: so, OrderID: id.Make[id.Order](), SellerID: seller, Gateway: gateway,
				Lines: []ledger.SaleLine{{Category: "cat_x", Amount: money.New(total, "USD")}}, Total: money.New(total, "USD")}); err != nil {
				t.Fatal(err)
			}
			return so
		}
		so1 := sale(selA, "stripe", 20000)
		sale(selA, "stripe", 5000)
		if _, err := svc.Release(ctx, so1); err != nil {
			t.Fatal(err)
		}
		cod := sale(selB, ledger.CODGateway, 3000)
		if _, err := svc.RecordCashCollected(ctx, ledger.CashCollected{PartnerID: rider, SellerOrderID: cod, Amount: money.New(3000, "USD")}); err != nil {
			t.Fatal(err)
		}

		_, key, _ := ed25519.GenerateKey(rand.Reader)
		tokens := auth.NewTokens(key, 15*time.Minute)
		router := rest.NewRouter()
		h := ledgerhttp.New(svc)
		h.Routes(router)
		srv := httptest.NewServer(tokens.Middleware(nil, rest.Error)(router))
		defer srv.Close()

		ids := map[string]string{"{selA}": string(selA), "{selB}": string(selB), "{rider}": string(rider), "{so1}": string(so1)}
		expand := func(s string) string {
			for k, v := range ids {
				s = strings.ReplaceAll(s, k, v)
			}
			return s
		}
		runPayouts := func() {
			if _, err := svc.RunPayouts(ctx); err != nil {
				t.Fatal(err)
			}
		}
		type row struct {
			name, who, method, path, body string
			status                        int
			want, absent                  []string
			save                          string // remember the answer's id as {save}
			before                        func()
		}
		tests := []row{
			{name: "anonymous balance", method: "GET", path: "/api/v1/seller/balance", status: 401},
			{name: "customer balance", who: "usr_ann", method: "GET", path: "/api/v1/seller/balance", status: 403},
			{name: "support balance", who: "usr_agent", method: "GET", path: "/api/v1/seller/balance", status: 403},
			{name: "seller without a store", who: "usr_snone", method: "GET", path: "/api/v1/seller/balance", status: 404},
			{name: "seller balance", who: "usr_sa", method: "GET", path: "/api/v1/seller/balance", status: 200,
				want: []string{`"currency":"USD"`, `"pending":{"amount":4500,"currency":"USD"}`, `"available":{"amount":18000,"currency":"USD"}`,
					`"in_transit":{"amount":0,"currency":"USD"}`, `"next_payout":null`, `"payout_account":false`}},
			{name: "admin without a seller", who: "usr_adm", method: "GET", path: "/api/v1/seller/balance", status: 400,
				want: []string{`"field":"seller"`}},
			{name: "admin balance of a", who: "usr_adm", method: "GET", path: "/api/v1/seller/balance?seller={selA}", status: 200,
				want: []string{`"seller_id":"{selA}"`}},
			{name: "seller b asks for a's", who: "usr_sb", method: "GET", path: "/api/v1/seller/balance?seller={selA}", status: 200,
				want: []string{`"seller_id":"{selB}"`}, absent: []string{"{selA}"}},
			{name: "statement", who: "usr_sa", method: "GET", path: "/api/v1/seller/statement?account=pending&limit=2", status: 200,
				want: []string{`"kind":"sale"`, `"balance":{"amount":18000`, `"account":"seller:{selA}:pending"`, `"next_cursor"`}},
			{name: "statement by date", who: "usr_sa", method: "GET", path: "/api/v1/seller/statement?from=2000-01-01&to=2001-01-01", status: 200,
				want: []string{`{"items":[]}`}},
			{name: "bad statement filters", who: "usr_sa", method: "GET", path: "/api/v1/seller/statement?account=bank&from=yesterday", status: 400,
				want: []string{`"field":"from"`}},
			{name: "bad statement account", who: "usr_sa", method: "GET", path: "/api/v1/seller/statement?account=bank", status: 400,
				want: []string{`"field":"account"`}},
			{name: "customer statement", who: "usr_ann", method: "GET", path: "/api/v1/seller/statement", status: 403},
			{name: "statement csv", who: "usr_sa", method: "GET", path: "/api/v1/seller/statement.csv?account=pending", status: 200,
				want: []string{"date,kind,reference", ",sale,sale:", ",USD,18000,18000", ",release,release:{so1}"}},
			{name: "anonymous statement csv", method: "GET", path: "/api/v1/seller/statement.csv", status: 401},
			{name: "no settings yet", who: "usr_sa", method: "GET", path: "/api/v1/seller/payout-settings", status: 200,
				want: []string{`"seller_id":"{selA}"`}, absent: []string{`"channel"`}},
			{name: "settings: both", who: "usr_sa", method: "PUT", path: "/api/v1/seller/payout-settings",
				body: `{"stripe_account":"acct_123456","bank":{"holder":"A","account":"12345678","routing":""}}`, status: 400},
			{name: "settings: unknown field", who: "usr_sa", method: "PUT", path: "/api/v1/seller/payout-settings",
				body: `{"iban":"x"}`, status: 400, want: []string{`"code":"unknown_field"`}},
			{name: "admin sets settings", who: "usr_adm", method: "PUT", path: "/api/v1/seller/payout-settings",
				body: `{"stripe_account":"acct_123456"}`, status: 403},
			{name: "set bank settings", who: "usr_sa", method: "PUT", path: "/api/v1/seller/payout-settings",
				body:   `{"bank":{"holder":"=HYPERLINK(1)","account":"GB29 NWBK 6016 1331 9268 19","routing":"NWBK601613"}}`,
				status: 200, want: []string{`"account":"****6819"`, `"channel":"manual"`}, absent: []string{"NWBK60161331926819"}},
			{name: "read settings masked", who: "usr_sa", method: "GET", path: "/api/v1/seller/payout-settings", status: 200,
				want: []string{`"account":"****6819"`}, absent: []string{"60161331926819"}},
			{name: "set stripe settings", who: "usr_sb", method: "PUT", path: "/api/v1/seller/payout-settings",
				body: `{"stripe_account":"acct_1Nv0FGQ9RKHgCVdK"}`, status: 200, want: []string{`"stripe_account":"acct_****CVdK"`}},
			{name: "balance with next payout", who: "usr_sa", method: "GET", path: "/api/v1/seller/balance", status: 200,
				want: []string{`"next_payout":{"date":`, `"amount":{"amount":18000,"currency":"USD"}}`, `"payout_account":true`}},
			{name: "a's payouts", who: "usr_sa", method: "GET", path: "/api/v1/payout", status: 200, before: runPayouts,
				want: []string{`"status":"pending"`, `"amount":{"amount":18000,"currency":"USD"}`, `"destination":"****6819"`}, save: "{p}"},
			{name: "b's payouts", who: "usr_sb", method: "GET", path: "/api/v1/payout", status: 200, want: []string{`{"items":[]}`}},
			{name: "customer payouts", who: "usr_ann", method: "GET", path: "/api/v1/payout", status: 403},
			{name: "bad status filter", who: "usr_adm", method: "GET", path: "/api/v1/payout?status=lost", status: 400},
			{name: "admin payouts of a", who: "usr_adm", method: "GET", path: "/api/v1/payout?seller={selA}&status=pending", status: 200,
				want: []string{`"id":"{p}"`}},
			{name: "b reads a's payout", who: "usr_sb", method: "GET", path: "/api/v1/payout/{p}", status: 404},
			{name: "a reads its payout", who: "usr_sa", method: "GET", path: "/api/v1/payout/{p}", status: 200, want: []string{`"id":"{p}"`},
				absent: []string{"transfer_to", "TransferTo"}},
			{name: "missing payout", who: "usr_adm", method: "GET", path: "/api/v1/payout/pyo_missing", status: 404},
			{name: "seller approves", who: "usr_sa", method: "PUT", path: "/api/v1/payout/{p}/approve", status: 403},
			{name: "support approves", who: "usr_agent", method: "PUT", path: "/api/v1/payout/{p}/approve", status: 403},
			{name: "paid before approval", who: "usr_adm", method: "PUT", path: "/api/v1/payout/{p}/paid", status: 409,
				want: []string{`"code":"illegal_transition"`}},
			{name: "approve", who: "usr_adm", method: "PUT", path: "/api/v1/payout/{p}/approve", status: 200,
				want: []string{`"status":"in_transit"`, `"channel":"manual"`}},
			{name: "approve again", who: "usr_adm", method: "PUT", path: "/api/v1/payout/{p}/approve", status: 200,
				want: []string{`"status":"in_transit"`}},
			{name: "seller runs payouts", who: "usr_sa", method: "POST", path: "/api/v1/admin/payout/run", status: 403},
			{name: "admin runs payouts: nothing more is due", who: "usr_adm", method: "POST", path: "/api/v1/admin/payout/run", status: 200,
				want: []string{`"created":0`}},
			{name: "seller exports", who: "usr_sa", method: "GET", path: "/api/v1/payout/export.csv", status: 403},
			{name: "export", who: "usr_adm", method: "GET", path: "/api/v1/payout/export.csv", status: 200,
				want:   []string{"reference,seller_id,account_holder,account,routing,currency,amount", "{p},{selA},'=HYPERLINK(1),****6819,NWBK601613,USD,18000"},
				absent: []string{"60161331926819"}},
			{name: "failed without a reason", who: "usr_adm", method: "PUT", path: "/api/v1/payout/{p}/failed", body: `{}`, status: 400,
				want: []string{`"field":"reason"`}},
			{name: "seller marks paid", who: "usr_sa", method: "PUT", path: "/api/v1/payout/{p}/paid", status: 403},
			{name: "paid", who: "usr_adm", method: "PUT", path: "/api/v1/payout/{p}/paid", body: `{"reference":"BANK-77"}`, status: 200,
				want: []string{`"status":"paid"`, `"transfer_id":"BANK-77"`}},
			{name: "failed after paid", who: "usr_adm", method: "PUT", path: "/api/v1/payout/{p}/failed", body: `{"reason":"x"}`, status: 409},
			{name: "empty export", who: "usr_adm", method: "GET", path: "/api/v1/payout/export.csv", status: 200, absent: []string{"{p}"}},
			{name: "balance after payout", who: "usr_sa", method: "GET", path: "/api/v1/seller/balance", status: 200,
				want: []string{`"available":{"amount":0,"currency":"USD"}`, `"in_transit":{"amount":0,"currency":"USD"}`}},
			{name: "statement of payouts", who: "usr_sa", method: "GET", path: "/api/v1/seller/statement?account=payout", status: 200,
				want: []string{`"kind":"payout"`, `"kind":"payout_paid"`, `"payout_id":"{p}"`, `"balance":{"amount":0,"currency":"USD"}`}},
			{name: "seller reads commission", who: "usr_sa", method: "GET", path: "/api/v1/admin/commission", status: 403},
			{name: "support reads commission", who: "usr_agent", method: "GET", path: "/api/v1/admin/commission", status: 403},
			{name: "commission", who: "usr_adm", method: "GET", path: "/api/v1/admin/commission", status: 200,
				want: []string{`"version":0`, `"default":{"bps":1000,"fees":[]}`, `"categories":[]`, `"sellers":[]`}},
			{name: "bad commission", who: "usr_adm", method: "PUT", path: "/api/v1/admin/commission",
				body:   `{"version":0,"default":{"bps":20000,"fees":[{"amount":-1,"currency":"USD"}]},"categories":[{"category_id":"x","bps":5}],"sellers":[]}`,
				status: 400, want: []string{`"field":"default.bps"`, `"field":"default.fees[0].amount"`, `"field":"categories[0].category_id"`}},
			{name: "set commission", who: "usr_adm", method: "PUT", path: "/api/v1/admin/commission",
				body:   `{"version":0,"default":{"bps":1200,"fees":[{"amount":30,"currency":"USD"}]},"categories":[],"sellers":[{"seller_id":"{selB}","bps":500,"fees":[]}]}`,
				status: 200, want: []string{`"version":1`, `"bps":1200`, `"seller_id":"{selB}"`, `"updated_at"`}},
			{name: "stale commission", who: "usr_adm", method: "PUT", path: "/api/v1/admin/commission",
				body: `{"version":0,"default":{"bps":1000,"fees":[]},"categories":[],"sellers":[]}`, status: 409,
				want: []string{`"code":"version_conflict"`}},
			{name: "partner reads cod", who: "usr_rider", method: "GET", path: "/api/v1/admin/cod", status: 403},
			{name: "cash held", who: "usr_adm", method: "GET", path: "/api/v1/admin/cod", status: 200,
				want: []string{`"partner_id":"{rider}"`, `"held":{"amount":3000,"currency":"USD"}`}},
			{name: "handover too much", who: "usr_adm", method: "POST", path: "/api/v1/admin/cod/{rider}/handover",
				body: `{"amount":{"amount":5000,"currency":"USD"}}`, status: 422, want: []string{`"code":"exceeds_cash_held"`}},
			{name: "handover by the partner", who: "usr_rider", method: "POST", path: "/api/v1/admin/cod/{rider}/handover",
				body: `{"amount":{"amount":1000,"currency":"USD"}}`, status: 403},
			{name: "handover", who: "usr_adm", method: "POST", path: "/api/v1/admin/cod/{rider}/handover",
				body: `{"amount":{"amount":1000,"currency":"USD"},"reference":"R-1"}`, status: 201,
				want: []string{`"kind":"cod_handover"`, `"reference":"cod_handover:{rider}:R-1"`, `"account":"platform:cash"`}},
			{name: "handover again", who: "usr_adm", method: "POST", path: "/api/v1/admin/cod/{rider}/handover",
				body: `{"amount":{"amount":1000,"currency":"USD"},"reference":"R-1"}`, status: 201},
			{name: "cash held after", who: "usr_adm", method: "GET", path: "/api/v1/admin/cod", status: 200,
				want: []string{`"held":{"amount":2000,"currency":"USD"}`}},
			{name: "books anonymous", method: "GET", path: "/api/v1/admin/ledger", status: 401},
			{name: "books by a seller", who: "usr_sa", method: "GET", path: "/api/v1/admin/ledger", status: 403},
			{name: "books by support", who: "usr_agent", method: "GET", path: "/api/v1/admin/ledger", status: 403},
			{name: "books by a customer", who: "usr_ann", method: "GET", path: "/api/v1/admin/ledger", status: 403},
			{name: "books by a partner", who: "usr_rider", method: "GET", path: "/api/v1/admin/ledger", status: 403},
			// Commission 10 % of 20000, 5000 and 3000 (1200 % from the set
			// commission applies only to sales after it).
			{name: "books", who: "usr_adm", method: "GET", path: "/api/v1/admin/ledger", status: 200,
				want: []string{`"currency":"USD"`, `"gateway":"stripe","balance":{"amount":25000,"currency":"USD"}`,
					`"commission":{"amount":2800,"currency":"USD"}`, `"partners_cash":{"amount":2000,"currency":"USD"}`,
					`"cash":{"amount":1000,"currency":"USD"}`, `"paid_out":{"amount":18000,"currency":"USD"}`, `"sellers_pending":{"amount":7200,"currency":"USD"}`}},
			{name: "journal by a seller", who: "usr_sa", method: "GET", path: "/api/v1/admin/ledger/journal", status: 403},
			{name: "journal anonymous", method: "GET", path: "/api/v1/admin/ledger/journal", status: 401},
			{name: "journal", who: "usr_adm", method: "GET", path: "/api/v1/admin/ledger/journal?limit=2", status: 200,
				want: []string{`"kind":"cod_handover"`, `"next_cursor"`, `"entries"`}},
			{name: "journal of sales", who: "usr_adm", method: "GET", path: "/api/v1/admin/ledger/journal?kind=sale&account=seller:{selB}:pending", status: 200,
				want: []string{`"kind":"sale"`, `"seller_id":"{selB}"`}, absent: []string{`"seller_id":"{selA}"`, `"next_cursor"`}},
			{name: "journal bad filters", who: "usr_adm", method: "GET", path: "/api/v1/admin/ledger/journal?kind=theft&account=vault:1", status: 400,
				want: []string{`"field":"kind"`, `"field":"account"`}},
			{name: "journal bad cursor", who: "usr_adm", method: "GET", path: "/api/v1/admin/ledger/journal?cursor=nope", status: 400},
		}
		for _, tc := range tests {
			if tc.before != nil {
				tc.before()
			}
			req, _ := http.NewRequest(tc.method, srv.URL+expand(tc.path), strings.NewReader(expand(tc.body)))
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
					t.Errorf("%s: body %.600s lacks %s", tc.name, b, expand(w))
				}
			}
			for _, w := range tc.absent {
				if bytes.Contains(b, []byte(expand(w))) {
					t.Errorf("%s: body %.600s has %s", tc.name, b, expand(w))
				}
			}
			if tc.save != "" {
				var v struct {
					ID    string
					Items []struct{ ID string }
				}
				if err := json.Unmarshal(b, &v); err != nil {
					t.Fatalf("%s: %v in %s", tc.name, err, b)
				}
				if v.ID == "" && len(v.Items) > 0 {
					v.ID = v.Items[0].ID
				}
				if v.ID == "" {
					t.Fatalf("%s: no id in %s", tc.name, b)
				}
				ids[tc.save] = v.ID
			}
		}

		// Every route has a row, is documented, and only those are.
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
		covered := map[string]bool{}
		for _, tc := range tests {
			for _, route := range router.Routes() {
				method, pattern, _ := strings.Cut(route, " ")
				if method == tc.method && matches(pattern, strings.SplitN(tc.path, "?", 2)[0]) {
					covered[route] = true
				}
			}
		}
		for _, route := range router.Routes() {
			if !covered[route] {
				t.Errorf("route %s has no row in the matrix", route)
			}
		}
	})
}

// matches reports whether path fits a ServeMux pattern of literal and
// {name} segments, the literal export.csv winning over {id}.
func matches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if strings.HasPrefix(ps[i], "{") {
			if xs[i] == "export.csv" {
				return false
			}
			continue
		}
		if ps[i] != xs[i] {
			return false
		}
	}
	return true
}
