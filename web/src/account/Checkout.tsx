import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api, useFeatures } from '../app/api';
import { useCart } from '../app/cart';
import { newIdempotencyKey } from '../api/client';
import type { Address, AddressInput, Cart, CheckoutConfig, Order, Page, Payment } from '../api/types';
import { Empty, ErrorBox, Loading, Price, humanize } from '../ui/kit';
import { AddressFields, emptyAddress, formatAddress } from './AddressForm';
import { GatewayPay, type PaidHow } from './GatewayPay';
import { gatewayTitle } from './payflow';
import { COD, checkoutQuery, codChoice, codRefusal } from './cod';

/**
 * Test cards of the built-in test gateway. These are gateway tokens, never
 * card numbers: the UI has no card number field at all (PCI).
 */
export const testCards = [
  { token: 'tok_visa', label: 'Visa ending 4242', note: 'succeeds' },
  { token: 'tok_mastercard', label: 'Mastercard ending 4444', note: 'succeeds' },
  { token: 'tok_chargeDeclined', label: 'Visa ending 0002', note: 'is declined' },
  { token: 'tok_insufficientFunds', label: 'Visa ending 9995', note: 'declined: insufficient funds' },
  { token: 'tok_processing', label: 'Visa ending 3220', note: 'succeeds after a few seconds' },
];

