// Pure helpers of the money screens (seller payments and the admin's
// commissions, payouts and cash on delivery): basis points as percentages,
// the statement's filters, what a line or payout says, the payout
// settings' body.
import type { Line, PayoutRun, PayoutSettingsInput, PayoutStatus, StatementAccount, TxnKind } from '../api/ledger';

/** formatBps shows basis points as a percentage: 1050 -> "10.5 %", 1000 -> "10 %". */
export function formatBps(bps: number): string {
  return bpsToPercent(bps) + ' %';
}

/** bpsToPercent writes basis points as the percentage typed in a field: 1050 -> "10.5", 5 -> "0.05". */
export function bpsToPercent(bps: number): string {
  const sign = bps < 0 ? '-' : '';
  const a = Math.abs(Math.trunc(bps));
  const whole = Math.floor(a / 100);
  const frac = String(a % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return sign + whole + (frac ? '.' + frac : '');
}

/**
 * parsePercent reads a typed percentage ("10.5", "10,5 %", "7") into basis
 * points without floating point; null when it is not a percentage from 0
 * to 100 with at most two decimals.
 */
export function parsePercent(input: string): number | null {
  const s = input.trim().replace(/\s*%$/, '').replace(',', '.');
  const m = /^(\d{1,3})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return null;
  const bps = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bps <= 10000 ? bps : null;
}

// ---- the statement -----------------------------------------------------------

export const statementAccounts: StatementAccount[] = ['available', 'pending', 'payout'];

export const accountLabel: Record<StatementAccount, string> = {
  available: 'Available',
  pending: 'Pending',
  payout: 'In transit',
};

/** StatementFilter is what the statement shows, as the page's address says: dates are yyyy-mm-dd, both inclusive. */
export interface StatementFilter {
  account: StatementAccount;
  currency: string;
  from: string;
  to: string;
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s + 'T00:00:00Z'));

/** statementFilter reads the filter from the address (get is URLSearchParams.get), keeping only what the API knows. */
export function statementFilter(get: (k: string) => string | null): StatementFilter {
  const account = get('account') ?? '';
  const currency = (get('currency') ?? '').toUpperCase();
  const from = get('from') ?? '';
  const to = get('to') ?? '';
  return {
    account: statementAccounts.includes(account as StatementAccount) ? (account as StatementAccount) : 'available',
    currency: /^[A-Z]{3}$/.test(currency) ? currency : '',
    from: isDate(from) ? from : '',
    to: isDate(to) ? to : '',
  };
}

/** filterParams writes the filter back to the address, leaving defaults out. */
export function filterParams(f: StatementFilter): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.account !== 'available') out.account = f.account;
  if (f.currency) out.currency = f.currency;
  if (f.from) out.from = f.from;
  if (f.to) out.to = f.to;
  return out;
}

/** nextDay is the date after a yyyy-mm-dd date: "2026-02-28" -> "2026-03-01". */
export function nextDay(date: string): string {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * statementQuery is the API's query for a filter. The page's "to" date is
 * inclusive; the API's is exclusive, so it is sent as the next day. The
 * cursor of the page to fetch is added when there is one.
 */
export function statementQuery(f: StatementFilter, cursor?: string): Record<string, string> {
  const q: Record<string, string> = { account: f.account };
  if (f.currency) q.currency = f.currency;
  if (f.from) q.from = f.from;
  if (f.to) q.to = nextDay(f.to);
  if (cursor) q.cursor = cursor;
  return q;
}

/** filterProblem says what is wrong with a filter before asking the API, or "". */
export function filterProblem(f: StatementFilter): string {
  if (f.from && f.to && f.to < f.from) return 'The end date is before the start date.';
  return '';
}

const kindLabel: Record<TxnKind, string> = {
  sale: 'Sale',
  refund: 'Refund',
  release: 'Released after the return window',
  payout: 'Payout',
  payout_paid: 'Payout paid',
  payout_failed: 'Payout failed: returned',
  cod_collected: 'Cash on delivery collected',
  cod_handover: 'Cash handed over',
  gateway_fee: 'Gateway fee',
  goodwill: 'Goodwill refund (the platform’s)',
};

/** kindText names a transaction kind for people. */
export function kindText(k: TxnKind): string {
  return kindLabel[k] ?? k;
}

/** lineText says what a statement line is. A release into "available" and out of "pending" read differently. */
export function lineText(l: Pick<Line, 'kind' | 'amount'>, account: StatementAccount): string {
  if (l.kind === 'release') return account === 'pending' ? 'Released to available' : 'Released from pending';
  if (l.kind === 'payout' && account === 'payout') return 'Payout sent';
  return kindLabel[l.kind] ?? l.kind;
}

/** csvName is the file name of a statement download: "statement-pending-USD-2026-01-01-2026-01-31.csv". */
export function csvName(f: StatementFilter): string {
  return ['statement', f.account, f.currency, f.from, f.to].filter(Boolean).join('-') + '.csv';
}

// ---- payouts -------------------------------------------------------------------

export interface PayoutActions {
  approve: boolean;
  paid: boolean;
  failed: boolean;
}

/** payoutActions says what an admin may do with a payout in its status. */
export function payoutActions(status: PayoutStatus): PayoutActions {
  return { approve: status === 'pending', paid: status === 'in_transit', failed: status === 'pending' || status === 'in_transit' };
}

export const payoutStatusLabel: Record<PayoutStatus, string> = {
  pending: 'Awaiting approval',
  in_transit: 'In transit',
  paid: 'Paid',
  failed: 'Failed',
};

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** runText says what "pay out now" did: "2 payouts created; 1 order released to available." */
export function runText(r: PayoutRun): string {
  const parts = [r.created === 0 ? 'No payout due' : count(r.created, 'payout', 'payouts') + ' created'];
  if (r.released > 0) parts.push(count(r.released, 'order', 'orders') + ' released to available');
  if (r.sent > 0) parts.push(count(r.sent, 'transfer', 'transfers') + ' sent again');
  return parts.join('; ') + '.';
}

// ---- payout settings -----------------------------------------------------------

export interface SettingsDraft {
  channel: 'stripe' | 'bank';
  stripeAccount: string;
  holder: string;
  account: string;
  routing: string;
}

/** settingsBody is the PUT body of a draft: the Stripe account or the bank account, never both. */
export function settingsBody(d: SettingsDraft): PayoutSettingsInput {
  if (d.channel === 'stripe') return { stripe_account: d.stripeAccount.trim() };
  return { bank: { holder: d.holder.trim(), account: d.account.replace(/\s+/g, ''), routing: d.routing.replace(/\s+/g, '') } };
}
