// Editing the commission rules: the API's rules (basis points, fees in
// minor units) become a draft of typed strings (percentages, fees in major
// units) and back. Errors are keyed by the API's field names
// ("default.bps", "sellers[0].fees[1].amount"), so the form shows its own
// checks and the server's the same way.
import type { Money } from '../api/types';
import type { Rules } from '../api/ledger';
import { parseAmount, toMajor } from '../lib/money';
import { bpsToPercent, parsePercent } from '../seller/payments';

export interface FeeDraft {
  currency: string;
  amount: string;
}

export interface RulesDraft {
  version: number;
  percent: string;
  fees: FeeDraft[];
  categories: { category_id: string; percent: string }[];
  sellers: { seller_id: string; percent: string; fees: FeeDraft[] }[];
}

/** The body of PUT /api/v1/admin/commission. */
export type RulesInput = Omit<Rules, 'updated_at'>;

const feeDrafts = (fees: Money[] | null | undefined): FeeDraft[] => (fees ?? []).map((f) => ({ currency: f.currency, amount: toMajor(f.amount, f.currency) }));

/** toDraft turns the rules read into the form's draft. */
export function toDraft(r: Rules): RulesDraft {
  return {
    version: r.version,
    percent: bpsToPercent(r.default.bps),
    fees: feeDrafts(r.default.fees),
    categories: (r.categories ?? []).map((c) => ({ category_id: c.category_id, percent: bpsToPercent(c.bps) })),
    sellers: (r.sellers ?? []).map((s) => ({ seller_id: s.seller_id, percent: bpsToPercent(s.bps), fees: feeDrafts(s.fees) })),
  };
}

export type DraftErrors = Record<string, string>;

const percentError = 'Enter a percentage from 0 to 100 with at most two decimals, such as 10.5.';

function fees(field: string, drafts: FeeDraft[], errors: DraftErrors): Money[] {
  const seen = new Set<string>();
  return drafts.map((f, i) => {
    const currency = f.currency.trim().toUpperCase();
    const key = `${field}.fees[${i}]`;
    if (!/^[A-Z]{3}$/.test(currency)) errors[key + '.currency'] = 'Enter a three-letter currency code such as USD.';
    else if (seen.has(currency)) errors[key + '.currency'] = `${currency} has a fee already.`;
    seen.add(currency);
    const amount = /^[A-Z]{3}$/.test(currency) ? parseAmount(f.amount, currency) : null;
    if (amount === null && /^[A-Z]{3}$/.test(currency)) errors[key + '.amount'] = `Enter an amount in ${currency}, such as ${toMajor(30, currency)}.`;
    return { currency, amount: amount ?? 0 };
  });
}

/**
 * fromDraft checks a draft and makes the API's body; errors is empty when
 * the body may be sent. A category or seller left unchosen, or chosen
 * twice, is an error on its category_id or seller_id.
 */
export function fromDraft(d: RulesDraft): { body: RulesInput; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const bps = (field: string, s: string) => {
    const n = parsePercent(s);
    if (n === null) errors[field + '.bps'] = percentError;
    return n ?? 0;
  };
  const cats = new Set<string>();
  const categories = d.categories.map((c, i) => {
    const field = `categories[${i}]`;
    if (!c.category_id) errors[field + '.category_id'] = 'Choose a category.';
    else if (cats.has(c.category_id)) errors[field + '.category_id'] = 'This category has a rate already.';
    cats.add(c.category_id);
    return { category_id: c.category_id, bps: bps(field, c.percent) };
  });
  const sel = new Set<string>();
  const sellers = d.sellers.map((s, i) => {
    const field = `sellers[${i}]`;
    if (!s.seller_id) errors[field + '.seller_id'] = 'Choose a store.';
    else if (sel.has(s.seller_id)) errors[field + '.seller_id'] = 'This store has a rate already.';
    sel.add(s.seller_id);
    return { seller_id: s.seller_id, bps: bps(field, s.percent), fees: fees(field, s.fees, errors) };
  });
  const body: RulesInput = { version: d.version, default: { bps: bps('default', d.percent), fees: fees('default', d.fees, errors) }, categories, sellers };
  return { body, errors };
}

/** without returns list without its i-th item (removing a rule or a fee). */
export function without<T>(list: T[], i: number): T[] {
  return list.filter((_, j) => j !== i);
}

/** replace returns list with its i-th item changed. */
export function replace<T>(list: T[], i: number, change: Partial<T>): T[] {
  return list.map((x, j) => (j === i ? { ...x, ...change } : x));
}

/**
 * errorsAfterRemoval keeps the errors of the rows left after row i of list
 * ("categories", "sellers", or "sellers[2].fees") is removed, renumbering
 * the later rows' keys so each message stays beside its field.
 */
export function errorsAfterRemoval(errors: DraftErrors, list: string, i: number): DraftErrors {
  const out: DraftErrors = {};
  const prefix = list + '[';
  for (const [k, v] of Object.entries(errors)) {
    if (!k.startsWith(prefix)) {
      out[k] = v;
      continue;
    }
    const m = /^\[(\d+)\](.*)$/.exec(k.slice(list.length));
    if (!m) continue;
    const n = Number(m[1]);
    if (n === i) continue;
    out[`${list}[${n > i ? n - 1 : n}]${m[2]}`] = v;
  }
  return out;
}
