// Package ledgerhttp is the REST door to sellers' balances, statements and
// payouts, the commission rules and cash on delivery.
//
//	GET  /api/v1/seller/balance               balances per currency (seller; admin ?seller=)
//	GET  /api/v1/seller/statement             an account's lines with running balance, paged
//	GET  /api/v1/seller/statement.csv         the same as CSV (every line of the selection)
//	GET|PUT /api/v1/seller/payout-settings    where the seller is paid (account numbers masked)
//	GET  /api/v1/payout                       a seller's payouts, or all for an admin
//	GET  /api/v1/payout/{id}                  one payout
//	GET  /api/v1/payout/export.csv            manual payouts in transit, for the bank (admin)
//	PUT  /api/v1/payout/{id}/approve|paid|failed   (admin)
//	GET|PUT /api/v1/admin/commission          the commission rules (PUT replaces the whole set)
//	GET  /api/v1/admin/cod                    cash held per delivery partner
//	POST /api/v1/admin/cod/{partner}/handover record cash a partner handed over -> 201
//	GET  /api/v1/admin/ledger                 the platform's books: every account's total per currency
//	GET  /api/v1/admin/ledger/journal         the transactions, newest first, by kind and account, paged
package ledgerhttp

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Handler serves the ledger routes.
type Handler struct{ svc *ledger.Service }

// New returns a Handler over svc.
func New(svc *ledger.Service) *Handler { return &Handler{svc: svc} }

// Routes registers the ledger routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/seller/balance", h.balance)
	r.Handle("GET /api/v1/seller/statement", h.statement)
	r.Handle("GET /api/v1/seller/statement.csv", h.statementCSV)
	r.Handle("GET /api/v1/seller/payout-settings", h.settings)
	r.Handle("PUT /api/v1/seller/payout-settings", h.setSettings)
	r.Handle("GET /api/v1/payout", h.payouts)
	r.Handle("GET /api/v1/payout/export.csv", h.export)
	r.Handle("POST /api/v1/admin/payout/run", h.runNow)
	r.Handle("GET /api/v1/payout/{id}", h.payout)
	r.Handle("PUT /api/v1/payout/{id}/approve", h.approve)
	r.Handle("PUT /api/v1/payout/{id}/paid", h.paid)
	r.Handle("PUT /api/v1/payout/{id}/failed", h.failed)
	r.Handle("GET /api/v1/admin/commission", h.commission)
	r.Handle("PUT /api/v1/admin/commission", h.setCommission)
	r.Handle("GET /api/v1/admin/cod", h.cod)
	r.Handle("POST /api/v1/admin/cod/{partner}/handover", h.handover)
	r.Handle("GET /api/v1/admin/ledger", h.books)
	r.Handle("GET /api/v1/admin/ledger/journal", h.journal)
}

func (h *Handler) books(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.Books(r.Context())
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, b)
	return nil
}

