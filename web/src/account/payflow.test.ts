import { describe, expect, it } from 'vitest';
import { initialPay, next, returnState, view, type PayEvent, type PayState } from './payflow';

const inr = { amount: 49900, currency: 'INR' };
const usd = { amount: 1999, currency: 'USD' };

function run(events: PayEvent[], from: PayState = initialPay): PayState {
  return events.reduce(next, from);
}

describe('payment step', () => {
  it.each<[string, PayEvent[], PayState]>([
    ['Razorpay paid', [{ type: 'start' }, { type: 'opened' }, { type: 'authorised' }, { type: 'paid' }], { phase: 'paid' }],
    ['Razorpay declined', [{ type: 'start' }, { type: 'opened' }, { type: 'declined', message: 'Declined by the bank.' }], { phase: 'declined', message: 'Declined by the bank.' }],
    ['a dismissal after a decline keeps the decline', [{ type: 'start' }, { type: 'opened' }, { type: 'declined', message: 'No.' }, { type: 'dismissed' }], { phase: 'declined', message: 'No.' }],
    ['Razorpay window closed', [{ type: 'start' }, { type: 'opened' }, { type: 'dismissed' }], { phase: 'dismissed' }],
    ['try again after a decline', [{ type: 'start' }, { type: 'opened' }, { type: 'declined', message: 'x' }, { type: 'start' }], { phase: 'starting' }],
    ['Stripe paid', [{ type: 'start' }, { type: 'ready' }, { type: 'submit' }, { type: 'paid' }], { phase: 'paid' }],
    ['Stripe: a field to fix goes back to the form', [{ type: 'start' }, { type: 'ready' }, { type: 'submit' }, { type: 'invalid', message: 'Your card number is incomplete.' }], { phase: 'ready', message: 'Your card number is incomplete.' }],
    ['Stripe: pay again on the same form after a decline', [{ type: 'start' }, { type: 'ready' }, { type: 'submit' }, { type: 'declined', message: 'Your card was declined.' }, { type: 'submit' }], { phase: 'waiting' }],
    ['an error on the way', [{ type: 'start' }, { type: 'error', message: 'offline' }], { phase: 'failed', message: 'offline' }],
    ['no double start while starting', [{ type: 'start' }, { type: 'start' }], { phase: 'starting' }],
    ['no submit before the form is ready', [{ type: 'start' }, { type: 'submit' }], { phase: 'starting' }],
    ['paid stays paid', [{ type: 'start' }, { type: 'opened' }, { type: 'paid' }, { type: 'error', message: 'late' }, { type: 'dismissed' }], { phase: 'paid' }],
    ['a late proof after a dismissal is ignored by the machine', [{ type: 'start' }, { type: 'opened' }, { type: 'dismissed' }, { type: 'authorised' }], { phase: 'dismissed' }],
  ])('%s', (_, events, want) => {
    expect(run(events)).toEqual(want);
  });

  it('names the amount and the gateway on the button', () => {
    expect(view(initialPay, 'razorpay', inr).button).toBe('Pay ₹499.00 with Razorpay');
    expect(view(initialPay, 'stripe', usd).button).toBe('Pay $19.99 with Stripe');
  });

  it.each<[PayState, string, boolean, RegExp, string | undefined]>([
    [{ phase: 'starting' }, 'razorpay', false, /Opening Razorpay/, 'busy'],
    [{ phase: 'waiting' }, 'razorpay', false, /Razorpay's window/, 'busy'],
    [{ phase: 'waiting' }, 'stripe', false, /Waiting for your bank/, 'busy'],
    [{ phase: 'confirming' }, 'razorpay', false, /Confirming your payment/, 'busy'],
    [{ phase: 'paid' }, 'stripe', false, /Paid/, 'good'],
    [{ phase: 'declined', message: 'Insufficient balance.' }, 'razorpay', true, /Declined: Insufficient balance\. Try again/, 'bad'],
    [{ phase: 'dismissed' }, 'razorpay', true, /Nothing was charged/, 'info'],
    [{ phase: 'failed', message: 'offline' }, 'stripe', true, /offline/, 'bad'],
  ])('view(%j, %s)', (s, gw, enabled, status, tone) => {
    const v = view(s, gw, inr);
    expect(v.enabled).toBe(enabled);
    expect(v.status).toMatch(status);
    expect(v.tone).toBe(tone);
  });

  it.each<[string, 'confirming' | 'failed' | undefined]>([
    ['', undefined],
    ['placed=1', undefined],
    ['placed=1&confirming=1', 'confirming'],
    ['payment_intent=pi_1&payment_intent_client_secret=s&redirect_status=succeeded', 'confirming'],
    ['payment_intent=pi_1&redirect_status=processing', 'confirming'],
    ['payment_intent=pi_1&redirect_status=failed', 'failed'],
  ])('returnState(%s) = %s', (q, want) => {
    expect(returnState(new URLSearchParams(q))).toBe(want);
  });
});
