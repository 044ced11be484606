import { useCallback, useEffect, useReducer, useRef } from 'react';
import { api } from '../app/api';
import { isApiError, newIdempotencyKey } from '../api/client';
import type { CheckoutConfig, Money, Payment } from '../api/types';
import { initialPay, next, view } from './payflow';
import { loadRazorpay, loadStripe, mountPaymentElement, openRazorpay, stripeOutcome, type StripeElements, type StripeInstance, type StripeElement } from './sdk';

/** How the payment ended for the page: paid, or handed to the server to confirm (a webhook). */
export type PaidHow = 'paid' | 'confirming';

function problem(e: unknown): string {
  if (isApiError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return 'Something went wrong. Try again.';
}

/**
 * GatewayPay takes the payment for an order with the gateway's own SDK:
 * Razorpay Checkout (its window opens on top of the page) or Stripe's
 * Payment Element (the card form shows here). It starts a payment attempt
 * (POST /api/v1/payment without a method), loads the SDK from where the
 * server says, and reports the outcome through onPaid.
 */
export function GatewayPay({
  orderId,
  total,
  checkout,
  autoStart = false,
  onPaid,
}: {
  orderId: string;
  total: Money;
  checkout: CheckoutConfig;
  autoStart?: boolean;
  onPaid: (how: PaidHow) => void;
}) {
  const [state, dispatch] = useReducer(next, initialPay);
  const frame = useRef<HTMLDivElement>(null);
  const stripe = useRef<{ stripe: StripeInstance; elements: StripeElements; element: StripeElement } | null>(null);
  const started = useRef(false);
  const paid = useRef(onPaid);
  paid.current = onPaid;
  const gateway = checkout.gateway;

  const start = useCallback(async () => {
    dispatch({ type: 'start' });
    try {
      const p = await api.post<Payment>('/api/v1/payment', { order_id: orderId }, { idempotencyKey: newIdempotencyKey() });
      if (p.status === 'succeeded') {
        paid.current('paid');
        return;
      }
      const na = p.next_action;
      if (na?.type !== 'use_sdk') throw new Error('The payment gateway did not start the payment. Try again in a moment.');
      const key = na.publishable_key || checkout.publishable_key || '';
      if (gateway === 'razorpay') {
        const Razorpay = await loadRazorpay(checkout.script_url || 'https://checkout.razorpay.com/v1/checkout.js');
        openRazorpay(
          Razorpay,
          { key, orderId: na.gateway_order_id ?? '', amount: p.amount, description: 'Order ' + orderId },
          {
            onProof: (proof) => {
              dispatch({ type: 'authorised' });
              api
                .post<Payment>(`/api/v1/payment/${encodeURIComponent(p.id)}/confirm`, proof)
                .then((done) => {
                  if (done.status === 'failed') {
                    dispatch({ type: 'declined', message: done.failure_message || '' });
                    return;
                  }
                  dispatch({ type: 'paid' });
                  paid.current(done.status === 'succeeded' ? 'paid' : 'confirming');
                })
                .catch((e) => dispatch({ type: 'error', message: problem(e) }));
            },
            onFailed: (reason) => dispatch({ type: 'declined', message: reason }),
            onDismiss: () => dispatch({ type: 'dismissed' }),
          },
        );
        dispatch({ type: 'opened' });
        return;
      }
      if (gateway === 'stripe') {
        const Stripe = await loadStripe(checkout.script_url || 'https://js.stripe.com/v3/');
        if (!frame.current) return;
        stripe.current?.element.destroy?.();
        stripe.current = mountPaymentElement(Stripe, key, na.client_secret ?? '', frame.current);
        dispatch({ type: 'ready' });
        return;
      }
      throw new Error(`This shop's payment gateway (${gateway}) cannot be used from the browser.`);
    } catch (e) {
      dispatch({ type: 'error', message: problem(e) });
    }
  }, [orderId, checkout, gateway]);

  const submit = async () => {
    const s = stripe.current;
    if (!s) return;
    dispatch({ type: 'submit' });
    try {
      const returnUrl = `${window.location.origin}/orders/${encodeURIComponent(orderId)}?placed=1`;
      const out = stripeOutcome(await s.stripe.confirmPayment({ elements: s.elements, redirect: 'if_required', confirmParams: { return_url: returnUrl } }));
      switch (out.kind) {
        case 'paid':
          dispatch({ type: 'paid' });
          paid.current('confirming'); // Stripe's webhook tells the server
          return;
        case 'declined':
          dispatch({ type: 'declined', message: out.message });
          return;
        case 'invalid':
          dispatch({ type: 'invalid', message: out.message });
          return;
        default:
          dispatch({ type: 'error', message: out.message });
      }
    } catch (e) {
      dispatch({ type: 'error', message: problem(e) });
    }
  };

  useEffect(() => {
    if (autoStart && !started.current) {
      started.current = true;
      void start();
    }
  }, [autoStart, start]);
  useEffect(() => () => stripe.current?.element.destroy?.(), []);

  const v = view(state, gateway, total);
  const stripeForm = gateway === 'stripe' && stripe.current !== null && state.phase !== 'failed';
  const onClick = () => {
    if (gateway === 'stripe' && stripe.current && (state.phase === 'ready' || state.phase === 'declined')) void submit();
    else void start();
  };
  return (
    <div className="gateway-pay" data-testid="gateway-pay" data-phase={state.phase}>
      {gateway === 'stripe' && <div ref={frame} className="sdk-frame" hidden={!stripeForm && state.phase !== 'starting'} aria-label="Card details" />}
      {v.status && (
        <p className={'pay-status ' + (v.tone ?? '')} role={v.tone === 'bad' ? 'alert' : 'status'} data-testid="pay-status">
          {v.tone === 'busy' && <span className="spinner" aria-hidden="true" />} {v.status}
        </p>
      )}
      <button type="button" className="btn primary block" disabled={!v.enabled} onClick={onClick}>
        {v.button}
      </button>
      <p className="muted small secure-note">
        {gateway === 'razorpay'
          ? "You pay in Razorpay's secure window: cards, UPI, netbanking and wallets. Bazaar never sees your card."
          : 'Your card details go straight to Stripe. Bazaar never sees them.'}
      </p>
    </div>
  );
}
