/**
 * The payment step with a gateway's own SDK (Stripe's Payment Element,
 * Razorpay Checkout) as a small state machine, kept apart from React so
 * every transition can be tested:
 *
 *   idle ──start──▶ starting ──opened──▶ waiting ──authorised──▶ confirming ──paid──▶ paid
 *                      │  (Razorpay: its window is open)   │          │
 *                      └──ready──▶ ready ──submit──▶ waiting          └──declined──▶ declined
 *                         (Stripe: the card form shows)    │
 *                                                          ├──declined──▶ declined ──start/submit──▶ …
 *                                                          ├──invalid───▶ ready (a field to fix)
 *                                                          └──dismissed─▶ dismissed ──start──▶ …
 *   any ──error──▶ failed ──start──▶ starting
 */
import { formatMoney } from '../lib/money';
import type { Money } from '../api/types';

export type Phase = 'idle' | 'starting' | 'ready' | 'waiting' | 'confirming' | 'paid' | 'declined' | 'dismissed' | 'failed';

export interface PayState {
  phase: Phase;
  /** The gateway's or the server's words: why a payment was declined or failed, or what to fix. */
  message?: string;
}

export type PayEvent =
  | { type: 'start' }
  | { type: 'ready' }
  | { type: 'opened' }
  | { type: 'submit' }
  | { type: 'authorised' }
  | { type: 'paid' }
  | { type: 'declined'; message: string }
  | { type: 'invalid'; message: string }
  | { type: 'dismissed' }
  | { type: 'error'; message: string };

export const initialPay: PayState = { phase: 'idle' };

/** next is the state after ev; an event that does not fit the state changes nothing. */
export function next(s: PayState, ev: PayEvent): PayState {
  switch (ev.type) {
    case 'start':
      return ['idle', 'declined', 'dismissed', 'failed'].includes(s.phase) ? { phase: 'starting' } : s;
    case 'ready':
      return s.phase === 'starting' ? { phase: 'ready' } : s;
    case 'opened':
      return s.phase === 'starting' ? { phase: 'waiting' } : s;
    case 'submit':
      // Stripe keeps its card form after a decline: the shopper fixes it and pays again.
      return s.phase === 'ready' || s.phase === 'declined' ? { phase: 'waiting' } : s;
    case 'authorised':
      return s.phase === 'waiting' ? { phase: 'confirming' } : s;
    case 'paid':
      return s.phase === 'waiting' || s.phase === 'confirming' ? { phase: 'paid' } : s;
    case 'declined':
      return s.phase === 'waiting' || s.phase === 'confirming' ? { phase: 'declined', message: ev.message } : s;
    case 'invalid':
      return s.phase === 'waiting' ? { phase: 'ready', message: ev.message } : s;
    case 'dismissed':
      // Checkout reports a dismissal after a decline too: the decline is what the shopper must see.
      return s.phase === 'waiting' ? { phase: 'dismissed' } : s;
    case 'error':
      return s.phase === 'paid' ? s : { phase: 'failed', message: ev.message };
  }
}

/** gatewayTitle is how a gateway is named to shoppers. */
export function gatewayTitle(gateway: string): string {
  switch (gateway) {
    case 'stripe':
      return 'Stripe';
    case 'razorpay':
      return 'Razorpay';
    case 'test':
      return 'a test card';
  }
  return gateway.charAt(0).toUpperCase() + gateway.slice(1);
}

export interface PayView {
  /** The pay button's words. */
  button: string;
  /** The button can be pressed. */
  enabled: boolean;
  /** A line saying what is happening, if anything. */
  status?: string;
  /** How the status line reads: progress (a spinner), a problem, or done. */
  tone?: 'busy' | 'bad' | 'good' | 'info';
}

/** view says what the payment step shows in state s. */
export function view(s: PayState, gateway: string, total: Money): PayView {
  const g = gatewayTitle(gateway);
  const pay = `Pay ${formatMoney(total)} with ${g}`;
  const popup = gateway === 'razorpay';
  switch (s.phase) {
    case 'idle':
      return { button: pay, enabled: true };
    case 'starting':
      return { button: `Opening ${g}…`, enabled: false, status: popup ? `Opening ${g}…` : `Loading ${g}'s secure payment form…`, tone: 'busy' };
    case 'ready':
      return { button: pay, enabled: true, status: s.message, tone: s.message ? 'bad' : undefined };
    case 'waiting':
      return popup
        ? { button: `Waiting for ${g}…`, enabled: false, status: `Complete the payment in ${g}'s window. Your bank may ask you to confirm it.`, tone: 'busy' }
        : { button: 'Waiting for your bank…', enabled: false, status: 'Waiting for your bank… Follow any steps it asks for.', tone: 'busy' };
    case 'confirming':
      return { button: 'Confirming…', enabled: false, status: 'Confirming your payment…', tone: 'busy' };
    case 'paid':
      return { button: 'Paid', enabled: false, status: 'Paid. Taking you to your order…', tone: 'good' };
    case 'declined':
      return { button: `Try again: ${pay}`, enabled: true, status: `Declined: ${s.message || 'your bank did not accept the payment.'} Try again or use another card.`, tone: 'bad' };
    case 'dismissed':
      return { button: pay, enabled: true, status: `You closed ${g}'s window. Nothing was charged; your order is saved.`, tone: 'info' };
    case 'failed':
      return { button: `Try again: ${pay}`, enabled: true, status: s.message || 'The payment could not be started.', tone: 'bad' };
  }
}

/**
 * returnState reads what Stripe appends to the return URL after a redirect
 * (3-D Secure, bank pages): "confirming" while the webhook is awaited,
 * "failed" when the shopper or the bank stopped it, undefined when the page
 * was not opened by such a return.
 */
export function returnState(params: URLSearchParams): 'confirming' | 'failed' | undefined {
  if (params.get('confirming') === '1') return 'confirming';
  if (!params.get('payment_intent') && !params.get('redirect_status')) return undefined;
  return params.get('redirect_status') === 'failed' ? 'failed' : 'confirming';
}
