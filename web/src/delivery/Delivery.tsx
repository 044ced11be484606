import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api, useFeatures, useSession } from '../app/api';
import type { Page, Shipment } from '../api/types';
import { Badge, Empty, ErrorBox, Field, Loading, Price, fieldError, useToast } from '../ui/kit';
import { formatMoney } from '../lib/money';
import { cashCollected, cashError, cashFields, cashInput, collectText } from './cash';
import { ShipmentTimeline, shipmentLabel } from '../ui/shipment';
import '../seller/desk.css';
import { formatAddress } from '../account/AddressForm';
import { Pickups } from './Pickups';
import { useLiveConnected } from '../live/useLive';

export default function DeliveryPage() {
  return (
    <RequireUser roles={['delivery', 'admin']}>
      <Delivery />
    </RequireUser>
  );
}

/** The moves a delivery partner may record from each status. */
export const nextMoves: Record<string, string[]> = {
  handed_over: ['picked_up'],
  picked_up: ['in_transit'],
  in_transit: ['out_for_delivery', 'returned_to_seller'],
  out_for_delivery: ['delivered', 'failed_attempt'],
  failed_attempt: ['out_for_delivery', 'returned_to_seller'],
};

const filters = [
  ['', 'All'],
  ['handed_over', 'To pick up'],
  ['picked_up', 'Picked up'],
  ['in_transit', 'In transit'],
  ['out_for_delivery', 'Out for delivery'],
  ['failed_attempt', 'Failed attempts'],
  ['delivered', 'Delivered'],
] as const;

function Delivery() {
  const features = useFeatures();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const enabled = features.has('GET /api/v1/delivery/shipment');
  // A partner hears of each parcel handed to it live; an admin watching
  // every partner's parcels does not, and keeps polling.
  const { user } = useSession();
  const live = useLiveConnected() && user?.role === 'delivery';
  const list = useInfiniteQuery({
    queryKey: ['deliveries', status],
    enabled,
    initialPageParam: '',
    getNextPageParam: (p: Page<Shipment>) => p.next_cursor || undefined,
    queryFn: ({ pageParam }) => api.get<Page<Shipment>>('/api/v1/delivery/shipment', { query: { status, cursor: pageParam || undefined, limit: 20 } }),
    refetchInterval: live ? false : 30_000,
  });
  useEffect(() => {
    document.title = 'Deliveries · Bazaar';
  }, []);
  if (!features.loaded) return <Loading />;
  if (!enabled) {
    return (
      <div className="page narrow">
        <h1>Deliveries</h1>
        <p className="notice">Shipments are not available on this server yet.</p>
      </div>
    );
  }
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const pickups = features.has('GET /api/v1/return') && features.has('PUT /api/v1/return/{id}/pickup');
  return (
    <div className="page narrow">
      <h1>My shipments</h1>
      {pickups && <Pickups />}
      <section aria-labelledby="deliveries-title">
        <div className="title-row">
          <h2 id="deliveries-title">Deliveries</h2>
          <div className="field inline">
            <label htmlFor="dl-status">Show</label>
            <select id="dl-status" value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {})}>
              {filters.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </div>
        </div>
        {list.isPending ? (
          <Loading />
        ) : list.isError ? (
          <ErrorBox error={list.error} />
        ) : items.length === 0 ? (
          <Empty title="No shipments here">
            <p>Shipments handed over to you appear here.</p>
          </Empty>
        ) : (
          items.map((s) => <ShipmentCard key={s.id} s={s} />)
        )}
        {list.hasNextPage && (
          <div className="center">
            <button type="button" className="btn secondary" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              Load more
            </button>
          </div>
        )}
      </section>
    </div>
  );
}