func (h *Handler) journal(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p, err := h.svc.Journal(r.Context(), ledger.JournalQuery{Kind: ledger.TxnKind(q.Get("kind")), Account: q.Get("account"),
		Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func body[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	err := rest.Decode(w, r, &v)
	return v, err
}

// noBody accepts an empty body or an empty JSON object for bodiless verbs.
func noBody(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength == 0 {
		return nil
	}
	var v struct{}
	return rest.Decode(w, r, &v)
}

func invalid(field, message string) error {
	return apperr.Invalid("validation_failed", "the request has invalid fields", apperr.FieldError{Field: field, Message: message})
}

func (h *Handler) balance(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.SellerBalance(r.Context(), id.Seller(r.URL.Query().Get("seller")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, b)
	return nil
}

// statementQuery reads the statement's filters: seller, account,
// currency, from and to (RFC 3339 times, or dates meaning their midnight
// UTC), cursor.
func statementQuery(r *http.Request) (ledger.StatementQuery, error) {
	q := r.URL.Query()
	sq := ledger.StatementQuery{Seller: id.Seller(q.Get("seller")), Account: q.Get("account"), Currency: q.Get("currency"), Cursor: q.Get("cursor")}
	for _, p := range []struct {
		name string
		to   *time.Time
	}{{"from", &sq.From}, {"to", &sq.To}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t, err = time.Parse(time.DateOnly, v)
		}
		if err != nil {
			return sq, invalid(p.name, "must be an RFC 3339 time or a date (2026-03-01)")
		}
		*p.to = t.UTC()
	}
	return sq, nil
}

func (h *Handler) statement(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	q, err := statementQuery(r)
	if err != nil {
		return err
	}
	q.Limit = limit
	p, err := h.svc.Statement(r.Context(), q)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

// maxCSVLines caps a CSV statement; narrow the dates for more.
const maxCSVLines = 100000

// safe keeps a spreadsheet from reading a cell as a formula (CSV
// injection): a value starting with = + - @ or a control character gets a
// leading quote.
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvHeaders(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// statementCSV writes every line of the selection (up to maxCSVLines):
// amounts in minor units, signed from the seller's side.
func (h *Handler) statementCSV(w http.ResponseWriter, r *http.Request) error {
	q, err := statementQuery(r)
	if err != nil {
		return err
	}
	q.Limit = page.MaxLimit
	first, err := h.svc.Statement(r.Context(), q)
	if err != nil {
		return err
	}
	csvHeaders(w, "statement.csv")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"date", "kind", "reference", "order_id", "seller_order_id", "refund_id", "payout_id", "currency", "amount", "balance"})
	p, n := first, 0
	for {
		for _, l := range p.Items {
			_ = cw.Write([]string{l.CreatedAt.Format(time.RFC3339), string(l.Kind), safe(l.Reference), string(l.OrderID),
				string(l.SellerOrderID), string(l.RefundID), string(l.PayoutID), l.Amount.Currency,
				strconv.FormatInt(l.Amount.Amount, 10), strconv.FormatInt(l.Balance.Amount, 10)})
			n++
		}
		if p.NextCursor == "" || n >= maxCSVLines {
			break
		}
		q.Cursor = p.NextCursor
		if p, err = h.svc.Statement(r.Context(), q); err != nil {
			// The header is sent: the truncated file ends here, and the
			// error is logged.
			rest.Logger(r.Context()).Error("statement export", "err", err)
			break
		}
	}
	cw.Flush()
	return nil
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request) error {
	s, err := h.svc.PayoutSettings(r.Context(), id.Seller(r.URL.Query().Get("seller")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) setSettings(w http.ResponseWriter, r *http.Request) error {
	in, err := body[ledger.PayoutSettingsInput](w, r)
	if err != nil {
		return err
	}
	s, err := h.svc.SetPayoutSettings(r.Context(), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) runNow(w http.ResponseWriter, r *http.Request) error {
	run, err := h.svc.RunNow(r.Context())
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, run)
	return nil
}

func (h *Handler) payouts(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p, err := h.svc.Payouts(r.Context(), ledger.PayoutQuery{Seller: id.Seller(q.Get("seller")), Status: ledger.PayoutStatus(q.Get("status")),
		Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) payout(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Payout(r.Context(), ledger.PayoutID(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

// export writes the manual payouts in transit for the bank: the payout ID
// is the transfer's reference, amounts are in minor units.
func (h *Handler) export(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.svc.Export(r.Context())
	if err != nil {
		return err
	}
	csvHeaders(w, "payouts.csv")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"reference", "seller_id", "account_holder", "account", "routing", "currency", "amount"})
	for _, x := range rows {
		_ = cw.Write([]string{string(x.PayoutID), string(x.SellerID), safe(x.Holder), x.Account, x.Routing, x.Amount.Currency,
			strconv.FormatInt(x.Amount.Amount, 10)})
	}
	cw.Flush()
	return nil
}

func (h *Handler) approve(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(w, r); err != nil {
		return err
	}
	p, err := h.svc.ApprovePayout(r.Context(), ledger.PayoutID(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) paid(w http.ResponseWriter, r *http.Request) error {
	var in ledger.PaidInput
	if r.ContentLength != 0 {
		var err error
		if in, err = body[ledger.PaidInput](w, r); err != nil {
			return err
		}
	}
	p, err := h.svc.MarkPaid(r.Context(), ledger.PayoutID(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) failed(w http.ResponseWriter, r *http.Request) error {
	in, err := body[ledger.FailedInput](w, r)
	if err != nil {
		return err
	}
	p, err := h.svc.MarkFailed(r.Context(), ledger.PayoutID(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) commission(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.Commission(r.Context())
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, c)
	return nil
}

// RulesInput is the body of PUT /api/v1/admin/commission: the whole set,
// with the version it was read at.
type RulesInput struct {
	Version    int64                 `json:"version"`
	Default    ledger.Rate           `json:"default"`
	Categories []ledger.CategoryRate `json:"categories"`
	Sellers    []ledger.SellerRate   `json:"sellers"`
}

func (h *Handler) setCommission(w http.ResponseWriter, r *http.Request) error {
	in, err := body[RulesInput](w, r)
	if err != nil {
		return err
	}
	c, err := h.svc.SetCommission(r.Context(), ledger.Rules{Version: in.Version, Default: in.Default, Categories: in.Categories, Sellers: in.Sellers})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, c)
	return nil
}

// CashHeld is the body of GET /api/v1/admin/cod.
type CashHeld struct {
	Partners []ledger.PartnerCash `json:"partners"`
}

func (h *Handler) cod(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.CashHeld(r.Context())
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, CashHeld{Partners: c})
	return nil
}

func (h *Handler) handover(w http.ResponseWriter, r *http.Request) error {
	in, err := body[ledger.HandoverInput](w, r)
	if err != nil {
		return err
	}
	t, err := h.svc.HandOver(r.Context(), id.User(r.PathValue("partner")), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusCreated, t)
	return nil
}
