// Package ledger is the marketplace's money: a double-entry ledger of
// every movement between customers, gateways, the platform and sellers;
// the commission the platform takes; sellers' balances; and payouts.
//
// # Chart of accounts and sign convention
//
// An account is a kind and an owner, with a balance per currency. An entry
// is a signed amount in minor units: debits positive, credits negative.
// Every transaction's entries sum to zero per currency, so the balances of
// all accounts do too. A balance is only ever the sum of its account's
// entries; nothing else stores it. Credit-normal accounts (liabilities and
// revenue) are shown negated, so what the platform owes a seller reads
// positive.
//
//	account                  kind              normal  is
//	gateway:<name>           gateway           debit   cash at a payment gateway ("stripe", "test")
//	gateway:cod              gateway           debit   cash on delivery still to collect (a receivable)
//	cod:<partner user>       cod               debit   cash a delivery partner collected and holds
//	platform:cash            platform_cash     debit   cash partners handed to the platform
//	platform:commission      commission        credit  the platform's commission revenue
//	platform:gateway_fees    gateway_fees      debit   gateways' fees (an expense)
//	platform:goodwill        goodwill          debit   refunds the platform bears itself (an expense)
//	seller:<seller>:pending  seller_pending    credit  owed to a seller, in return windows (never < 0)
//	seller:<seller>:available seller_available credit  owed to a seller, to be paid out (< 0: the seller owes)
//	seller:<seller>:payout   seller_payout     credit  in payouts not yet paid
//	bank:payouts             bank_payouts      debit   cash gone out of the platform's bank in payouts (<= 0)
//
// # Movements (each one balanced transaction, idempotent by its reference)
//
//	sale           sale:<sor>                     Dr gateway:<g> total; Cr seller pending total-commission; Cr commission
//	refund         refund:<rfd>:<sor>             Dr seller pending (then available) share; Dr commission (pro rata); Cr gateway:<g> amount
//	release        release:<sor>                  Dr seller pending; Cr seller available (what is left pending)
//	payout         payout:<pyo>                   Dr seller available; Cr seller payout
//	payout_paid    payout_paid:<pyo>              Dr seller payout; Cr bank:payouts
//	payout_failed  payout_failed:<pyo>            Dr seller payout; Cr seller available
//	cod_collected  cod_collected:<sor or ord>     Dr cod:<partner>; Cr gateway:cod
//	cod_handover   cod_handover:<partner>:<ref>   Dr platform:cash; Cr cod:<partner>
//	gateway_fee    gateway_fee:<pay>              Dr platform:gateway_fees; Cr gateway:<g>
//	goodwill       goodwill:<rfd>                 Dr platform:goodwill; Cr gateway:<g>
//
// Posting a reference again returns the first transaction and changes
// nothing, so event consumers may run twice. A refund needs its sale: a
// refund reported before its sale is NotFound, and its consumer retries.
// A seller order's refunds never exceed its total (checked under the
// sale's lock, so concurrent refunds cannot overshoot); the commission is
// given back in proportion to the refunded amount, cumulatively, so
// refunds adding up to the total give back exactly the whole commission.
//
// # Goodwill refunds
//
// A refund an admin or support makes directly through the payment API
// (POST /api/v1/payment/{id}/refund), not through a cancellation or a
// return, is a goodwill refund. Who bears it is the refunder's choice:
// naming a seller order (seller_order_id) charges it to that seller order
// exactly like a return's refund (the seller is debited, the commission
// given back in proportion); naming none makes it the platform's own
// expense, platform:goodwill. A refund charged to a seller order beyond
// what is left of its sale (its earlier refunds count) is charged for
// what is left and the rest is the platform's goodwill, so the ledger
// always books the whole amount the gateway paid back. The payment module
// records each refund's origin (cancellation, return, goodwill) and seller
// order, and payment.refunded.v1 carries them; the ledger books only the
// goodwill ones from it (the others come from the cancellation and return
// events).
//
// # Commission
//
// Rules (GET/PUT /api/v1/admin/commission; PUT replaces the whole set,
// guarded by its version) give a default rate, rates per category and per
// seller: a percentage in basis points and, for the default and sellers,
// fixed fees per currency charged once per seller order. Each line pays
// its seller's rate if any, else its category's, else the default, rounded
// half up to a minor unit (never more than the line); the fixed fee is the
// seller's or the default's, and the commission never exceeds the lines'
// sum (shipping and tax are never commissioned). A sale's commission is
// fixed when it is recorded.
//
// # Release and payouts
//
// A sale's share stays pending until its release time (RecordSale's
// ReleaseAt, or SetReleaseAt when the order is delivered: the end of the
// return window); the ledger.release job (ReleaseDue) then moves what is
// left pending to available. The ledger.payouts job (RunPayouts) creates a
// pending payout of the whole available balance of each seller and
// currency with at least the minimum (Options.PayoutMinimum), a payout
// account, no open payout and none in the last interval (weekly by
// default). An admin approves it: a seller with a Stripe connected account
// gets a transfer (Transferer, idempotency key "payout:<id>") and the
// payout is paid; others are paid by bank transfer from the export, and
// an admin marks them paid or failed. A failed payout's money returns to
// available.
//
//	pending ──> in_transit ──> paid
//	   │             └───────> failed
//	   └───────────────────────> failed
//
// # Cash on delivery
//
// A COD sale is recorded with the gateway "cod": the receivable. The
// delivery partner's collection moves it to the partner's cash account,
// and the partner's handover to the platform's cash; CashHeld lists what
// each partner holds.
//
// # Tables (ledgersql)
//
//	ledger_txn             transactions: kind, unique reference, linked IDs
//	ledger_entry           their entries: account kind, owner, currency, signed amount
//	ledger_sale            each sale: total, commission, release time, released time
//	ledger_commission      the commission rules (one row, JSON, with its version)
//	ledger_payout          payouts and their statuses (one open per seller and currency)
//	ledger_payout_account  sellers' payout accounts
//	event_outbox           (the event package's) the events published
//
// # Events
//
// Published, through the outbox in the transaction that makes the change
// (aggregate: the payout ID):
//
//	ledger.payout.status_changed.v1  PayoutStatusChanged {payout_id, seller_id, amount, status,
//	                                 previous_status, channel, destination, failure, at}: a payout
//	                                 approved (in_transit), paid or failed
//
// Consumed: Subscribe books order, payment, shipment and return events
// through the Record methods, Release and SetReleaseAt (see feed.go).
package ledger
