import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api, useFeatures, useSession } from '../app/api';
import { isApiError, newIdempotencyKey } from '../api/client';
import type { Order, Page, Payment, SellerOrder, Shipment } from '../api/types';
import type { Return } from '../api/support';
import { Badge, ErrorBox, Loading, Price, Timeline, formatDate, humanize, type TimelineStep } from '../ui/kit';
import { ShipmentTimeline } from '../ui/shipment';
import { formatMoney } from '../lib/money';
import { TestCardPicker, orderPage, useCheckoutConfig } from './Checkout';
import { GatewayPay } from './GatewayPay';
import { returnState } from './payflow';
import { codNote, codState, orderBadge, paymentBadge } from './cod';
import { formatAddress } from './AddressForm';
import { useLiveConnected } from '../live/useLive';
import { ReturnBadge } from '../support/badges';
import { returnSummary } from '../support/format';

export default function OrderDetailPage() {
  return (
    <RequireUser roles={['customer', 'admin', 'support']}>
      <OrderDetail />
    </RequireUser>
  );
}

/**
 * awaitingShopper: the latest payment attempt waits for the shopper in the
 * gateway's SDK (Stripe's Payment Element, Razorpay Checkout), not for the
 * gateway.
 */
function awaitingShopper(o: Order): boolean {
  const last = o.payments?.[o.payments.length - 1];
  return !!last && (last.status === 'pending' || last.status === 'processing') && last.next_action?.type === 'use_sdk';
}

/**
 * settling: the order waits on a payment the gateway has not answered yet.
 * Right after checkout the order may not know of its payment for a moment;
 * after the shopper paid in a gateway's SDK (confirmed: the page was opened
 * so, or Stripe's redirect returned here) the gateway's webhook is awaited.
 */
function settling(o: Order, justPlaced = false, confirmed = false): boolean {
  if (o.status !== 'pending_payment') return false;
  // Cash on delivery is confirmed at once: nothing for the shopper to wait on.
  if (codState(o) === 'due') return false;
  const ps = o.payment_status;
  if (confirmed) return ps !== 'failed';
  if (awaitingShopper(o)) return false;
  // succeeded (or authorised, to capture on delivery): the payment is
  // taken and the order has yet to hear of it.
  return ps === 'pending' || ps === 'processing' || ps === 'succeeded' || ps === 'authorized' || (!ps && justPlaced);
}

