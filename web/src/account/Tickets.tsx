import { useEffect } from 'react';
import { Link } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api, useFeatures } from '../app/api';
import type { Page } from '../api/types';
import type { Ticket } from '../api/support';
import { Empty, ErrorBox, formatDate, Loading, LoadMore } from '../ui/kit';
import { TicketBadge } from '../support/badges';
import { ticketCategoryLabel } from '../support/format';

export default function TicketsPage() {
  return (
    <RequireUser roles={['customer']}>
      <Tickets />
    </RequireUser>
  );
}

function Tickets() {
  const features = useFeatures();
  const tickets = useInfiniteQuery({
    queryKey: ['tickets', 'mine'],
    enabled: features.has('GET /api/v1/ticket'),
    initialPageParam: '',
    getNextPageParam: (p: Page<Ticket>) => p.next_cursor || undefined,
    queryFn: ({ pageParam }) => api.get<Page<Ticket>>('/api/v1/ticket', { query: { cursor: pageParam || undefined, limit: 20 } }),
    staleTime: 0,
  });
  useEffect(() => {
    document.title = 'Your support tickets · Bazaar';
  }, []);
  if (!features.loaded) return <Loading />;
  if (!features.has('GET /api/v1/ticket')) {
    return (
      <div className="page narrow">
        <h1>Help & support</h1>
        <p className="notice">Support is not available on this server yet.</p>
      </div>
    );
  }
  const items = tickets.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page narrow">
      <div className="title-row">
        <h1>Your support tickets</h1>
        <Link to="/tickets/new" className="btn primary">
          New ticket
        </Link>
      </div>
      <p className="muted">
        Questions about an order are quickest from the order itself: choose “Get help” there. Returns are on <Link to="/returns">your returns</Link>.
      </p>
      {tickets.isPending ? (
        <Loading label="Loading your tickets…" />
      ) : tickets.isError ? (
        <ErrorBox error={tickets.error} />
      ) : items.length === 0 ? (
        <Empty title="No tickets">
          <p>When you ask us something, the conversation shows up here.</p>
        </Empty>
      ) : (
        <>
          <ul className="order-list">
            {items.map((t) => (
              <li key={t.id} className="panel order-row" data-testid="ticket-row">
                <div>
                  <Link to={'/tickets/' + t.id} className="strong">
                    {t.subject}
                  </Link>
                  <p className="muted small">
                    {ticketCategoryLabel[t.category] ?? t.category} · {t.id} · opened {formatDate(t.created_at, false)}
                  </p>
                  <p className="small">Last activity {formatDate(t.last_message_at)}</p>
                </div>
                <div className="order-row-side">
                  <TicketBadge status={t.status} viewer="customer" />
                </div>
              </li>
            ))}
          </ul>
          <LoadMore list={tickets} />
        </>
      )}
    </div>
  );
}
