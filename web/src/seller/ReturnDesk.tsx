// The returns desk, shared by the seller center (its own returns) and the
// staff area (every return, with overrides): a queue with a status filter
// and "Load more", and a return's detail with its actions.
import { useEffect, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../app/api';
import { isApiError } from '../api/client';
import type { Page } from '../api/types';
import { reasonLabel, returnStatusLabel, type Return, type ReturnLine } from '../api/support';
import { Empty, ErrorBox, fieldError, formatDate, Loading, LoadMore, Price, TextArea, useToast } from '../ui/kit';
import { formatMoney } from '../lib/money';
import { formatAddress } from '../account/AddressForm';
import { AttachmentList, PickupBadge, ReturnBadge, ReturnTimeline } from './supportParts';
import {
  goodsValue,
  pickupLabel,
  receiptBody,
  requestedValue,
  returnActions,
  returnStatusFilter,
  returnStatuses,
  returnedUnits,
  startReceipt,
  units,
  type Desk,
  type Received,
} from './returns';
import './desk.css';

const base = (desk: Desk) => (desk === 'seller' ? '/seller/returns' : '/admin/returns');

/** ReturnQueue lists returns newest first: the seller's own, or every one for staff. */
export function ReturnQueue({ desk }: { desk: Desk }) {
  const [params, setParams] = useSearchParams();
  const status = returnStatusFilter(params.get('status'));
  const order = params.get('order') ?? '';
  const sellerOrder = params.get('seller_order') ?? '';
  const list = useInfiniteQuery({
    queryKey: ['returns', desk, status, order, sellerOrder],
    initialPageParam: '',
    getNextPageParam: (p: Page<Return>) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Return>>('/api/v1/return', {
        query: { status: status || undefined, order: order || undefined, seller_order: sellerOrder || undefined, cursor: pageParam || undefined, limit: 20 },
        signal,
      }),
    refetchInterval: 30_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (k: string, v: string) => {
    const n = new URLSearchParams(params);
    if (v) n.set(k, v);
    else n.delete(k);
    setParams(n);
  };
  return (
    <section aria-labelledby="returns-title">
      <div className="title-row">
        <h1 id="returns-title">Returns</h1>
        <div className="field inline">
          <label htmlFor="ret-status">Show</label>
          <select id="ret-status" value={status} onChange={(e) => set('status', e.target.value)}>
            <option value="">All returns</option>
            {returnStatuses.map((s) => (
              <option key={s} value={s}>
                {returnStatusLabel[s]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {(order || sellerOrder) && (
        <p className="row small">
          <span>
            Only the returns of {order ? 'order' : 'seller order'} <code>{order || sellerOrder}</code>
          </span>
          <button
            type="button"
            className="link"
            onClick={() => {
              const n = new URLSearchParams(params);
              n.delete('order');
              n.delete('seller_order');
              setParams(n);
            }}
          >
            Show all
          </button>
        </p>
      )}
      {list.isPending ? (
        <Loading label="Loading returns…" />
      ) : list.isError && !list.data ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <Empty title={status ? `No ${returnStatusLabel[status].toLowerCase()} returns` : 'No returns'}>
          <p>{desk === 'seller' ? 'When a customer asks to return something you sold, it appears here.' : 'Returns customers ask for appear here.'}</p>
        </Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="data desk-table">
            <caption className="sr-only">Returns, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Return</th>
                <th scope="col">Items</th>
                <th scope="col">Status</th>
                <th scope="col">Pickup</th>
                <th scope="col" className="num">
                  Value
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id} data-testid="return-row">
                  <td data-label="Return">
                    <Link to={`${base(desk)}/${r.id}`}>
                      <code>{r.id}</code>
                    </Link>
                    <div className="muted small">Requested {formatDate(r.created_at)}</div>
                  </td>
                  <td data-label="Items">
                    <ul className="desk-items">
                      {r.lines.map((l) => (
                        <li key={l.sku}>
                          {l.quantity} × {l.title} <span className="muted">· {reasonLabel[l.reason]}</span>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td data-label="Status">
                    <ReturnBadge status={r.status} />
                    {r.auto_approved && <div className="muted small">Approved automatically</div>}
                  </td>
                  <td data-label="Pickup">
                    {r.pickup ? (
                      <>
                        <PickupBadge status={r.pickup.status} />
                        <div className="muted small">
                          <code>{r.pickup.tracking_id}</code>
                        </div>
                      </>
                    ) : (
                      <span className="muted small">None</span>
                    )}
                  </td>
                  <td className="num" data-label={r.status === 'refunded' ? 'Refunded' : 'Value'}>
                    {r.status === 'refunded' ? <Price value={r.refund} /> : <Price value={requestedValue(r) ?? r.refund} />}
                    {r.status === 'refunded' && <div className="muted small">refunded</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.isFetchNextPageError && <ErrorBox error={list.error} />}
      <LoadMore list={list} />
    </section>
  );
}

/** ReturnDetail shows one return (the route's :id) and what the seller or staff may do with it. */
export function ReturnDetail({ desk }: { desk: Desk }) {
  const { id = '' } = useParams();
  const ret = useQuery({
    queryKey: ['return', id],
    queryFn: ({ signal }) => api.get<Return>('/api/v1/return/' + encodeURIComponent(id), { signal }),
    // A receipt refunds just after: watch it happen.
    refetchInterval: (q) => (q.state.data?.status === 'received' ? 1500 : false),
  });
  useEffect(() => {
    document.title = `Return ${id} · Bazaar`;
  }, [id]);
  if (ret.isPending) return <Loading label="Loading the return…" />;
  if (ret.isError)
    return (
      <section>
        <p className="crumbs">
          <Link to={base(desk)}>← Returns</Link>
        </p>
        {isApiError(ret.error) && ret.error.status === 404 ? <Empty title="No such return" /> : <ErrorBox error={ret.error} />}
      </section>
    );
  return <ReturnView r={ret.data} desk={desk} />;
}

function ReturnView({ r, desk }: { r: Return; desk: Desk }) {
  const can = returnActions(r, desk);
  const total = requestedValue(r);
  // Refunded without receipt: nothing came back.
  const received = (r.status === 'received' || r.status === 'refunded') && r.lines.some((l) => l.sellable + l.damaged > 0);
  const heading = useRef<HTMLHeadingElement>(null);
  return (
    <section aria-labelledby="return-title" data-testid="return-detail">
      <p className="crumbs">
        <Link to={base(desk)}>← Returns</Link>
      </p>
      <div className="title-row">
        <h1 id="return-title" tabIndex={-1} ref={heading}>
          Return <code>{r.id}</code>
        </h1>
        <span className="order-status">
          <ReturnBadge status={r.status} />
        </span>
      </div>
      <div className="desk-layout">
        <div>
          <div className="panel">
            <dl className="desk-facts">
              <dt>Order</dt>
              <dd>
                {desk === 'staff' ? (
                  <Link to={'/admin/returns?order=' + r.order_id}>
                    <code>{r.order_id}</code>
                  </Link>
                ) : (
                  <code>{r.order_id}</code>
                )}
              </dd>
              <dt>Seller order</dt>
              <dd>
                {desk === 'staff' ? (
                  <Link to={'/admin/returns?seller_order=' + r.seller_order_id}>
                    <code>{r.seller_order_id}</code>
                  </Link>
                ) : (
                  <code>{r.seller_order_id}</code>
                )}
              </dd>
              <dt>Requested</dt>
              <dd>{formatDate(r.created_at)}</dd>
              <dt>Delivered</dt>
              <dd>{formatDate(r.delivered_at)}</dd>
              {desk === 'staff' && (
                <>
                  <dt>Seller</dt>
                  <dd>
                    <code>{r.seller_id}</code>
                  </dd>
                  <dt>Customer</dt>
                  <dd>
                    <code>{r.customer_id}</code>
                  </dd>
                </>
              )}
              {r.ticket_id && (
                <>
                  <dt>Ticket</dt>
                  <dd>
                    <Link to={(desk === 'staff' ? '/admin/tickets/' : '/seller/tickets/') + r.ticket_id}>
                      <code>{r.ticket_id}</code>
                    </Link>
                  </dd>
                </>
              )}
            </dl>
            {r.auto_approved && <p className="muted small">Approved automatically by the return policy.</p>}
            {r.reject_reason && (
              <p className="desk-reject">
                <strong>Rejected:</strong> {r.reject_reason}
              </p>
            )}
          </div>
          <div className="panel">
            <h2>Items</h2>
            <div className="table-wrap">
              <table className="data">
                <caption className="sr-only">Items to return</caption>
                <thead>
                  <tr>
                    <th scope="col">Item</th>
                    <th scope="col">Reason</th>
                    <th scope="col" className="num">
                      Units
                    </th>
                    <th scope="col" className="num">
                      Unit price
                    </th>
                    {received && (
                      <th scope="col" className="num">
                        Came back
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {r.lines.map((l) => (
                    <tr key={l.sku}>
                      <td>
                        {l.title}
                        <div className="muted small">
                          <code>{l.sku}</code>
                        </div>
                      </td>
                      <td>{reasonLabel[l.reason]}</td>
                      <td className="num">{l.quantity}</td>
                      <td className="num">
                        <Price value={l.unit_price} />
                      </td>
                      {received && (
                        <td className="num small">
                          {l.sellable} sellable
                          <br />
                          {l.damaged} damaged
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {r.comment && (
              <figure className="desk-comment">
                <figcaption className="small muted">The customer wrote</figcaption>
                <blockquote>{r.comment}</blockquote>
              </figure>
            )}
            {r.photos.length > 0 && (
              <>
                <h3 className="small">Photos</h3>
                <AttachmentList attachments={r.photos} label="Photos from the customer" />
              </>
            )}
          </div>
          {can.receive && <ReceiveForm r={r} />}
          {(can.approve || can.reject || can.refund) && <Decide r={r} desk={desk} can={can} />}
        </div>
        <aside>
          <div className="panel" data-testid="return-money">
            <h2>Refund</h2>
            <dl className="totals">
              <dt>Requested</dt>
              <dd>{total ? `${units(returnedUnits(r))} · ${formatMoney(total)}` : units(returnedUnits(r))}</dd>
              {r.restocking_fee.amount > 0 && (
                <>
                  <dt>Restocking fee</dt>
                  <dd>−{formatMoney(r.restocking_fee)}</dd>
                </>
              )}
              {received && (
                <>
                  <dt>Back in stock</dt>
                  <dd>{units(r.restocked)}</dd>
                </>
              )}
            </dl>
            {r.status === 'refunded' ? (
              <>
                <p className="desk-refund" data-testid="return-refund">
                  Refunded <strong>{formatMoney(r.refund)}</strong>
                </p>
                {!received && <p className="muted small">Refunded without receipt: nothing went back into stock.</p>}
              </>
            ) : r.status === 'received' ? (
              <p className="desk-refund" data-testid="return-refund">
                Refunding <strong>{formatMoney(r.refund)}</strong>…
              </p>
            ) : (
              <p className="muted small">Refunded once the parcel is received: the units’ price and their share of tax, less any restocking fee.</p>
            )}
          </div>
          <div className="panel">
            <h2>Pickup</h2>
            {r.pickup ? (
              <>
                <p>
                  <PickupBadge status={r.pickup.status} /> <code>{r.pickup.tracking_id}</code>
                </p>
                <p className="small">
                  <strong>From</strong> {formatAddress(r.pickup.address)}
                </p>
                <p className="muted small">
                  {pickupLabel[r.pickup.status]} · updated {formatDate(r.pickup.updated_at)}
                  {desk === 'staff' && (
                    <>
                      {' '}
                      · partner <code>{r.pickup.partner_id}</code>
                    </>
                  )}
                </p>
              </>
            ) : (
              <p className="muted small">{r.status === 'requested' ? 'A pickup is scheduled when the return is approved.' : 'No pickup.'}</p>
            )}
          </div>
          <div className="panel">
            <h2>History</h2>
            <ReturnTimeline ret={r} />
          </div>
        </aside>
      </div>
    </section>
  );
}

function useReturnAction<T>(r: Return, fn: (body: T) => Promise<Return>, done: (x: Return) => string) {
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: fn,
    onSuccess: (x) => {
      qc.setQueryData(['return', r.id], x);
      toast(done(x));
      return qc.invalidateQueries({ queryKey: ['returns'] });
    },
  });
}

/** Decide holds Approve, Reject (with a reason) and, for staff, Refund without receipt (with a note). */
function Decide({ r, desk, can }: { r: Return; desk: Desk; can: ReturnType<typeof returnActions> }) {
  const [mode, setMode] = useState<'' | 'reject' | 'refund'>('');
  const [text, setText] = useState('');
  const [missing, setMissing] = useState(false);
  const path = '/api/v1/return/' + encodeURIComponent(r.id);
  const approve = useReturnAction<void>(r, () => api.put<Return>(path + '/approve'), (x) => `Return approved${x.pickup ? `: pickup ${x.pickup.tracking_id} scheduled` : ''}.`);
  const reject = useReturnAction<string>(r, (reason) => api.put<Return>(path + '/reject', { reason }), () => 'Return rejected.');
  const refund = useReturnAction<string>(r, (note) => api.put<Return>(path + '/refund', { note }), (x) => `Refunded ${formatMoney(x.refund)} without receipt.`);
  const busy = approve.isPending || reject.isPending || refund.isPending;
  const act = mode === 'reject' ? reject : refund;
  const override = desk === 'staff' && r.status === 'rejected';
  return (
    <div className="panel" data-testid="return-decide">
      <h2>{override ? 'Override' : 'Decide'}</h2>
      {override && <p className="small muted">The seller rejected this return. Staff may approve it (a pickup is scheduled) or refund it without waiting for the parcel.</p>}
      <div className="row">
        {can.approve && (
          <button type="button" className="btn primary" onClick={() => approve.mutate()} disabled={busy}>
            {approve.isPending ? 'Approving…' : 'Approve'}
          </button>
        )}
        {can.reject && (
          <button type="button" className="btn ghost danger" aria-expanded={mode === 'reject'} onClick={() => setMode(mode === 'reject' ? '' : 'reject')} disabled={busy}>
            Reject…
          </button>
        )}
        {can.refund && (
          <button type="button" className="btn secondary" aria-expanded={mode === 'refund'} onClick={() => setMode(mode === 'refund' ? '' : 'refund')} disabled={busy}>
            Refund without receipt…
          </button>
        )}
      </div>
      <ErrorBox error={approve.error} />
      {mode && (
        <form
          className="desk-subform"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (!text.trim()) {
              setMissing(true);
              return;
            }
            setMissing(false);
            act.mutate(text.trim(), { onSuccess: () => setMode('') });
          }}
        >
          <TextArea
            label={mode === 'reject' ? 'Why is it rejected? (the customer sees this)' : 'Why refund without the parcel? (kept with the return)'}
            value={text}
            onChange={(e) => setText(e.target.value)}
            error={missing ? (mode === 'reject' ? 'Give a reason.' : 'Give a note.') : act.error ? fieldError(act.error, mode === 'reject' ? 'reason' : 'note') : undefined}
            required
            maxLength={2000}
            autoFocus
          />
          <ErrorBox error={act.error} fields={['reason', 'note']} />
          <div className="row">
            <button className={mode === 'reject' ? 'btn danger' : 'btn primary'} disabled={busy}>
              {mode === 'reject' ? 'Reject return' : `Refund ${total(r)}`}
            </button>
            <button type="button" className="link" onClick={() => setMode('')}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

function total(r: Return): string {
  const v = requestedValue(r);
  return v ? formatMoney(v) : '';
}

/** ReceiveForm records the parcel's units as sellable or damaged, with an optional restocking fee. */
function ReceiveForm({ r }: { r: Return }) {
  const [got, setGot] = useState<Record<string, Received>>(() => startReceipt(r.lines));
  const [fee, setFee] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const currency = r.lines[0]?.unit_price.currency ?? r.refund.currency;
  const receive = useReturnAction<NonNullable<ReturnType<typeof receiptBody>['body']>>(
    r,
    (body) => api.put<Return>('/api/v1/return/' + encodeURIComponent(r.id) + '/receive', body),
    (x) => `Return received: refund of ${formatMoney(x.refund)}.`,
  );
  const preview = receiptBody(r.lines, got, fee, currency);
  const set = (l: ReturnLine, k: keyof Received, v: string) => setGot({ ...got, [l.sku]: { ...got[l.sku], [k]: v } });
  return (
    <form
      className="panel"
      data-testid="return-receive"
      aria-labelledby="receive-title"
      onSubmit={(e) => {
        e.preventDefault();
        const { body, errors } = receiptBody(r.lines, got, fee, currency);
        setErrors(errors);
        if (body) receive.mutate(body);
      }}
    >
      <h2 id="receive-title">Receive the parcel</h2>
      <p className="small muted">Count what came back. Sellable units go back into stock; damaged ones are written off. The customer is refunded at once.</p>
      <div className="table-wrap">
        <table className="data">
          <caption className="sr-only">Units received per item</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                Returned
              </th>
              <th scope="col">Sellable</th>
              <th scope="col">Damaged</th>
            </tr>
          </thead>
          <tbody>
            {r.lines.map((l) => (
              <tr key={l.sku}>
                <td>
                  {l.title}
                  <div className="muted small">
                    <code>{l.sku}</code>
                  </div>
                  {errors[l.sku] && (
                    <p className="field-error" id={'rcv-err-' + l.sku}>
                      {errors[l.sku]}
                    </p>
                  )}
                </td>
                <td className="num">{l.quantity}</td>
                <td>
                  <input
                    type="number"
                    min={0}
                    max={l.quantity}
                    inputMode="numeric"
                    aria-label={`Sellable units of ${l.sku}`}
                    aria-invalid={errors[l.sku] ? true : undefined}
                    aria-describedby={errors[l.sku] ? 'rcv-err-' + l.sku : undefined}
                    value={got[l.sku]?.sellable ?? ''}
                    onChange={(e) => set(l, 'sellable', e.target.value)}
                  />
                </td>
                <td>
                  <input
                    type="number"
                    min={0}
                    max={l.quantity}
                    inputMode="numeric"
                    aria-label={`Damaged units of ${l.sku}`}
                    aria-invalid={errors[l.sku] ? true : undefined}
                    aria-describedby={errors[l.sku] ? 'rcv-err-' + l.sku : undefined}
                    value={got[l.sku]?.damaged ?? ''}
                    onChange={(e) => set(l, 'damaged', e.target.value)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {errors.lines && (
        <p className="field-error" role="alert">
          {errors.lines}
        </p>
      )}
      <div className="desk-fee">
        <div className="field">
          <label htmlFor="rcv-fee">Restocking fee ({currency}, optional)</label>
          <input
            id="rcv-fee"
            inputMode="decimal"
            placeholder="0.00"
            value={fee}
            onChange={(e) => setFee(e.target.value)}
            aria-invalid={errors.fee ? true : undefined}
            aria-describedby={errors.fee ? 'rcv-fee-err' : 'rcv-fee-hint'}
          />
          {errors.fee ? (
            <p className="field-error" id="rcv-fee-err">
              {errors.fee}
            </p>
          ) : (
            <p className="hint" id="rcv-fee-hint">
              Taken off the refund.
            </p>
          )}
        </div>
        {preview.body && (
          <p className="small" aria-live="polite">
            Goods {formatMoney({ amount: goodsValue(r.lines, preview.body), currency })}
            {preview.body.restocking_fee && <> − fee {formatMoney(preview.body.restocking_fee)}</>} + their tax
          </p>
        )}
      </div>
      <ErrorBox error={receive.error} fields={[]} />
      <button className="btn primary" disabled={receive.isPending}>
        {receive.isPending ? 'Receiving…' : 'Receive and refund'}
      </button>
    </form>
  );
}
