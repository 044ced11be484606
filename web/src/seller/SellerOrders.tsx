import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, useFeatures } from '../app/api';
import type { Page, SellerOrder, Shipment, ShippingAddress } from '../api/types';
import { Badge, Empty, ErrorBox, Loading, Price, formatDate, humanize, useToast } from '../ui/kit';
import { formatAddress } from '../account/AddressForm';
import { shipmentLabel } from '../ui/shipment';
import { laterStatus } from './orders';
import { useLiveConnected } from '../live/useLive';

/** Queued is one seller order in the seller's queue. */
interface Queued extends SellerOrder {
  order_status: string;
  shipping_address: ShippingAddress;
  placed_at: string;
  paid_at?: string;
}

const statuses = ['awaiting_fulfillment', 'pending_payment', 'shipped', 'delivered', 'cancelled', 'returned'];

export function SellerOrders() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? 'awaiting_fulfillment';
  const live = useLiveConnected(); // new orders arrive as they are paid
  const list = useInfiniteQuery({
    queryKey: ['seller-orders', status],
    initialPageParam: '',
    getNextPageParam: (p: Page<Queued>) => p.next_cursor || undefined,
    queryFn: ({ pageParam }) => api.get<Page<Queued>>('/api/v1/seller/order', { query: { status, cursor: pageParam || undefined, limit: 20 } }),
    refetchInterval: live ? false : 30_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section>
      <div className="title-row">
        <h1>Orders</h1>
        <div className="field inline">
          <label htmlFor="so-status">Show</label>
          <select id="so-status" value={status} onChange={(e) => setParams({ status: e.target.value })}>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
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
        <Empty title={'No orders ' + humanize(status).toLowerCase()} />
      ) : (
        items.map((o) => <QueuedOrder key={o.id} o={o} />)
      )}
      {list.hasNextPage && (
        <div className="center">
          <button type="button" className="btn secondary" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            Load more
          </button>
        </div>
      )}
    </section>
  );
}

function QueuedOrder({ o }: { o: Queued }) {
  const features = useFeatures();
  const qc = useQueryClient();
  const toast = useToast();
  const [answered, setAnswered] = useState<string>();
  const act = useMutation({
    mutationFn: (step: 'pack' | 'handover') => api.post<Shipment>(`/api/v1/shipment/${o.shipment!.id}/${step}`),
    onSuccess: (s) => {
      setAnswered(s.status);
      toast(`Shipment ${s.tracking_id}: ${shipmentLabel(s.status).toLowerCase()}.`);
      return qc.invalidateQueries({ queryKey: ['seller-orders'] });
    },
  });
  const sh = o.shipment && { ...o.shipment, status: laterStatus(o.shipment.status, answered) };
  return (
    <article className="panel" data-testid="seller-order">
      <div className="part-head">
        <h2>Order {o.order_id}</h2>
        <Badge status={o.status} />
      </div>
      <p className="muted small">
        Placed {formatDate(o.placed_at)}
        {o.paid_at && ` · paid ${formatDate(o.paid_at)}`}
      </p>
      <ul className="review-lines">
        {o.lines.map((l) => (
          <li key={l.id}>
            <span>
              {l.quantity} × {l.title} <code>{l.sku}</code>
            </span>
            <Price value={l.line_total} />
          </li>
        ))}
      </ul>
      <p className="small">
        <strong>Ship to:</strong> {formatAddress(o.shipping_address)}
      </p>
      {sh && (
        <div className="row spread">
          <span className="small">
            Shipment <Badge status={sh.status} /> <code>{sh.tracking_id}</code>
          </span>
          <span className="row">
            {sh.status === 'pending' && features.has('POST /api/v1/shipment/{id}/pack') && (
              <button type="button" className="btn primary small" onClick={() => act.mutate('pack')} disabled={act.isPending}>
                Mark packed
              </button>
            )}
            {sh.status === 'packed' && features.has('POST /api/v1/shipment/{id}/handover') && (
              <button type="button" className="btn primary small" onClick={() => act.mutate('handover')} disabled={act.isPending}>
                Hand over to carrier
              </button>
            )}
          </span>
        </div>
      )}
      <ErrorBox error={act.error} />
    </article>
  );
}
