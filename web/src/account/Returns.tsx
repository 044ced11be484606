import { useEffect } from 'react';
import { Link } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api, useFeatures } from '../app/api';
import type { Page } from '../api/types';
import type { Return } from '../api/support';
import { Empty, ErrorBox, formatDate, Loading, LoadMore, Price } from '../ui/kit';
import { ReturnBadge } from '../support/badges';
import { returnSummary } from '../support/format';

export default function ReturnsPage() {
  return (
    <RequireUser roles={['customer']}>
      <Returns />
    </RequireUser>
  );
}

function Returns() {
  const features = useFeatures();
  const returns = useInfiniteQuery({
    queryKey: ['returns', 'mine'],
    enabled: features.has('GET /api/v1/return'),
    initialPageParam: '',
    getNextPageParam: (p: Page<Return>) => p.next_cursor || undefined,
    queryFn: ({ pageParam }) => api.get<Page<Return>>('/api/v1/return', { query: { cursor: pageParam || undefined, limit: 20 } }),
  });
  useEffect(() => {
    document.title = 'Your returns · Bazaar';
  }, []);
  if (!features.loaded) return <Loading />;
  if (!features.has('GET /api/v1/return')) {
    return (
      <div className="page narrow">
        <h1>Your returns</h1>
        <p className="notice">Returns are not available on this server yet.</p>
      </div>
    );
  }
  const items = returns.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page narrow">
      <h1>Your returns</h1>
      <p className="muted">
        To return something, open the order and choose “Return items” on a delivered parcel. <Link to="/orders">Your orders</Link>
      </p>
      {returns.isPending ? (
        <Loading label="Loading your returns…" />
      ) : returns.isError ? (
        <ErrorBox error={returns.error} />
      ) : items.length === 0 ? (
        <Empty title="No returns">
          <p>You have not returned anything.</p>
        </Empty>
      ) : (
        <>
          <ul className="order-list">
            {items.map((r) => (
              <li key={r.id} className="panel order-row" data-testid="return-row">
                <div>
                  <Link to={'/returns/' + r.id} className="strong">
                    Return {r.id}
                  </Link>
                  <p className="muted small">
                    Requested {formatDate(r.created_at)} · order {r.order_id}
                  </p>
                  <p className="small">{returnSummary(r)}</p>
                </div>
                <div className="order-row-side">
                  <ReturnBadge status={r.status} />
                  {r.status === 'refunded' && <Price value={r.refund} className="strong" />}
                </div>
              </li>
            ))}
          </ul>
          <LoadMore list={returns} />
        </>
      )}
    </div>
  );
}
