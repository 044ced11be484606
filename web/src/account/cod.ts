/**
 * Cash on delivery (COD) as the shopper sees it, kept apart from React so it
 * can be tested: asking whether a cart may be paid in cash, the payment
 * choice at checkout, and what an order paid (or to be paid) in cash says.
 *
 * The server's words: a COD payment is "authorized" once the order is
 * confirmed (the cash is due at the door), "succeeded" once the delivery
 * partner collected it, and "voided" when the order was cancelled before
 * dispatch.
 */
import { isApiError } from '../api/client';
import type { CashOnDeliveryOption, Cart, Money, Order } from '../api/types';
import { formatMoney } from '../lib/money';

/** The payment method (and gateway) name of cash on delivery. */
export const COD = 'cod';

/** The refusals of POST /api/v1/payment with method "cod". */
export const codRefusalCodes = ['cod_limit_exceeded', 'cod_unavailable'];

/**
 * checkoutQuery is the query of GET /api/v1/payment/checkout for a cart: its
 * currency, its total in minor units and its sellers (each once, sorted, so
 * the same cart asks the same question).
 */
export function checkoutQuery(currency: string, cart?: Pick<Cart, 'subtotal' | 'groups'>): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = { currency };
  if (!cart) return q;
  if (cart.subtotal.currency === currency) q.amount = String(cart.subtotal.amount);
  const sellers = [...new Set(cart.groups.map((g) => g.seller_id).filter(Boolean))].sort();
  if (sellers.length) q.seller = sellers;
  return q;
}

export interface CodChoice {
  /** The shopper may choose it for this cart. */
  available: boolean;
  /** The line under the choice: how it works, or why it cannot be chosen. */
  note: string;
}

/** codChoice is the cash-on-delivery choice at checkout; undefined when the marketplace does not offer it. */
export function codChoice(opt: CashOnDeliveryOption | undefined): CodChoice | undefined {
  if (!opt) return undefined;
  const upTo = opt.limit && opt.limit.amount > 0 ? ` (orders up to ${formatMoney(opt.limit)})` : '';
  if (opt.available) return { available: true, note: `Pay in cash when your order arrives${upTo}. Nothing is charged now.` };
  const reason = opt.reason?.trim();
  if (reason) return { available: false, note: reason };
  return { available: false, note: opt.limit && opt.limit.amount > 0 ? `Only for orders up to ${formatMoney(opt.limit)}.` : 'Not available for this order.' };
}

/** codRefusal is the server's reason for refusing to take an order in cash, or undefined for any other error. */
export function codRefusal(e: unknown): string | undefined {
  if (!isApiError(e) || !codRefusalCodes.includes(e.code)) return undefined;
  return e.detail || (e.code === 'cod_limit_exceeded' ? 'This order is over the limit for cash on delivery.' : 'Cash on delivery is not available for this order.');
}

type PaymentFacts = Pick<Order, 'payment_status'> & Partial<Pick<Order, 'payments' | 'status'>>;

/**
 * lastIsCod: the order's latest payment attempt is cash on delivery. Order
 * lists carry no payments: then an "authorized" payment (only cash on
 * delivery is authorized and captured later) is taken as cash on delivery.
 */
function lastIsCod(o: PaymentFacts): boolean | undefined {
  const last = o.payments?.[o.payments.length - 1];
  if (!last) return undefined;
  return last.gateway === COD || last.method === COD;
}

export type CodState = 'due' | 'paid' | 'voided';

/**
 * codState says where an order paid in cash on delivery stands: "due" (confirmed,
 * the cash is paid at the door), "paid" (collected), "voided" (cancelled
 * before dispatch); undefined for an order not paid so.
 */
export function codState(o: PaymentFacts): CodState | undefined {
  const cod = lastIsCod(o);
  switch (o.payment_status) {
    case 'authorized':
      return cod === false ? undefined : 'due';
    case 'succeeded':
      return cod ? 'paid' : undefined;
    case 'voided':
      return cod ? 'voided' : undefined;
  }
  return undefined;
}

/**
 * orderBadge is the status badge of an order: an order whose payment is only
 * authorised (cash on delivery, paid at the door; the server may authorise
 * other gateways' payments too, captured on delivery) is "Confirmed", never
 * "Pending payment" (the event that makes it paid may not have come yet)
 * nor "Paid" (nothing is taken before delivery). Order lists carry no
 * payments, so this holds whatever the method.
 */
export function orderBadge(o: PaymentFacts & Pick<Order, 'status'>): { status: string; label?: string } {
  if (o.payment_status === 'authorized' && (o.status === 'pending_payment' || o.status === 'paid')) return { status: 'paid', label: 'Confirmed' };
  return { status: o.status };
}

/** codNote is the line an order paid in cash on delivery shows about its payment. */
export function codNote(o: PaymentFacts & { total: Money }): string | undefined {
  switch (codState(o)) {
    case 'due':
      return `Pay ${formatMoney(o.total)} in cash on delivery.`;
    case 'paid':
      return `Paid in cash on delivery (${formatMoney(o.total)}).`;
    case 'voided':
      return 'Cash on delivery: nothing to pay, the order was cancelled.';
  }
  return undefined;
}

/** paymentBadge is the payment's badge on an order page: the cash-on-delivery states in words. */
export function paymentBadge(o: PaymentFacts & Pick<Order, 'paid_at'>): { status: string; label?: string } {
  switch (codState(o)) {
    case 'due':
      return { status: 'pending', label: 'Pay on delivery' };
    case 'paid':
      return { status: 'succeeded', label: 'Paid in cash' };
    case 'voided':
      return { status: 'cancelled', label: 'Voided' };
  }
  return { status: o.payment_status || (o.paid_at ? 'succeeded' : 'pending') };
}
