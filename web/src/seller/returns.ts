// Pure helpers of the returns desk (seller center and staff): which actions
// a return allows to whom, the body of a receipt, the delivery partner's
// next pickup steps.
import type { Money } from '../api/types';
import type { PickupStatus, Return, ReturnLine, ReturnStatus } from '../api/support';
import { parseAmount } from '../lib/money';

/** The return statuses, in the order a return goes through them, for filters. */
export const returnStatuses: ReturnStatus[] = ['requested', 'approved', 'rejected', 'in_transit', 'received', 'refunded', 'cancelled'];

/** returnStatusFilter keeps a status the API knows; anything else means all. */
export function returnStatusFilter(s: string | null | undefined): ReturnStatus | '' {
  return returnStatuses.includes(s as ReturnStatus) ? (s as ReturnStatus) : '';
}

export type Desk = 'seller' | 'staff';

export interface ReturnActions {
  approve: boolean;
  reject: boolean;
  receive: boolean;
  /** Refund without receipt: staff only. */
  refund: boolean;
}

/** returnActions says what the seller or staff may do with a return in its status. */
export function returnActions(r: Pick<Return, 'status'>, desk: Desk): ReturnActions {
  const s = r.status;
  const staff = desk === 'staff';
  return {
    approve: s === 'requested' || (staff && s === 'rejected'),
    reject: s === 'requested',
    receive: s === 'approved' || s === 'in_transit',
    refund: staff && (s === 'approved' || s === 'rejected' || s === 'in_transit'),
  };
}

/** Received is how many units of one SKU came back sellable and damaged, as typed. */
export interface Received {
  sellable: string;
  damaged: string;
}

/** startReceipt proposes every requested unit as sellable. */
export function startReceipt(lines: ReturnLine[]): Record<string, Received> {
  const out: Record<string, Received> = {};
  for (const l of lines) out[l.sku] = { sellable: String(l.quantity), damaged: '0' };
  return out;
}

function count(s: string | undefined): number {
  const t = (s ?? '').trim();
  if (t === '') return 0;
  return /^\d+$/.test(t) ? Number(t) : NaN;
}

export interface ReceiptBody {
  lines: { sku: string; quantity: number; condition: 'sellable' | 'damaged' }[];
  restocking_fee?: Money;
}

/**
 * receiptBody turns the receive form into the API's body, or lists what is
 * wrong with it (by SKU, or "fee" and "lines"): counts must be whole
 * numbers, at most the requested quantity per line, at least one unit in
 * all; the fee a price in the order's currency.
 */
export function receiptBody(lines: ReturnLine[], got: Record<string, Received>, fee: string, currency: string): { body?: ReceiptBody; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const out: ReceiptBody['lines'] = [];
  let total = 0;
  for (const l of lines) {
    const g = got[l.sku] ?? { sellable: '', damaged: '' };
    const sellable = count(g.sellable);
    const damaged = count(g.damaged);
    if (Number.isNaN(sellable) || Number.isNaN(damaged)) {
      errors[l.sku] = 'Enter whole numbers of units.';
      continue;
    }
    if (sellable + damaged > l.quantity) {
      errors[l.sku] = `At most ${l.quantity} ${l.quantity === 1 ? 'unit was' : 'units were'} returned.`;
      continue;
    }
    total += sellable + damaged;
    if (sellable > 0) out.push({ sku: l.sku, quantity: sellable, condition: 'sellable' });
    if (damaged > 0) out.push({ sku: l.sku, quantity: damaged, condition: 'damaged' });
  }
  if (Object.keys(errors).length === 0 && total === 0) errors.lines = 'Receive at least one unit.';
  let restocking: Money | undefined;
  if (fee.trim() !== '') {
    const amount = parseAmount(fee, currency);
    if (amount === null) errors.fee = `Enter an amount in ${currency}, such as 2.50.`;
    else if (amount > 0) restocking = { amount, currency };
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { body: { lines: out, ...(restocking && { restocking_fee: restocking }) }, errors };
}

/** goodsValue is the price of the units a receipt takes back (before tax and fee). */
export function goodsValue(lines: ReturnLine[], body: ReceiptBody): number {
  const price = new Map(lines.map((l) => [l.sku, l.unit_price.amount]));
  return body.lines.reduce((n, l) => n + (price.get(l.sku) ?? 0) * l.quantity, 0);
}

/** requestedValue is the price of every unit a return asks to take back. */
export function requestedValue(r: Pick<Return, 'lines'>): Money | undefined {
  if (r.lines.length === 0) return undefined;
  return { amount: r.lines.reduce((n, l) => n + l.unit_price.amount * l.quantity, 0), currency: r.lines[0].unit_price.currency };
}

/** The moves a delivery partner may record for a return pickup from each status. */
export const pickupMoves: Partial<Record<PickupStatus, PickupStatus[]>> = {
  scheduled: ['picked_up', 'failed_attempt'],
  failed_attempt: ['picked_up', 'failed_attempt'],
  picked_up: ['delivered'],
};

export const pickupLabel: Record<PickupStatus, string> = {
  scheduled: 'Pickup scheduled',
  picked_up: 'Picked up',
  failed_attempt: 'Pickup attempt failed',
  delivered: 'Delivered to the seller',
  cancelled: 'Pickup cancelled',
};

/** pickupButton is the text of the button recording a pickup move. */
export function pickupButton(m: PickupStatus): string {
  if (m === 'picked_up') return 'Record picked up';
  if (m === 'failed_attempt') return 'Record failed attempt';
  if (m === 'delivered') return 'Record delivered to seller';
  return 'Record ' + m.replace(/_/g, ' ');
}

/** units is "1 unit" or "3 units". */
export function units(n: number): string {
  return `${n} ${n === 1 ? 'unit' : 'units'}`;
}

/** returnedUnits is how many units a return asks to take back. */
export function returnedUnits(r: Pick<Return, 'lines'>): number {
  return r.lines.reduce((n, l) => n + l.quantity, 0);
}

/** policyDays reads the return window typed in the policy form: 0 to 365 whole days, else null. */
export function policyDays(s: string): number | null {
  const t = s.trim();
  if (!/^\d{1,3}$/.test(t)) return null;
  const n = Number(t);
  return n <= 365 ? n : null;
}