export function TestCardPicker({ value, onChange, name = 'card' }: { value: string; onChange: (t: string) => void; name?: string }) {
  return (
    <fieldset className="choices">
      <legend>Test card</legend>
      <p className="muted small">This shop runs the built-in test gateway: pick a test card. No real card is charged.</p>
      {testCards.map((c) => (
        <label key={c.token} className="choice">
          <input type="radio" name={name} value={c.token} checked={value === c.token} onChange={() => onChange(c.token)} />
          <span>
            <strong>{c.label}</strong> <span className="muted">— {c.note}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/**
 * useCheckoutConfig asks the server how payments in currency are taken:
 * the built-in test gateway (test cards here) or a gateway's browser SDK,
 * and whether cash on delivery is offered (for the cart, when given: its
 * total and sellers). Servers without the route take test cards.
 */
export function useCheckoutConfig(currency: string | undefined, cart?: Pick<Cart, 'subtotal' | 'groups'>) {
  const features = useFeatures();
  const known = features.loaded && features.has('GET /api/v1/payment/checkout');
  const query = checkoutQuery(currency ?? '', cart);
  return useQuery({
    queryKey: ['payment-checkout', query],
    queryFn: () => api.get<CheckoutConfig>('/api/v1/payment/checkout', { query }),
    enabled: !!currency && known,
    staleTime: 5 * 60_000,
    placeholderData: (prev) => prev,
  });
}

/** orderPage is where a shopper lands after paying: "confirming" shows the wait for the gateway's word. */
export function orderPage(id: string, how?: PaidHow): string {
  return '/orders/' + encodeURIComponent(id) + '?placed=1' + (how === 'confirming' ? '&confirming=1' : '');
}

export default function CheckoutPage() {
  return (
    <RequireUser roles={['customer']}>
      <Checkout />
    </RequireUser>
  );
}

function Checkout() {
  const features = useFeatures();
  const cart = useCart();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const addresses = useQuery({
    queryKey: ['addresses'],
    queryFn: () => api.get<Page<Address>>('/api/v1/address', { query: { limit: 50 } }).then((p) => p.items),
  });
  const [choice, setChoice] = useState<string>(''); // address ID or "new"
  const [draft, setDraft] = useState<AddressInput>(emptyAddress);
  const [card, setCard] = useState('tok_visa');
  const orderKey = useRef(newIdempotencyKey());
  const payKey = useRef(newIdempotencyKey());
  const [stage, setStage] = useState<'address' | 'order' | 'payment' | ''>('');
  const [placed, setPlaced] = useState<Order | null>(null); // awaiting payment in the gateway's SDK
  const [refused, setRefused] = useState<{ order: Order; reason: string } | null>(null); // placed, cash on delivery refused
  const payConfig = useCheckoutConfig(cart.data?.currency || cart.data?.subtotal.currency, cart.data);
  const sdk = payConfig.data?.client_side ? payConfig.data : undefined;
  const cod = codChoice(payConfig.data?.cash_on_delivery);
  const [method, setMethod] = useState<'card' | 'cod'>('card');
  const byCash = method === 'cod' && !!cod?.available;

  useEffect(() => {
    document.title = 'Checkout · Bazaar';
  }, []);
  useEffect(() => {
    if (!choice && addresses.data) {
      setChoice((addresses.data.find((a) => a.is_default) ?? addresses.data[0])?.id ?? 'new');
    }
  }, [addresses.data, choice]);

  const place = useMutation({
    mutationFn: async () => {
      let addressId = choice;
      if (choice === 'new') {
        setStage('address');
        const a = await api.post<Address>('/api/v1/address', { ...draft, is_default: (addresses.data?.length ?? 0) === 0 });
        addressId = a.id;
        setChoice(a.id);
        void qc.invalidateQueries({ queryKey: ['addresses'] });
      }
      setStage('order');
      const order = await api.post<Order>('/api/v1/order', { address_id: addressId }, { idempotencyKey: orderKey.current, cart: true });
      if (byCash) {
        setStage('payment');
        try {
          await api.post<Payment>('/api/v1/payment', { order_id: order.id, method: COD }, { idempotencyKey: payKey.current });
        } catch (e) {
          // Refused (over the limit, a seller who takes no cash): the order
          // is placed and waits for another way to pay; say why here.
          const reason = codRefusal(e);
          if (reason) return { order, refused: reason };
          // Anything else: the order's page shows the payment state.
        }
        return { order };
      }
      if (sdk) return { order }; // paid next, in the gateway's SDK
      setStage('payment');
      try {
        await api.post<Payment>('/api/v1/payment', { order_id: order.id, method: card }, { idempotencyKey: payKey.current });
      } catch {
        // The order exists; its page shows the payment state and offers to pay again.
      }
      return { order };
    },
    onSuccess: ({ order, refused }: { order: Order; refused?: string }) => {
      qc.setQueryData(['order', order.id], order);
      void qc.invalidateQueries({ queryKey: ['cart'] });
      void qc.invalidateQueries({ queryKey: ['orders'] });
      if (refused) {
        void qc.invalidateQueries({ queryKey: ['payment-checkout'] });
        setRefused({ order, reason: refused });
      } else if (sdk && !byCash) setPlaced(order);
      else navigate(orderPage(order.id), { replace: true });
    },
    onError: () => {
      // A refused order is final for this attempt: a new click is a new attempt.
      orderKey.current = newIdempotencyKey();
      payKey.current = newIdempotencyKey();
    },
  });

  if (refused) return <CodRefused order={refused.order} reason={refused.reason} />;
  if (placed && sdk) {
    return <PayPlaced order={placed} checkout={sdk} onPaid={(how) => navigate(orderPage(placed.id, how), { replace: true })} />;
  }
  if (!features.loaded || cart.isPending || addresses.isPending || (payConfig.isPending && payConfig.fetchStatus !== 'idle')) return <Loading />;
  if (!features.has('POST /api/v1/order')) {
    return (
      <div className="page narrow">
        <h1>Checkout</h1>
        <p className="notice">Checkout is not available on this server yet.</p>
      </div>
    );
  }
  const c = cart.data;
  if (!c || c.item_count === 0) {
    return (
      <div className="page narrow">
        <h1>Checkout</h1>
        <Empty title="Your cart is empty">
          <Link to="/">Keep shopping</Link>
        </Empty>
      </div>
    );
  }
  const addressError = stage === 'address' ? place.error : undefined;
  const payNow = sdk ? (
    <p data-testid="pay-with">
      You pay with <strong>{gatewayTitle(sdk.gateway)}</strong> once your order is placed:{' '}
      {sdk.gateway === 'razorpay' ? "Razorpay's secure window opens for cards, UPI, netbanking and wallets." : "Stripe's secure card form opens here."}{' '}
      <span className="muted">Nothing is charged until you confirm there.</span>
    </p>
  ) : (
    <TestCardPicker value={card} onChange={setCard} />
  );
  const orderError = stage !== 'address' ? place.error : undefined;

  return (
    <div className="page checkout">
      <h1>Checkout</h1>
      <form
        className="checkout-layout"
        onSubmit={(e) => {
          e.preventDefault();
          place.mutate();
        }}
      >
        <div className="checkout-steps">
          <section className="panel" aria-labelledby="ship-title">
            <h2 id="ship-title">1. Shipping address</h2>
            {addresses.isError && <ErrorBox error={addresses.error} />}
            {(addresses.data?.length ?? 0) > 0 && (
              <fieldset className="choices">
                <legend className="sr-only">Ship to</legend>
                {addresses.data!.map((a) => (
                  <label key={a.id} className="choice">
                    <input type="radio" name="address" value={a.id} checked={choice === a.id} onChange={() => setChoice(a.id)} />
                    <span>{formatAddress(a)}</span>
                  </label>
                ))}
                <label className="choice">
                  <input type="radio" name="address" value="new" checked={choice === 'new'} onChange={() => setChoice('new')} />
                  <span>A new address</span>
                </label>
              </fieldset>
            )}
            {choice === 'new' && (
              <>
                <ErrorBox error={addressError} fields={Object.keys(emptyAddress)} />
                <AddressFields value={draft} onChange={setDraft} error={addressError} />
                <p className="muted small">The address is saved to your account for next time.</p>
              </>
            )}
          </section>
          <section className="panel" aria-labelledby="pay-title">
            <h2 id="pay-title">2. Payment</h2>
            {payConfig.isError && <ErrorBox error={payConfig.error} title="The payment options could not be loaded." />}
            {cod ? (
              <fieldset className="choices pay-methods">
                <legend className="sr-only">How you pay</legend>
                <label className="choice">
                  <input type="radio" name="pay-method" value="card" checked={!byCash} onChange={() => setMethod('card')} />
                  <span>
                    <strong>{sdk ? `Pay now with ${gatewayTitle(sdk.gateway)}` : 'Pay now by card'}</strong>
                  </span>
                </label>
                {!byCash && <div className="pay-method-body">{payNow}</div>}
                <label className={'choice' + (cod.available ? '' : ' disabled')} data-testid="cod-choice">
                  <input type="radio" name="pay-method" value="cod" checked={byCash} disabled={!cod.available} aria-describedby="cod-note" onChange={() => setMethod('cod')} />
                  <span>
                    <strong>Cash on delivery</strong>
                    <br />
                    <span id="cod-note" className={cod.available ? 'muted small' : 'small cod-unavailable'} data-testid="cod-note">
                      {cod.available ? cod.note : 'Not available: ' + cod.note}
                    </span>
                  </span>
                </label>
              </fieldset>
            ) : (
              payNow
            )}
          </section>
        </div>
        <aside className="panel summary" aria-label="Order summary">
          <h2>3. Review</h2>
          <ul className="review-lines">
            {c.groups.flatMap((g) =>
              g.lines.map((l) => (
                <li key={l.id}>
                  <span>
                    {l.quantity} × {l.product_title}
                    {Object.keys(l.options).length > 0 && <span className="muted small"> ({Object.entries(l.options).map(([k, v]) => `${humanize(k)} ${v}`).join(', ')})</span>}
                  </span>
                  <Price value={l.line_total} />
                </li>
              )),
            )}
          </ul>
          <p className="summary-row">
            <span>Items subtotal</span>
            <Price value={c.subtotal} className="strong" />
          </p>
          <p className="muted small">Shipping and tax are added when the order is placed; you see the total on the next page.</p>
          <ErrorBox error={orderError} />
          <button type="submit" className="btn primary block" disabled={place.isPending}>
            {place.isPending
              ? stage === 'payment'
                ? byCash
                  ? 'Confirming…'
                  : 'Paying…'
                : 'Placing your order…'
              : byCash
                ? 'Place order, pay cash on delivery'
                : sdk
                  ? `Place order and pay with ${gatewayTitle(sdk.gateway)}`
                  : 'Place order and pay'}
          </button>
        </aside>
      </form>
    </div>
  );
}

/** PayPlaced is checkout's last step with a gateway's SDK: the order is placed, the shopper pays. */
function PayPlaced({ order, checkout, onPaid }: { order: Order; checkout: CheckoutConfig; onPaid: (how: PaidHow) => void }) {
  return (
    <div className="page narrow checkout">
      <h1>Checkout</h1>
      <section className="panel" aria-labelledby="pay-now-title">
        <h2 id="pay-now-title">Pay for your order</h2>
        <p>
          Order <strong>{order.id}</strong> is placed and your items are held. Total{' '}
          <Price value={order.total} className="strong" />.
        </p>
        <GatewayPay orderId={order.id} total={order.total} checkout={checkout} autoStart onPaid={onPaid} />
        <p className="small">
          <Link to={'/orders/' + encodeURIComponent(order.id)}>Pay later from your order page</Link>
        </p>
      </section>
    </div>
  );
}

/** CodRefused is checkout's end when the order is placed but cash on delivery was refused for it. */
function CodRefused({ order, reason }: { order: Order; reason: string }) {
  return (
    <div className="page narrow checkout">
      <h1>Checkout</h1>
      <section className="panel" aria-labelledby="cod-refused-title">
        <h2 id="cod-refused-title">Cash on delivery is not possible for this order</h2>
        <p className="error-box" role="alert" data-testid="cod-refused">
          {reason}
        </p>
        <p>
          Order <strong>{order.id}</strong> is placed and your items are held. Total <Price value={order.total} className="strong" />. Nothing has been charged: pay for it another way from its page.
        </p>
        <p>
          <Link className="btn primary" to={'/orders/' + encodeURIComponent(order.id)}>
            Pay from your order page
          </Link>
        </p>
      </section>
    </div>
  );
}