function ShipmentCard({ s }: { s: Shipment }) {
  const qc = useQueryClient();
  const toast = useToast();
  const moves = nextMoves[s.status] ?? [];
  const [move, setMove] = useState(moves[0] ?? '');
  const [location, setLocation] = useState('');
  const [note, setNote] = useState('');
  const [proof, setProof] = useState('');
  // Cash on delivery: what was collected, the amount due until changed.
  const due = s.cash_due;
  const [cash, setCash] = useState(due ? cashInput(due) : '');
  const [cashTypo, setCashTypo] = useState('');
  const [showTimeline, setShowTimeline] = useState(false);
  useEffect(() => setMove((nextMoves[s.status] ?? [])[0] ?? ''), [s.status]);
  const askCash = !!due && move === 'delivered';
  const record = useMutation({
    mutationFn: (extra: object) =>
      api.post<Shipment>('/api/v1/shipment/' + s.id + '/event', {
        status: move,
        ...(location.trim() && { location: location.trim() }),
        ...(note.trim() && { note: note.trim() }),
        ...(proof.trim() && { proof: proof.trim() }),
        ...extra,
      }),
    onSuccess: (x) => {
      toast(`${x.tracking_id}: ${shipmentLabel(x.status).toLowerCase()}${x.cash_collected ? `, ${formatMoney(x.cash_collected)} collected in cash` : ''}.`);
      setNote('');
      setProof('');
      return qc.invalidateQueries({ queryKey: ['deliveries'] });
    },
  });
  const id = 'ship-' + s.id;
  return (
    <article className="panel ship-card" data-testid="delivery-shipment" aria-labelledby={id}>
      <div className="part-head">
        <h3 id={id} className="ship-title">
          <span className="kind-tag kind-delivery">Delivery</span>
          <code>{s.tracking_id}</code>
        </h3>
        <Badge status={s.status} />
      </div>
      <div className="ship-grid">
        <div>
          <p className="small">
            <strong>Deliver to</strong>
            <br />
            {formatAddress(s.shipping_address)}
            {s.shipping_address.phone && (
              <>
                <br />
                Phone: <a href={'tel:' + s.shipping_address.phone}>{s.shipping_address.phone}</a>
              </>
            )}
          </p>
          <ul className="small">
            {s.items.map((it) => (
              <li key={it.sku}>
                {it.quantity} × {it.title}
              </li>
            ))}
          </ul>
          {s.cash_collected ? (
            <p className="small" data-testid="cash-collected">
              Collected <Price value={s.cash_collected} className="strong" /> in cash.
            </p>
          ) : (
            due && (
              <p className="cash-due" data-testid="cash-due">
                {collectText(due)}
              </p>
            )
          )}
        </div>
        {moves.length > 0 ? (
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              if (!askCash) return record.mutate({});
              const c = cashCollected(cash, due);
              if ('error' in c) {
                setCashTypo(c.error);
                return;
              }
              setCashTypo('');
              record.mutate(c);
            }}
          >
            <fieldset className="choices">
              <legend>Record</legend>
              {moves.map((m) => (
                <label key={m} className="choice">
                  <input type="radio" name={'move-' + s.id} value={m} checked={move === m} onChange={() => setMove(m)} />
                  <span>{shipmentLabel(m)}</span>
                </label>
              ))}
            </fieldset>
            <Field label="Location" value={location} onChange={(e) => setLocation(e.target.value)} error={fieldError(record.error, 'location')} />
            <Field label="Note" value={note} onChange={(e) => setNote(e.target.value)} error={fieldError(record.error, 'note')} />
            {(move === 'delivered' || move === 'failed_attempt') && (
              <Field
                label={move === 'delivered' ? 'Proof of delivery' : 'What happened'}
                value={proof}
                onChange={(e) => setProof(e.target.value)}
                error={fieldError(record.error, 'proof')}
                hint={move === 'delivered' ? "Recipient's name or photo reference." : undefined}
              />
            )}
            {askCash && (
              <Field
                label={`Cash collected (${due.currency})`}
                inputMode="decimal"
                value={cash}
                onChange={(e) => setCash(e.target.value)}
                error={cashTypo || cashError(record.error)}
                hint={`${formatMoney(due)} is due. Enter what you took from the customer.`}
                autoComplete="off"
              />
            )}
            <ErrorBox error={record.error} fields={['location', 'note', 'proof', ...cashFields]} />
            <button className="btn primary" disabled={record.isPending || !move}>
              Record {shipmentLabel(move).toLowerCase()}
            </button>
          </form>
        ) : (
          <p className="muted small">Nothing more to record for this shipment.</p>
        )}
      </div>
      <button type="button" className="link small" aria-expanded={showTimeline} onClick={() => setShowTimeline(!showTimeline)}>
        {showTimeline ? 'Hide history' : 'Show history'}
      </button>
      {showTimeline && <ShipmentTimeline shipment={s} />}
    </article>
  );
}
