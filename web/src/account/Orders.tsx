import { useEffect } from 'react';
import { Link } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api, useFeatures } from '../app/api';
import type { Order, Page } from '../api/types';
import { Badge, Empty, ErrorBox, formatDate, Loading, LoadMore, Price } from '../ui/kit';
import { orderBadge } from './cod';

export default function OrdersPage() {
  return (
    <RequireUser roles={['customer']}>
      <Orders />
    </RequireUser>
  );
}

function Orders() {
  const features = useFeatures();
  const orders = useInfiniteQuery({
    queryKey: ['orders'],
    enabled: features.has('GET /api/v1/order'),
    initialPageParam: '',
    getNextPageParam: (p: Page<Order>) => p.next_cursor || undefined,
    queryFn: ({ pageParam }) => api.get<Page<Order>>('/api/v1/order', { query: { cursor: pageParam || undefined, limit: 20 } }),
  });
  useEffect(() => {
    document.title = 'Your orders · Bazaar';
  }, []);
  if (!features.loaded) return <Loading />;
  if (!features.has('GET /api/v1/order')) {
    return (
      <div className="page narrow">
        <h1>Your orders</h1>
        <p className="notice">Orders are not available on this server yet.</p>
      </div>
    );
  }
  const items = orders.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page narrow">
      <h1>Your orders</h1>
      {orders.isPending ? (
        <Loading label="Loading your orders…" />
      ) : orders.isError ? (
        <ErrorBox error={orders.error} />
      ) : items.length === 0 ? (
        <Empty title="No orders yet">
          <Link to="/">Start shopping</Link>
        </Empty>
      ) : (
        <>
          <ul className="order-list">
            {items.map((o) => {
              const lines = o.seller_orders.flatMap((s) => s.lines);
              const badge = orderBadge(o);
              return (
                <li key={o.id} className="panel order-row" data-testid="order-row">
                  <div>
                    <Link to={'/orders/' + o.id} className="strong">
                      Order {o.id}
                    </Link>
                    <p className="muted small">Placed {formatDate(o.placed_at)}</p>
                    <p className="small">
                      {lines
                        .slice(0, 3)
                        .map((l) => `${l.quantity} × ${l.title}`)
                        .join(', ')}
                      {lines.length > 3 && ` and ${lines.length - 3} more`}
                    </p>
                  </div>
                  <div className="order-row-side">
                    <Badge status={badge.status} label={badge.label} />
                    <Price value={o.total} className="strong" />
                  </div>
                </li>
              );
            })}
          </ul>
          <LoadMore list={orders} />
        </>
      )}
    </div>
  );
}
