import { describe, expect, it } from 'vitest';
import { openRazorpay, razorpayReason, stripeOutcome, type RazorpayConstructor, type RazorpayError, type RazorpayOptions, type RazorpayProof } from './sdk';

/** fakeRazorpay records the options Checkout was opened with and lets the test play the shopper. */
function fakeRazorpay() {
  const made: { options: RazorpayOptions; opened: boolean; failed?: (r: { error: RazorpayError }) => void }[] = [];
  class R {
    rec: (typeof made)[number];
    constructor(options: RazorpayOptions) {
      this.rec = { options, opened: false };
      made.push(this.rec);
    }
    open() {
      this.rec.opened = true;
    }
    on(_: 'payment.failed', fn: (r: { error: RazorpayError }) => void) {
      this.rec.failed = fn;
    }
  }
  return { Razorpay: R as unknown as RazorpayConstructor, made };
}

describe('openRazorpay', () => {
  const order = { key: 'rzp_test_1', orderId: 'order_9', amount: { amount: 49900, currency: 'INR' }, description: 'Order ord_1' };

  it('opens Checkout with the order, retries off, and hands the proof on', () => {
    const { Razorpay, made } = fakeRazorpay();
    const got: string[] = [];
    openRazorpay(Razorpay, order, { onProof: (p) => got.push('proof ' + p.razorpay_payment_id), onFailed: (r) => got.push('failed ' + r), onDismiss: () => got.push('dismissed') });
    expect(made).toHaveLength(1);
    const o = made[0].options;
    expect(made[0].opened).toBe(true);
    expect({ key: o.key, order_id: o.order_id, amount: o.amount, currency: o.currency, name: o.name, retry: o.retry }).toEqual({
      key: 'rzp_test_1',
      order_id: 'order_9',
      amount: 49900,
      currency: 'INR',
      name: 'Bazaar',
      retry: { enabled: false },
    });
    const proof: RazorpayProof = { razorpay_payment_id: 'pay_1', razorpay_order_id: 'order_9', razorpay_signature: 'sig' };
    o.handler(proof);
    o.modal.ondismiss(); // Checkout closes after the handler: not a dismissal
    expect(got).toEqual(['proof pay_1']);
  });

  it('reports a failed payment with the bank\'s reason, and a dismissal', () => {
    const { Razorpay, made } = fakeRazorpay();
    const got: string[] = [];
    const h = { onProof: () => got.push('proof'), onFailed: (r: string) => got.push('failed: ' + r), onDismiss: () => got.push('dismissed') };
    openRazorpay(Razorpay, order, h);
    made[0].failed!({ error: { code: 'BAD_REQUEST_ERROR', description: 'Payment declined by the bank.', reason: 'payment_declined' } });
    made[0].options.modal.ondismiss();
    openRazorpay(Razorpay, order, h);
    made[1].options.modal.ondismiss();
    expect(got).toEqual(['failed: Payment declined by the bank.', 'dismissed']);
  });

  it.each<[RazorpayError | undefined, string]>([
    [{ description: 'Insufficient balance.' }, 'Insufficient balance.'],
    [{ reason: 'payment_cancelled' }, 'payment cancelled.'],
    [undefined, 'the payment did not go through.'],
  ])('razorpayReason(%j) = %s', (e, want) => {
    expect(razorpayReason(e)).toBe(want);
  });
});

describe('stripeOutcome', () => {
  it.each([
    [{ paymentIntent: { id: 'pi_1', status: 'succeeded' } }, { kind: 'paid' }],
    [{ paymentIntent: { id: 'pi_1', status: 'processing' } }, { kind: 'paid' }],
    [{ error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } }, { kind: 'declined', message: 'Your card was declined.' }],
    [{ error: { type: 'validation_error', message: 'Your card number is incomplete.' } }, { kind: 'invalid', message: 'Your card number is incomplete.' }],
    [{ error: { type: 'invalid_request_error', code: 'payment_intent_authentication_failure', message: 'We are unable to authenticate your payment method.' } }, { kind: 'declined', message: 'We are unable to authenticate your payment method.' }],
    [{ error: { type: 'api_connection_error' } }, { kind: 'error', message: 'The payment did not go through.' }],
    [{ paymentIntent: { id: 'pi_1', status: 'requires_payment_method' } }, { kind: 'declined', message: 'Your bank did not accept the payment.' }],
  ])('stripeOutcome(%j)', (r, want) => {
    expect(stripeOutcome(r)).toEqual(want);
  });
});