function OrderDetail() {
  const { id = '' } = useParams();
  const { user } = useSession();
  const [params] = useSearchParams();
  const placed = params.get('placed') === '1';
  const returned = returnState(params); // back from paying in a gateway's SDK
  const started = useRef(Date.now());
  // Live messages reach the order's customer; staff looking at it poll.
  const live = useLiveConnected() && user?.role === 'customer';
  const order = useQuery({
    queryKey: ['order', id],
    queryFn: () => api.get<Order>('/api/v1/order/' + encodeURIComponent(id)),
    // Poll while the payment settles (the gateway answers by webhook), for
    // two minutes at most; then slowly while parcels move.
    refetchInterval: (q) => {
      const o = q.state.data;
      if (!o) return false;
      if (settling(o, placed && Date.now() - started.current < 15_000, returned === 'confirming') && Date.now() - started.current < 120_000) return 1500;
      // Cash on delivery confirmed: the order hears of it in a moment.
      if (o.status === 'pending_payment' && codState(o) === 'due' && Date.now() - started.current < 120_000) return 1500;
      // Parcels on their way: live updates tell of each step; without
      // them, look now and then.
      if (['paid', 'partially_shipped', 'shipped', 'partially_delivered'].includes(o.status)) return live ? false : 30_000;
      return false;
    },
    staleTime: 0,
  });
  useEffect(() => {
    document.title = 'Order ' + id + ' · Bazaar';
  }, [id]);

  if (order.isPending) return <Loading label="Loading your order…" />;
  if (order.isError) {
    return (
      <div className="page narrow">
        <h1>Order</h1>
        {isApiError(order.error) && order.error.status === 404 ? (
          <p>
            We cannot find this order. <Link to="/orders">Your orders</Link>
          </p>
        ) : (
          <ErrorBox error={order.error} />
        )}
      </div>
    );
  }
  const o = order.data;
  const paid = !!o.paid_at;
  const customer = user?.role === 'customer';
  const waiting = settling(o, placed && Date.now() - started.current < 15_000, returned === 'confirming') && Date.now() - started.current < 120_000;
  const cod = codState(o);
  const badge = orderBadge(o);
  const pay = paymentBadge(o);
  return (
    <div className="page order-detail">
      {placed && cod === 'due' && ['pending_payment', 'paid'].includes(o.status) && (
        <div className="success-box" role="status" data-testid="cod-confirmed">
          <strong>Thank you! Your order is confirmed.</strong> Pay <Price value={o.total} className="strong" /> in cash on delivery. We will let you know as it ships.
        </div>
      )}
      {placed && !cod && paid && o.status === 'paid' && (
        <div className="success-box" role="status">
          <strong>Thank you! Your order is placed and paid.</strong> We will let you know as it ships.
        </div>
      )}
      {waiting && (
        <div className="notice" role="status">
          <span className="spinner" aria-hidden="true" /> Confirming your payment…
          {returned === 'confirming' && <span className="muted small"> Your bank has answered; we are waiting for the payment gateway to confirm it.</span>}
        </div>
      )}
      {returned === 'failed' && o.status === 'pending_payment' && (
        <div className="error-box" role="alert">
          The payment was not completed, so nothing was charged. You can try again below.
        </div>
      )}
      <div className="order-head">
        <div>
          <p className="crumbs">
            <Link to="/orders">Your orders</Link>
          </p>
          <h1>Order {o.id}</h1>
          <p className="muted">Placed {formatDate(o.placed_at)}</p>
        </div>
        <p className="order-status" data-testid="order-status">
          <Badge status={badge.status} label={badge.label} />
        </p>
      </div>
      <div className="order-layout">
        <div>
          <section className="panel" aria-labelledby="progress-title">
            <h2 id="progress-title">Progress</h2>
            <Timeline steps={orderSteps(o)} label="Order progress" />
          </section>
          {o.status === 'pending_payment' && !waiting && o.payment_status !== 'authorized' && <PayAgain order={o} />}
          {o.seller_orders.map((so, i) => (
            <SellerPart key={so.id} part={so} n={i + 1} of={o.seller_orders.length} customer={customer} />
          ))}
          {customer && <OrderReturns order={o} />}
        </div>
        <aside>
          <section className="panel summary" aria-labelledby="totals-title">
            <h2 id="totals-title">Totals</h2>
            <dl className="totals">
              <dt>Items</dt>
              <dd>
                <Price value={o.subtotal} />
              </dd>
              <dt>Shipping</dt>
              <dd>
                <Price value={o.shipping} />
              </dd>
              <dt>Tax</dt>
              <dd>
                <Price value={o.tax} />
              </dd>
              <dt className="strong">Total</dt>
              <dd className="strong" data-testid="order-total">
                <Price value={o.total} />
              </dd>
              {o.refunded && o.refunded.amount > 0 && (
                <>
                  <dt>Refunded</dt>
                  <dd>
                    <Price value={o.refunded} />
                  </dd>
                </>
              )}
            </dl>
            <p className="small" data-testid="payment-status">
              Payment: <Badge status={pay.status} label={pay.label} />
            </p>
            {cod && (
              <p className={cod === 'due' ? 'cash-due' : 'small'} data-testid="cod-note">
                {codNote(o)}
              </p>
            )}
            {o.last_payment_error && !paid && !cod && <p className="field-error">{o.last_payment_error.message}</p>}
          </section>
          <section className="panel" aria-labelledby="addr-title">
            <h2 id="addr-title">Ship to</h2>
            <p>{formatAddress(o.shipping_address)}</p>
          </section>
          <CancelOrder order={o} />
          {customer && <GetHelp order={o} />}
        </aside>
      </div>
    </div>
  );
}

