package ledgerhttp

import (
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

func enum[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

var csvFile = rest.File{Types: []string{"text/csv"}}

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tags := []string{"ledger"}
	payout := rest.Param{Name: "id", In: "path", Description: "payout ID (pyo_...)"}
	seller := rest.Param{Name: "seller", Description: "admin: the seller (sel_...), required"}
	sellerOrAdmin := []auth.Role{auth.Seller, auth.Admin}
	admin := []auth.Role{auth.Admin}
	statementParams := []rest.Param{
		seller,
		{Name: "account", Enum: ledger.StatementAccounts, Default: "available",
			Description: "pending (in return windows), available (to be paid out) or payout (in transit)"},
		{Name: "currency", Description: "only lines in this currency (ISO 4217); every currency when omitted"},
		{Name: "from", Format: "date-time", Description: "lines at or after this time (RFC 3339, or a date: its midnight UTC)"},
		{Name: "to", Format: "date-time", Description: "lines before this time"},
	}
	return []rest.Op{
		{
			ID: "sellerBalance", Method: "GET", Path: "/api/v1/seller/balance", Tags: tags, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary: "What the platform owes the seller, per currency",
			Description: "balances has one item per currency, by code: pending (seller orders in their return window), " +
				"available (to be paid out; negative when the seller owes refunds), in_transit (payouts not yet paid) and " +
				"next_payout (date and amount the schedule pays next at the present balance; null under the minimum or " +
				"without a payout account: see payout_account).",
			Params: []rest.Param{seller}, Response: ledger.SellerBalance{}, Errors: []int{400, 404},
		},
		{
			ID: "sellerStatement", Method: "GET", Path: "/api/v1/seller/statement", Tags: tags, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary: "A seller account's lines, oldest first, each with the balance after it",
			Description: "Amounts are from the seller's side: a sale adds, a refund or payout takes away. The balance counts " +
				"every earlier line, whatever the filters.",
			Params: append(statementParams, rest.PageParams()...), Response: page.Page[ledger.Line]{}, Errors: []int{400, 404},
		},
		{
			ID: "sellerStatementCSV", Method: "GET", Path: "/api/v1/seller/statement.csv", Tags: tags, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary:     "The statement as CSV",
			Description: "Columns: date, kind, reference, order_id, seller_order_id, refund_id, payout_id, currency, amount, balance (minor units). At most 100,000 lines.",
			Params:      statementParams, Response: csvFile, Errors: []int{400, 404},
		},
		{
			ID: "payoutSettings", Method: "GET", Path: "/api/v1/seller/payout-settings", Tags: tags, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary:     "Where the seller is paid",
			Description: "The account number and connected account are masked. channel is empty until set.",
			Params:      []rest.Param{seller}, Response: ledger.PayoutSettings{}, Errors: []int{400, 404},
		},
		{
			ID: "setPayoutSettings", Method: "PUT", Path: "/api/v1/seller/payout-settings", Tags: tags, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Seller},
			Summary: "Set where the seller is paid: a Stripe connected account or a bank account",
			Description: "Either stripe_account (acct_...) or bank {holder, account (account number or IBAN), routing (IFSC, " +
				"sort code, routing number or BIC)}. Payouts already approved keep their destination.",
			Request: ledger.PayoutSettingsInput{}, Response: ledger.PayoutSettings{}, Errors: []int{400, 404},
		},
		{
			ID: "payouts", Method: "GET", Path: "/api/v1/payout", Tags: tags, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary: "Payouts, newest first: the seller's own, or all for an admin",
			Params: append([]rest.Param{
				{Name: "status", Enum: enum(ledger.PayoutStatuses)},
				{Name: "seller", Description: "admin: only this seller's (sel_...)"},
			}, rest.PageParams()...),
			Response: page.Page[ledger.Payout]{}, Errors: []int{400, 404},
		},
		{
			ID: "payoutExport", Method: "GET", Path: "/api/v1/payout/export.csv", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary: "The bank file: manual payouts approved and in transit, oldest first",
			Description: "Columns: reference (the payout ID, to quote on the transfer), seller_id, account_holder, account " +
				"(masked), routing, currency, amount (minor units). Mark each paid or failed once the bank answers.",
			Response: csvFile,
		},
		{
			ID: "runPayouts", Method: "POST", Path: "/api/v1/admin/payout/run", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary: "Pay out now",
			Description: "Releases the sellers' shares whose return window has closed, then creates the payouts the schedule allows " +
				"(available balance at least the minimum, a payout account, no open payout, none in the last interval), as the hourly job does.",
			Response: ledger.Run{},
		},
		{
			ID: "payout", Method: "GET", Path: "/api/v1/payout/{id}", Tags: tags, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary: "One payout", Description: "Another seller's payout is 404.",
			Params: []rest.Param{payout}, Response: ledger.Payout{}, Errors: []int{404},
		},
		{
			ID: "approvePayout", Method: "PUT", Path: "/api/v1/payout/{id}/approve", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary: "Approve a pending payout and send it",
			Description: "To a Stripe connected account: the transfer is sent (idempotently) and the payout is paid; refused, " +
				"it fails and the money returns to available; unconfirmed (gateway down), it stays in_transit and is sent again " +
				"by the payout job. To a bank account: it stays in_transit in the export. Approving an in-transit payout changes " +
				"nothing; a paid or failed one is 409 illegal_transition; no payout account is 409 no_payout_account.",
			Params: []rest.Param{payout}, Response: ledger.Payout{}, Errors: []int{404, 409},
		},
		{
			ID: "payoutPaid", Method: "PUT", Path: "/api/v1/payout/{id}/paid", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary:     "Mark an in-transit payout paid",
			Description: "reference is the bank's reference of the transfer (optional). A paid payout stays as it is; a pending or failed one is 409.",
			Params:      []rest.Param{payout}, Request: ledger.PaidInput{}, Response: ledger.Payout{}, Errors: []int{400, 404, 409},
		},
		{
			ID: "payoutFailed", Method: "PUT", Path: "/api/v1/payout/{id}/failed", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary:     "Mark a pending or in-transit payout failed",
			Description: "reason (required) says why. The money returns to the seller's available balance. A paid payout is 409.",
			Params:      []rest.Param{payout}, Request: ledger.FailedInput{}, Response: ledger.Payout{}, Errors: []int{400, 404, 409},
		},
		{
			ID: "commission", Method: "GET", Path: "/api/v1/admin/commission", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary: "The commission rules",
			Description: "default, per category and per seller rates in basis points (1000 = 10 %), fixed fees per currency " +
				"once per seller order (default and sellers), and the version to send back with a change.",
			Response: ledger.Rules{},
		},
		{
			ID: "setCommission", Method: "PUT", Path: "/api/v1/admin/commission", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary: "Replace the whole commission rule set",
			Description: "The body is the whole set with the version it was read at (0 before any); a stale version is 409 " +
				"version_conflict. bps 0 to 10000; fees non-negative, one per currency; each category and seller once. A line " +
				"pays its seller's rate, else its category's, else the default; rounded half up per line; the fee is the " +
				"seller's or the default's. Sales already recorded keep their commission.",
			Request: RulesInput{}, Response: ledger.Rules{}, Errors: []int{400, 409},
		},
		{
			ID: "cashHeld", Method: "GET", Path: "/api/v1/admin/cod", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary:  "Cash on delivery held by each delivery partner, per currency",
			Response: CashHeld{},
		},
		{
			ID: "cashHandover", Method: "POST", Path: "/api/v1/admin/cod/{partner}/handover", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary: "Record cash a delivery partner handed to the platform",
			Description: "amount at most what the partner holds in its currency (422 exceeds_cash_held). reference (a receipt " +
				"number) makes the record idempotent: the same reference again changes nothing.",
			Params:  []rest.Param{{Name: "partner", In: "path", Description: "the delivery partner's user ID (usr_...)"}},
			Request: ledger.HandoverInput{}, Response: ledger.Txn{}, Status: 201, Errors: []int{400, 422},
		},
		{
			ID: "ledgerBooks", Method: "GET", Path: "/api/v1/admin/ledger", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary: "The platform's books: every account's total per currency",
			Description: "Each amount on its account's normal side: cash at each gateway (cod: cash on delivery still to collect), " +
				"cash partners hold and handed over, paid out (payouts paid), commission revenue, gateway fees and goodwill refunds " +
				"(expenses), and what is owed to all sellers (pending, available, in transit). Assets equal revenue less expenses " +
				"plus what is owed.",
			Response: ledger.Books{},
		},
		{
			ID: "ledgerJournal", Method: "GET", Path: "/api/v1/admin/ledger/journal", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary: "The ledger's transactions with their entries, newest first",
			Params: append([]rest.Param{
				{Name: "kind", Enum: enum(ledger.TxnKinds), Description: "only transactions of this kind"},
				{Name: "account", Description: "only transactions with an entry on this account: platform:commission, platform:gateway_fees, " +
					"platform:goodwill, platform:cash, bank:payouts, gateway:<name>, cod:<partner>, seller:<seller>:pending|available|payout"},
			}, rest.PageParams()...),
			Response: page.Page[ledger.Txn]{}, Errors: []int{400},
		},
	}
}
