import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api } from '../app/api';
import { isApiError } from '../api/client';
import type { Ticket } from '../api/support';
import { ErrorBox, Loading, formatDate, useToast } from '../ui/kit';
import { TicketBadge } from '../support/badges';
import { ticketCategoryLabel } from '../support/format';
import { ReplyBox, TicketThread } from '../support/thread';

export default function TicketDetailPage() {
  return (
    <RequireUser roles={['customer']}>
      <TicketDetail />
    </RequireUser>
  );
}

function TicketDetail() {
  const { id = '' } = useParams();
  const ticket = useQuery({
    queryKey: ['ticket', id],
    queryFn: () => api.get<Ticket>('/api/v1/ticket/' + encodeURIComponent(id)),
    staleTime: 0,
    // Answers arrive while the page is open.
    refetchInterval: (q) => (q.state.data && q.state.data.status !== 'closed' ? 30_000 : false),
  });
  useEffect(() => {
    document.title = (ticket.data?.subject ?? 'Ticket') + ' · Bazaar';
  }, [ticket.data?.subject]);
  if (ticket.isPending) return <Loading label="Loading your ticket…" />;
  if (ticket.isError) {
    return (
      <div className="page narrow">
        <h1>Ticket</h1>
        {isApiError(ticket.error) && ticket.error.status === 404 ? (
          <p>
            We cannot find this ticket. <Link to="/tickets">Your support tickets</Link>
          </p>
        ) : (
          <ErrorBox error={ticket.error} />
        )}
      </div>
    );
  }
  const t = ticket.data;
  return (
    <div className="page narrow ticket-detail">
      <p className="crumbs">
        <Link to="/tickets">Your support tickets</Link>
      </p>
      <h1 className="ticket-title">{t.subject}</h1>
      <p className="ticket-meta muted small">
        <span className="order-status">
          <TicketBadge status={t.status} viewer="customer" />
        </span>
        <span>
          {ticketCategoryLabel[t.category] ?? t.category} · opened {formatDate(t.created_at)}
          <AboutLinks t={t} /> · <span className="nowrap">{t.id}</span>
        </span>
      </p>
      <section className="panel" aria-labelledby="thread-title">
        <h2 id="thread-title" className="sr-only">
          Conversation
        </h2>
        <TicketThread messages={t.messages} />
        <ReplyBox ticket={t} />
      </section>
      <Status t={t} />
    </div>
  );
}

function AboutLinks({ t }: { t: Ticket }) {
  if (t.return_id)
    return (
      <>
        {' '}
        · about <Link to={'/returns/' + t.return_id}>return {t.return_id}</Link>
      </>
    );
  if (t.order_id)
    return (
      <>
        {' '}
        · about <Link to={'/orders/' + t.order_id}>order {t.order_id}</Link>
      </>
    );
  if (t.product_id)
    return (
      <>
        {' '}
        · about <Link to={'/p/' + t.product_id}>a product</Link>
      </>
    );
  return null;
}

function Status({ t }: { t: Ticket }) {
  const qc = useQueryClient();
  const toast = useToast();
  const change = useMutation({
    mutationFn: (to: 'resolve' | 'reopen') => api.put<Ticket>('/api/v1/ticket/' + encodeURIComponent(t.id) + '/' + to),
    onSuccess: (next, to) => {
      qc.setQueryData(['ticket', t.id], (old: Ticket | undefined) => ({ ...old, ...next, messages: next.messages ?? old?.messages }));
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      toast(to === 'resolve' ? 'Marked resolved. Thank you!' : 'Ticket reopened: support will answer.');
    },
    onError: () => qc.invalidateQueries({ queryKey: ['ticket', t.id] }),
  });
  if (t.status === 'closed') {
    return <p className="muted small">Closed {formatDate(t.closed_at)}. Closed tickets are kept for reference and cannot be reopened.</p>;
  }
  return (
    <section className="panel" aria-label="Ticket status">
      <ErrorBox error={change.error} />
      {t.status === 'resolved' ? (
        <div className="row spread">
          <p className="small">
            Resolved {formatDate(t.resolved_at)}. It closes by itself 7 days later; reopen it if the problem is back.
          </p>
          <button type="button" className="btn secondary" disabled={change.isPending} onClick={() => change.mutate('reopen')}>
            Reopen
          </button>
        </div>
      ) : (
        <div className="row spread">
          <p className="small">Has your question been answered?</p>
          <button type="button" className="btn secondary" disabled={change.isPending} onClick={() => change.mutate('resolve')}>
            Mark resolved
          </button>
        </div>
      )}
    </section>
  );
}