function orderSteps(o: Order): TimelineStep[] {
  const parts = o.seller_orders;
  const shipped = parts.filter((p) => p.shipped_at).map((p) => p.shipped_at!).sort();
  const delivered = parts.filter((p) => p.delivered_at).map((p) => p.delivered_at!).sort();
  const steps: TimelineStep[] = [{ label: 'Order placed', at: o.placed_at, state: 'done' }];
  if (o.cancelled_at) {
    steps.push({ label: 'Cancelled', at: o.cancelled_at, state: 'bad', detail: o.cancel_reason });
    if (o.status === 'refunded') steps.push({ label: 'Refunded', state: 'done' });
    return steps;
  }
  const cod = codState(o);
  if (cod === 'due' || cod === 'paid') {
    // Cash on delivery: confirmed now, paid at the door.
    steps.push({ label: 'Confirmed', at: o.paid_at, state: 'done', detail: codNote(o) });
  } else {
    steps.push(o.paid_at ? { label: 'Paid', at: o.paid_at, state: 'done' } : { label: 'Payment', state: 'current', detail: o.last_payment_error?.message ?? 'Awaiting payment' });
  }
  const n = parts.length;
  steps.push(
    shipped.length === 0
      ? { label: 'Shipped', state: o.paid_at || cod === 'due' ? 'current' : 'todo' }
      : { label: shipped.length < n ? `Shipped (${shipped.length} of ${n} parcels)` : 'Shipped', at: shipped[shipped.length - 1], state: 'done' },
  );
  steps.push(
    delivered.length === 0
      ? { label: 'Delivered', state: 'todo' }
      : { label: delivered.length < n ? `Delivered (${delivered.length} of ${n} parcels)` : 'Delivered', at: delivered[delivered.length - 1], state: delivered.length < n ? 'current' : 'done' },
  );
  if ((o.status === 'partially_returned' || o.status === 'returned') && o.refunded) {
    steps.push({ label: o.status === 'returned' ? 'Returned' : 'Partly returned', state: 'done', detail: 'Refunded ' + formatMoney(o.refunded) });
  }
  // the first step not done is the current one
  const firstOpen = steps.findIndex((s) => s.state !== 'done');
  return steps.map((s, i) => (i === firstOpen && s.state === 'todo' ? { ...s, state: 'current' } : s));
}

