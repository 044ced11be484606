/**
 * Cash on delivery at the door: what the delivery partner collects and the
 * cash_collected a delivery is recorded with. The server checks the amount
 * against what is due; the form only refuses what is not an amount at all.
 */
import { isApiError } from '../api/client';
import type { Money } from '../api/types';
import { formatMoney, parseAmount, toMajor } from '../lib/money';

/** collectText is what a cash-on-delivery shipment asks of its partner. */
export function collectText(due: Money): string {
  return `Collect ${formatMoney(due)} in cash`;
}

/** cashInput is the cash field's first value: the amount due, as typed. */
export function cashInput(due: Money): string {
  return toMajor(due.amount, due.currency);
}

/**
 * cashCollected reads the cash field into the event's cash_collected, in
 * the currency due; an error to show by the field when it is not an amount.
 */
export function cashCollected(input: string, due: Money): { cash_collected: Money } | { error: string } {
  const n = parseAmount(input, due.currency);
  if (n === null) return { error: `Enter the cash you collected in ${due.currency}, such as ${cashInput(due)}.` };
  return { cash_collected: { amount: n, currency: due.currency } };
}

/** cashFields are the names the server gives a wrong cash_collected. */
export const cashFields = ['cash_collected', 'cash_collected.amount', 'cash_collected.currency'];

/** cashError is the server's word on the cash collected, if it refused it. */
export function cashError(e: unknown): string | undefined {
  if (!isApiError(e)) return undefined;
  for (const f of cashFields) {
    const m = e.field(f);
    if (m) return m;
  }
  return undefined;
}
