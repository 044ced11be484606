/**
 * The little of each gateway's browser SDK Bazaar uses, typed, and how its
 * answers map onto the payment step's events. Card data stays inside the
 * SDKs (Stripe's iframes, Razorpay's window); Bazaar only sees tokens and
 * signed results.
 */
import { loadScript } from '../lib/script';
import type { Money } from '../api/types';

// ---- Razorpay Checkout (https://razorpay.com/docs/payments/payment-gateway/web-integration/standard/)

export interface RazorpayProof {
  razorpay_payment_id: string;
  razorpay_order_id: string;
  razorpay_signature: string;
}

export interface RazorpayError {
  code?: string;
  description?: string;
  reason?: string;
  source?: string;
  step?: string;
  metadata?: { order_id?: string; payment_id?: string };
}

export interface RazorpayOptions {
  key: string;
  order_id: string;
  amount: number;
  currency: string;
  name: string;
  description?: string;
  retry: { enabled: boolean };
  handler: (r: RazorpayProof) => void;
  modal: { ondismiss: () => void };
}

export interface RazorpayInstance {
  open(): void;
  close?(): void;
  on(event: 'payment.failed', fn: (r: { error: RazorpayError }) => void): void;
}

export type RazorpayConstructor = new (options: RazorpayOptions) => RazorpayInstance;

export interface RazorpayHandlers {
  onProof: (p: RazorpayProof) => void;
  onFailed: (reason: string) => void;
  onDismiss: () => void;
}

/**
 * openRazorpay opens Checkout for a Razorpay order. Retries inside Checkout
 * are off: a declined payment comes back to the page, which says why and
 * starts a fresh attempt when the shopper tries again.
 */
export function openRazorpay(
  Razorpay: RazorpayConstructor,
  o: { key: string; orderId: string; amount: Money; description?: string },
  h: RazorpayHandlers,
): RazorpayInstance {
  let settled = false;
  const rz = new Razorpay({
    key: o.key,
    order_id: o.orderId,
    amount: o.amount.amount,
    currency: o.amount.currency,
    name: 'Bazaar',
    description: o.description,
    retry: { enabled: false },
    handler: (r) => {
      settled = true;
      h.onProof(r);
    },
    modal: {
      ondismiss: () => {
        if (!settled) h.onDismiss();
      },
    },
  });
  rz.on('payment.failed', (r) => {
    settled = true;
    h.onFailed(razorpayReason(r?.error));
  });
  rz.open();
  return rz;
}

/** razorpayReason is the shopper-facing reason of a failed Checkout payment. */
export function razorpayReason(e: RazorpayError | undefined): string {
  const d = e?.description?.trim();
  if (d) return d;
  if (e?.reason) return e.reason.replace(/_/g, ' ') + '.';
  return 'the payment did not go through.';
}

export function loadRazorpay(src: string): Promise<RazorpayConstructor> {
  return loadScript(src, { global: () => (window as unknown as { Razorpay?: RazorpayConstructor }).Razorpay });
}

// ---- Stripe.js and the Payment Element (https://docs.stripe.com/payments/payment-element)

export interface StripeElement {
  mount(target: HTMLElement | string): void;
  destroy?(): void;
  on?(event: string, fn: (e: unknown) => void): void;
}

export interface StripeElements {
  create(type: 'payment', options?: Record<string, unknown>): StripeElement;
}

export interface StripeError {
  type?: string; // card_error, validation_error, invalid_request_error, api_error, ...
  code?: string;
  decline_code?: string;
  message?: string;
}

export interface StripeConfirmResult {
  error?: StripeError;
  paymentIntent?: { id: string; status: string };
}

export interface StripeInstance {
  elements(options: { clientSecret: string; appearance?: Record<string, unknown> }): StripeElements;
  confirmPayment(options: { elements: StripeElements; redirect: 'if_required'; confirmParams: { return_url: string } }): Promise<StripeConfirmResult>;
}

export type StripeFactory = (publishableKey: string) => StripeInstance;

export function loadStripe(src: string): Promise<StripeFactory> {
  return loadScript(src, { global: () => (window as unknown as { Stripe?: StripeFactory }).Stripe });
}

/** mountPaymentElement shows Stripe's Payment Element for a PaymentIntent in target. */
export function mountPaymentElement(Stripe: StripeFactory, publishableKey: string, clientSecret: string, target: HTMLElement) {
  const stripe = Stripe(publishableKey);
  const elements = stripe.elements({ clientSecret, appearance: { theme: 'stripe' } });
  const element = elements.create('payment', { layout: 'tabs' });
  element.mount(target);
  return { stripe, elements, element };
}

/**
 * StripeOutcome is what confirmPayment's answer means for the shopper:
 * paid (or processing: the webhook tells the server), declined (the card or
 * bank refused: try again), invalid (a field to fix in the form), or error.
 */
export type StripeOutcome = { kind: 'paid' } | { kind: 'declined' | 'invalid' | 'error'; message: string };

export function stripeOutcome(r: StripeConfirmResult): StripeOutcome {
  if (r.error) {
    const message = r.error.message || 'The payment did not go through.';
    switch (r.error.type) {
      case 'card_error':
        return { kind: 'declined', message };
      case 'validation_error':
        return { kind: 'invalid', message };
    }
    if (r.error.code === 'payment_intent_authentication_failure') return { kind: 'declined', message };
    return { kind: 'error', message };
  }
  switch (r.paymentIntent?.status) {
    case 'succeeded':
    case 'processing':
    case 'requires_capture':
      return { kind: 'paid' };
    case 'requires_payment_method':
      return { kind: 'declined', message: 'Your bank did not accept the payment.' };
  }
  // With redirect: 'if_required' Stripe.js has redirected for anything else.
  return { kind: 'error', message: 'The payment is in an unexpected state (' + (r.paymentIntent?.status ?? 'unknown') + '); check your order before trying again.' };
}