function SellerPart({ part, n, of, customer }: { part: SellerOrder; n: number; of: number; customer: boolean }) {
  const features = useFeatures();
  const returnable = customer && features.has('POST /api/v1/return') && part.status === 'delivered' && part.lines.some((l) => (l.returned ?? 0) < l.quantity);
  const helpable = customer && features.has('POST /api/v1/ticket');
  const [open, setOpen] = useState(false);
  const canTrack = features.has('GET /api/v1/shipment/{id}') && !!part.shipment;
  const shipment = useQuery({
    queryKey: ['shipment', part.shipment?.id],
    queryFn: () => api.get<Shipment>('/api/v1/shipment/' + part.shipment!.id),
    enabled: canTrack && open,
  });
  return (
    <section className="panel" aria-label={`Parcel ${n} of ${of}`}>
      <div className="part-head">
        <h2>
          Parcel {n} of {of}
        </h2>
        <Badge status={part.status} />
      </div>
      <ul className="review-lines">
        {part.lines.map((l) => (
          <li key={l.id}>
            <span>
              {l.quantity} × <Link to={'/p/' + l.product_id}>{l.title}</Link>
              {Object.keys(l.options).length > 0 && <span className="muted small"> ({Object.entries(l.options).map(([k, v]) => `${humanize(k)} ${v}`).join(', ')})</span>}
              {!!l.returned && (
                <span className="muted small" data-testid="line-returned">
                  {' '}
                  · {l.returned} returned
                </span>
              )}
            </span>
            <Price value={l.line_total} />
          </li>
        ))}
      </ul>
      {part.refunded && part.refunded.amount > 0 && (
        <p className="small">
          Refunded for returns: <Price value={part.refunded} />
        </p>
      )}
      {part.cancel_reason && <p className="muted small">Cancelled: {part.cancel_reason}</p>}
      {part.shipment && (
        <div className="tracking">
          <p className="small">
            Shipment <Badge status={part.shipment.status} /> Tracking number <code>{part.shipment.tracking_id}</code>
          </p>
          {canTrack && (
            <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
              {open ? 'Hide tracking' : 'Track this parcel'}
            </button>
          )}
          {open && (shipment.isPending ? <Loading /> : shipment.isError ? <ErrorBox error={shipment.error} /> : <ShipmentTimeline shipment={shipment.data} />)}
        </div>
      )}
      {(returnable || helpable) && (
        <div className="part-actions">
          {returnable && (
            <Link className="btn secondary small" to={`/orders/${encodeURIComponent(part.order_id)}/return/${encodeURIComponent(part.id)}`}>
              Return items<span className="sr-only"> of parcel {n}</span>
            </Link>
          )}
          {helpable && (
            <Link to={`/tickets/new?seller_order_id=${encodeURIComponent(part.id)}&order=${encodeURIComponent(part.order_id)}`}>
              Get help with this parcel<span className="sr-only"> ({n} of {of})</span>
            </Link>
          )}
        </div>
      )}
    </section>
  );
}

function PayAgain({ order }: { order: Order }) {
  const config = useCheckoutConfig(order.currency || order.total.currency);
  const navigate = useNavigate();
  const qc = useQueryClient();
  if (config.isPending && config.fetchStatus !== 'idle') return <Loading label="Loading the payment options…" />;
  const sdk = config.data?.client_side ? config.data : undefined;
  if (!sdk) return <PayAgainWithCard order={order} />;
  const expires = new Date(order.reservation_expires_at);
  // A decline in the gateway's SDK leaves the attempt open for another try, with the reason on it.
  const last = order.payments?.[order.payments.length - 1];
  const declined = order.last_payment_error?.message || (awaitingShopper(order) ? last?.failure_message : undefined);
  return (
    <section className="panel" aria-labelledby="pay-again-title">
      <h2 id="pay-again-title">Complete your payment</h2>
      {declined && (
        <p className="error-box" role="alert">
          {declined}
        </p>
      )}
      <p className="small">Your items are held until {formatDate(expires.toISOString())}.</p>
      <GatewayPay
        orderId={order.id}
        total={order.total}
        checkout={sdk}
        autoStart={sdk.gateway === 'stripe'}
        onPaid={(how) => {
          void qc.invalidateQueries({ queryKey: ['order', order.id] });
          navigate(orderPage(order.id, how), { replace: true });
        }}
      />
    </section>
  );
}

function PayAgainWithCard({ order }: { order: Order }) {
  const [card, setCard] = useState('tok_visa');
  const qc = useQueryClient();
  const key = useRef(newIdempotencyKey());
  const pay = useMutation({
    mutationFn: () => api.post<Payment>('/api/v1/payment', { order_id: order.id, method: card }, { idempotencyKey: key.current }),
    onSettled: () => {
      key.current = newIdempotencyKey();
      return qc.invalidateQueries({ queryKey: ['order', order.id] });
    },
  });
  const expires = new Date(order.reservation_expires_at);
  return (
    <section className="panel" aria-labelledby="pay-again-title">
      <h2 id="pay-again-title">Complete your payment</h2>
      {order.last_payment_error && (
        <p className="error-box" role="alert">
          {order.last_payment_error.message}
        </p>
      )}
      <p className="small">Your items are held until {formatDate(expires.toISOString())}.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          pay.mutate();
        }}
      >
        <TestCardPicker value={card} onChange={setCard} name="card-again" />
        <ErrorBox error={pay.error} />
        <button type="submit" className="btn primary" disabled={pay.isPending}>
          {pay.isPending ? (
            'Paying…'
          ) : (
            <>
              Pay <Price value={order.total} />
            </>
          )}
        </button>
      </form>
    </section>
  );
}

