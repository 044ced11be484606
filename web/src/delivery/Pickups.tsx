// Return pickups beside deliveries: the parcels customers send back that
// this delivery partner collects and brings to the seller.
import { useEffect, useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../app/api';
import type { Page } from '../api/types';
import type { PickupStatus, Return } from '../api/support';
import { ErrorBox, Field, Loading, fieldError, formatDate, useToast } from '../ui/kit';
import { formatAddress } from '../account/AddressForm';
import { PickupBadge, ReturnTimeline } from '../seller/supportParts';
import { pickupButton, pickupLabel, pickupMoves, returnedUnits, units } from '../seller/returns';
import '../seller/desk.css';

/** openPickup is a pickup still to be collected or brought to the seller. */
export const openPickup = (r: Return) => !!r.pickup && (r.pickup.status === 'scheduled' || r.pickup.status === 'failed_attempt' || r.pickup.status === 'picked_up');

export function Pickups() {
  const [all, setAll] = useState(false);
  const list = useInfiniteQuery({
    queryKey: ['pickups'],
    initialPageParam: '',
    getNextPageParam: (p: Page<Return>) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) => api.get<Page<Return>>('/api/v1/return', { query: { cursor: pageParam || undefined, limit: 50 }, signal }),
    refetchInterval: 30_000,
  });
  const items = (list.data?.pages.flatMap((p) => p.items) ?? []).filter((r) => r.pickup);
  const shown = all ? items : items.filter(openPickup);
  return (
    <section aria-labelledby="pickups-title" className="pickups">
      <div className="title-row">
        <h2 id="pickups-title">
          Return pickups{list.data && <span className="muted"> ({items.filter(openPickup).length} to do)</span>}
        </h2>
        <label className="check" style={{ margin: 0 }}>
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Show finished pickups
        </label>
      </div>
      {list.isPending ? (
        <Loading label="Loading pickups…" />
      ) : list.isError && !list.data ? (
        <ErrorBox error={list.error} />
      ) : shown.length === 0 ? (
        <p className="muted small">{items.length ? 'No pickups left to do.' : 'Returns customers send back through you appear here.'}</p>
      ) : (
        shown.map((r) => <PickupCard key={r.id} r={r} />)
      )}
      {list.hasNextPage && (
        <div className="center">
          <button type="button" className="btn secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            Load more pickups
          </button>
        </div>
      )}
    </section>
  );
}

function PickupCard({ r }: { r: Return }) {
  const p = r.pickup!;
  const qc = useQueryClient();
  const toast = useToast();
  const moves = pickupMoves[p.status] ?? [];
  const [move, setMove] = useState<PickupStatus | ''>(moves[0] ?? '');
  const [location, setLocation] = useState('');
  const [note, setNote] = useState('');
  const [history, setHistory] = useState(false);
  useEffect(() => setMove((pickupMoves[p.status] ?? [])[0] ?? ''), [p.status]);
  const record = useMutation({
    mutationFn: () =>
      api.put<Return>('/api/v1/return/' + encodeURIComponent(r.id) + '/pickup', {
        status: move,
        ...(location.trim() && { location: location.trim() }),
        ...(note.trim() && { note: note.trim() }),
      }),
    onSuccess: (x) => {
      toast(`Pickup ${x.pickup?.tracking_id}: ${pickupLabel[x.pickup?.status ?? 'scheduled'].toLowerCase()}.`);
      setNote('');
      return qc.invalidateQueries({ queryKey: ['pickups'] });
    },
  });
  const id = 'pickup-' + r.id;
  return (
    <article className="panel ship-card pickup-card" data-testid="delivery-pickup" aria-labelledby={id}>
      <div className="part-head">
        <h3 id={id} className="ship-title">
          <span className="kind-tag kind-pickup">Pickup</span>
          <code>{p.tracking_id}</code>
        </h3>
        <PickupBadge status={p.status} />
      </div>
      <div className="ship-grid">
        <div>
          <p className="small">
            <strong>Collect from</strong>
            <br />
            {formatAddress(p.address)}
            {p.address.phone && (
              <>
                <br />
                Phone: <a href={'tel:' + p.address.phone}>{p.address.phone}</a>
              </>
            )}
          </p>
          <p className="small">
            <strong>Bring back to the seller</strong> · {units(returnedUnits(r))}
          </p>
          <ul className="small">
            {r.lines.map((l) => (
              <li key={l.sku}>
                {l.quantity} × {l.title}
              </li>
            ))}
          </ul>
          <p className="muted small">
            Return <code>{r.id}</code> · updated {formatDate(p.updated_at)}
          </p>
        </div>
        {moves.length > 0 ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              record.mutate();
            }}
          >
            <fieldset className="choices">
              <legend>Record</legend>
              {moves.map((m) => (
                <label key={m} className="choice">
                  <input type="radio" name={'pmove-' + r.id} value={m} checked={move === m} onChange={() => setMove(m)} />
                  <span>{m === 'delivered' ? 'Delivered to the seller' : pickupLabel[m]}</span>
                </label>
              ))}
            </fieldset>
            <Field label="Location" value={location} onChange={(e) => setLocation(e.target.value)} error={fieldError(record.error, 'location')} />
            <Field label={move === 'failed_attempt' ? 'What happened' : 'Note'} value={note} onChange={(e) => setNote(e.target.value)} error={fieldError(record.error, 'note')} />
            <ErrorBox error={record.error} fields={['location', 'note']} />
            <button className="btn primary" disabled={record.isPending || !move}>
              {move ? pickupButton(move) : 'Record'}
            </button>
          </form>
        ) : (
          <p className="muted small">Nothing more to record for this pickup.</p>
        )}
      </div>
      <button type="button" className="link small" aria-expanded={history} onClick={() => setHistory(!history)}>
        {history ? 'Hide history' : 'Show history'}
      </button>
      {history && <ReturnTimeline ret={r} />}
    </article>
  );
}