function CancelOrder({ order }: { order: Order }) {
  const features = useFeatures();
  const qc = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const cancel = useMutation({
    mutationFn: () => api.put<Order>('/api/v1/order/' + order.id + '/cancel', reason.trim() ? { reason: reason.trim() } : {}),
    onSuccess: (o) => {
      qc.setQueryData(['order', order.id], (old: Order | undefined) => ({ ...old, ...o }));
      void qc.invalidateQueries({ queryKey: ['orders'] });
      setAsking(false);
    },
  });
  const shippedAny = order.seller_orders.some((p) => p.shipped_at);
  if (!features.has('PUT /api/v1/order/{id}/cancel') || shippedAny || !['pending_payment', 'paid'].includes(order.status)) return null;
  return (
    <section className="panel">
      {!asking ? (
        <button type="button" className="btn ghost danger" onClick={() => setAsking(true)}>
          Cancel order
        </button>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            cancel.mutate();
          }}
        >
          <div className="field">
            <label htmlFor="cancel-reason">Why are you cancelling? (optional)</label>
            <input id="cancel-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
          </div>
          <p className="small">{codState(order) === 'due' ? 'Nothing has been charged: you will have nothing to pay.' : order.paid_at ? 'Your payment will be refunded.' : 'Nothing has been charged.'}</p>
          <ErrorBox error={cancel.error} />
          <div className="row">
            <button type="submit" className="btn danger" disabled={cancel.isPending}>
              {cancel.isPending ? 'Cancelling…' : 'Yes, cancel the order'}
            </button>
            <button type="button" className="btn ghost" onClick={() => setAsking(false)}>
              Keep it
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** OrderReturns lists the returns of the order, when there are any. */
function OrderReturns({ order }: { order: Order }) {
  const features = useFeatures();
  const delivered = order.seller_orders.some((p) => p.delivered_at);
  const returns = useQuery({
    queryKey: ['returns', 'order', order.id],
    queryFn: () => api.get<Page<Return>>('/api/v1/return', { query: { order: order.id, limit: 50 } }).then((p) => p.items),
    enabled: features.has('GET /api/v1/return') && delivered,
    staleTime: 0,
  });
  if (!returns.data?.length) return returns.isError ? <ErrorBox error={returns.error} title="Your returns could not be loaded." /> : null;
  return (
    <section className="panel" aria-labelledby="order-returns-title">
      <h2 id="order-returns-title">Returns</h2>
      <ul className="plain-list">
        {returns.data.map((r) => (
          <li key={r.id} className="row spread" data-testid="order-return">
            <span>
              <Link to={'/returns/' + r.id}>Return {r.id}</Link>
              <span className="muted small"> · {returnSummary(r)}</span>
            </span>
            <span className="row">
              {r.status === 'refunded' && <Price value={r.refund} />}
              <ReturnBadge status={r.status} />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** GetHelp opens a support ticket about the whole order. */
function GetHelp({ order }: { order: Order }) {
  const features = useFeatures();
  if (!features.has('POST /api/v1/ticket')) return null;
  return (
    <section className="panel" aria-labelledby="order-help-title">
      <h2 id="order-help-title">Need help?</h2>
      <p className="small">Ask about a delivery, a charge or anything else with this order.</p>
      <Link className="btn secondary" to={'/tickets/new?order_id=' + encodeURIComponent(order.id)}>
        Get help
      </Link>
    </section>
  );
}
