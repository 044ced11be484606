// The ticket desk: the staff queue (filters, SLA, overdue first) and the
// seller's tickets about its orders and products, and a ticket's detail
// with its thread, the reply box and, for staff, priority, assignee and
// status.
import { useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, useSession } from '../app/api';
import { isApiError } from '../api/client';
import type { Page, User } from '../api/types';
import { ticketStatusLabel, type Priority, type Ticket, type TicketStatus, type TicketUpdate } from '../api/support';
import { Empty, ErrorBox, fieldError, formatDate, humanize, Loading, LoadMore, SelectField, useToast } from '../ui/kit';
import { ReplyBox, TicketBadge, TicketThread } from '../seller/supportParts';
import { assigneeText, concerns, filterParams, priorities, slaText, ticketFilter, ticketQuery, ticketStatuses, type TicketFilter } from './tickets';
import '../seller/desk.css';

export type TicketDeskKind = 'seller' | 'staff';

const base = (desk: TicketDeskKind) => (desk === 'seller' ? '/seller/tickets' : '/admin/tickets');

export function PriorityTag({ p }: { p: Priority }) {
  return <span className={'prio prio-' + p}>{humanize(p)}</span>;
}

/** useNow is the time, every minute, for "due in" texts. */
function useNow() {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/** useAgents names the support agents and admins (admins may list users; support agents may not). */
function useAgents(enabled: boolean) {
  return useQuery({
    queryKey: ['agents'],
    enabled,
    staleTime: 5 * 60_000,
    queryFn: async ({ signal }) => {
      const [support, admins] = await Promise.all(
        ['support', 'admin'].map((role) => api.get<Page<User>>('/api/v1/admin/user', { query: { role, status: 'active', limit: 100 }, signal })),
      );
      return [...support.items, ...admins.items];
    },
  });
}

/** TicketQueue is the staff queue (with filters) or the seller's tickets. */
export function TicketQueue({ desk }: { desk: TicketDeskKind }) {
  const [params, setParams] = useSearchParams();
  const filter = ticketFilter((k) => params.get(k));
  const staff = desk === 'staff';
  const { user } = useSession();
  const agents = useAgents(staff && user?.role === 'admin');
  const names = Object.fromEntries((agents.data ?? []).map((a) => [a.id, a.name]));
  const now = useNow();
  const order = params.get('order') ?? '';
  const query = { ...(staff ? ticketQuery(filter) : filter.status ? ticketQuery({ ...filter, priority: '', assignee: '', overdue: false }) : {}), ...(order && { order }) };
  const list = useInfiniteQuery({
    queryKey: ['tickets', desk, query],
    initialPageParam: '',
    getNextPageParam: (p: Page<Ticket>) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) => api.get<Page<Ticket>>('/api/v1/ticket', { query: { ...query, cursor: pageParam || undefined, limit: 25 }, signal }),
    refetchInterval: 30_000,
  });
  useEffect(() => {
    document.title = 'Tickets · Bazaar';
  }, []);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const apply = (f: TicketFilter) => setParams({ ...filterParams(f), ...(order && { order }) });
  const filtered = !!(filter.status || filter.priority || filter.assignee || filter.overdue || order);
  return (
    <section aria-labelledby="tickets-title">
      <div className="title-row">
        <h1 id="tickets-title">Tickets</h1>
        <button type="button" className="btn ghost small" disabled={list.isFetching} onClick={() => void list.refetch()}>
          {list.isFetching && !list.isFetchingNextPage ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {staff && <p className="muted small">Tickets awaiting a first answer come first, the earliest due (so the overdue ones) leading; then the others by their latest message.</p>}
      <form className="toolbar" role="search" aria-label="Filter tickets" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Status" value={filter.status} onChange={(e) => apply({ ...filter, status: e.target.value })}>
          <option value="">Any</option>
          <option value="unresolved">Unresolved</option>
          {ticketStatuses.map((s) => (
            <option key={s} value={s}>
              {ticketStatusLabel[s]}
            </option>
          ))}
        </SelectField>
        {staff && (
          <>
            <SelectField label="Priority" value={filter.priority} onChange={(e) => apply({ ...filter, priority: e.target.value as Priority | '' })}>
              <option value="">Any</option>
              {priorities.map((p) => (
                <option key={p} value={p}>
                  {humanize(p)}
                </option>
              ))}
            </SelectField>
            <SelectField label="Assignee" value={filter.assignee} onChange={(e) => apply({ ...filter, assignee: e.target.value as TicketFilter['assignee'] })}>
              <option value="">Anyone</option>
              <option value="me">Me</option>
              <option value="none">Nobody</option>
            </SelectField>
            <label className="check">
              <input type="checkbox" checked={filter.overdue} onChange={(e) => apply({ ...filter, overdue: e.target.checked })} />
              Overdue only
            </label>
          </>
        )}
        {filtered && (
          <button type="button" className="btn ghost" onClick={() => setParams({})}>
            Clear filters
          </button>
        )}
      </form>
      {order && (
        <p className="small">
          Only the tickets about order <code>{order}</code>
        </p>
      )}
      {list.isPending ? (
        <Loading label="Loading tickets…" />
      ) : list.isError && !list.data ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <Empty title={filtered ? 'No tickets match' : 'No tickets'}>
          <p>{staff ? (filtered ? 'Clear the filters to see the whole queue.' : 'Nothing is waiting for support.') : 'Tickets customers open about your orders and products appear here.'}</p>
        </Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="data desk-table">
            <caption className="sr-only">{staff ? 'Support queue: overdue and earliest due first' : 'Tickets about your orders and products, newest first'}</caption>
            <thead>
              <tr>
                {staff && <th scope="col">Priority</th>}
                <th scope="col">Ticket</th>
                <th scope="col">Status</th>
                {staff && <th scope="col">Assignee</th>}
                <th scope="col">{staff ? 'First answer due' : 'Last message'}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.id} data-testid="ticket-row" className={staff && t.overdue ? 'ticket-overdue' : undefined}>
                  {staff && (
                    <td data-label="Priority">
                      <PriorityTag p={t.priority} />
                    </td>
                  )}
                  <td data-label="Ticket">
                    <Link to={`${base(desk)}/${t.id}`} className="ticket-subject">
                      {t.subject}
                    </Link>
                    <div className="muted small">
                      <code>{t.id}</code> · {humanize(t.category)} · {t.message_count} {t.message_count === 1 ? 'message' : 'messages'}
                    </div>
                  </td>
                  <td data-label="Status">
                    <TicketBadge status={t.status} viewer={desk} />
                  </td>
                  {staff && <td data-label="Assignee">{assigneeText(t.assignee_id, user?.id, names)}</td>}
                  <td data-label={staff ? 'First answer due' : 'Last message'} className="sla">
                    {staff ? (
                      <>
                        {t.overdue && <span className="overdue-flag">OVERDUE</span>}
                        <span className={t.overdue ? 'sla-overdue' : undefined}>{slaText(t, now)}</span>
                        <div className="muted small">
                          {t.first_response_at ? 'answered ' + formatDate(t.first_response_at) : 'due ' + formatDate(t.first_response_due)}
                        </div>
                      </>
                    ) : (
                      formatDate(t.last_message_at)
                    )}
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

/** TicketDetail is one ticket (the route's :id) with its thread and reply box. */
export function TicketDetail({ desk }: { desk: TicketDeskKind }) {
  const { id = '' } = useParams();
  const t = useQuery({
    queryKey: ['ticket', id],
    queryFn: ({ signal }) => api.get<Ticket>('/api/v1/ticket/' + encodeURIComponent(id), { signal }),
    refetchInterval: 30_000,
  });
  const now = useNow();
  useEffect(() => {
    document.title = (t.data ? t.data.subject : 'Ticket') + ' · Bazaar';
  }, [t.data]);
  if (t.isPending) return <Loading label="Loading the ticket…" />;
  if (t.isError)
    return (
      <section>
        <p className="crumbs">
          <Link to={base(desk)}>← Tickets</Link>
        </p>
        {isApiError(t.error) && t.error.status === 404 ? <Empty title="No such ticket" /> : <ErrorBox error={t.error} />}
      </section>
    );
  const k = t.data;
  const staff = desk === 'staff';
  return (
    <section aria-labelledby="ticket-title" data-testid="ticket-detail">
      <p className="crumbs">
        <Link to={base(desk)}>← Tickets</Link>
      </p>
      <div className="title-row">
        <h1 id="ticket-title">{k.subject}</h1>
        <span className="row">
          {staff && k.overdue && <span className="overdue-flag">OVERDUE</span>}
          {staff && <PriorityTag p={k.priority} />}
          <TicketBadge status={k.status} viewer={desk} />
        </span>
      </div>
      <div className="desk-layout">
        <div>
          <TicketThread messages={k.messages} />
          {k.status !== 'closed' ? <ReplyBox ticket={k} allowInternal={staff} /> : <p className="notice">This ticket is closed: nobody can reply any more.</p>}
        </div>
        <aside>
          <div className="panel">
            <h2>About</h2>
            <dl className="desk-facts">
              <dt>Ticket</dt>
              <dd>
                <code>{k.id}</code>
              </dd>
              <dt>Category</dt>
              <dd>{humanize(k.category)}</dd>
              {staff && (
                <>
                  <dt>Customer</dt>
                  <dd>
                    <code>{k.customer_id}</code>
                  </dd>
                  {k.seller_id && (
                    <>
                      <dt>Seller</dt>
                      <dd>
                        <code>{k.seller_id}</code>
                      </dd>
                    </>
                  )}
                </>
              )}
              {concerns(k, desk).map((c) => (
                <ConcernRow key={c.label} c={c} />
              ))}
              <dt>Opened</dt>
              <dd>{formatDate(k.created_at)}</dd>
              {staff && (
                <>
                  <dt>First answer</dt>
                  <dd className={k.overdue ? 'sla-overdue' : undefined} data-testid="ticket-sla">
                    {slaText(k, now)}
                    <div className="muted small">{k.first_response_at ? formatDate(k.first_response_at) : 'due ' + formatDate(k.first_response_due)}</div>
                  </dd>
                </>
              )}
              {k.resolved_at && (
                <>
                  <dt>Resolved</dt>
                  <dd>{formatDate(k.resolved_at)}</dd>
                </>
              )}
            </dl>
          </div>
          {staff && <StaffControls t={k} />}
        </aside>
      </div>
    </section>
  );
}

function ConcernRow({ c }: { c: ReturnType<typeof concerns>[number] }) {
  return (
    <>
      <dt>{c.label}</dt>
      <dd>
        {c.to ? (
          <Link to={c.to} aria-label={`${c.label} ${c.id}`}>
            <code>{c.id}</code>
          </Link>
        ) : (
          <code>{c.id}</code>
        )}
      </dd>
    </>
  );
}

const settable: TicketStatus[] = ['awaiting_customer', 'awaiting_seller', 'awaiting_support'];

/** StaffControls sets a ticket's priority, assignee and status. */
function StaffControls({ t }: { t: Ticket }) {
  const qc = useQueryClient();
  const toast = useToast();
  const { user } = useSession();
  const admin = user?.role === 'admin';
  const agents = useAgents(admin);
  const names = Object.fromEntries((agents.data ?? []).map((a) => [a.id, a.name]));
  const [pick, setPick] = useState('');
  const [status, setStatus] = useState<TicketStatus | ''>('');
  const update = useMutation({
    mutationFn: (u: TicketUpdate & { path?: string }) =>
      u.path ? api.put<Ticket>(`/api/v1/ticket/${encodeURIComponent(t.id)}/${u.path}`) : api.put<Ticket>('/api/v1/ticket/' + encodeURIComponent(t.id), u),
    onSuccess: (x, u) => {
      qc.setQueryData<Ticket>(['ticket', t.id], (old) => ({ ...x, messages: x.messages ?? old?.messages }));
      toast(
        u.priority
          ? `Priority set to ${u.priority}.`
          : u.assignee_id !== undefined
            ? u.assignee_id
              ? `Assigned to ${assigneeText(u.assignee_id, user?.id, names).replace(/^You$/, 'you')}.`
              : 'Unassigned.'
            : `Ticket ${ticketStatusLabel[x.status].toLowerCase()}.`,
      );
      setPick('');
      setStatus('');
      return qc.invalidateQueries({ queryKey: ['tickets'] });
    },
  });
  const closed = t.status === 'closed';
  const busy = update.isPending || closed;
  return (
    <div className="panel desk-controls" data-testid="ticket-controls">
      <h2>Handle</h2>
      <ErrorBox error={update.error} fields={['assignee_id']} />
      <SelectField label="Priority" value={t.priority} onChange={(e) => update.mutate({ priority: e.target.value as Priority })} disabled={busy}>
        {priorities.map((p) => (
          <option key={p} value={p}>
            {humanize(p)}
          </option>
        ))}
      </SelectField>
      <h3>Assignee</h3>
      <p className="small" data-testid="ticket-assignee">
        {assigneeText(t.assignee_id, user?.id, names)}
      </p>
      <div className="row">
        {t.assignee_id !== user?.id && (
          <button type="button" className="btn secondary small" onClick={() => update.mutate({ assignee_id: user!.id })} disabled={busy}>
            Assign to me
          </button>
        )}
        {t.assignee_id && (
          <button type="button" className="btn ghost small" onClick={() => update.mutate({ assignee_id: '' })} disabled={busy}>
            Unassign
          </button>
        )}
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (pick.trim()) update.mutate({ assignee_id: pick.trim() });
        }}
      >
        {admin && agents.data ? (
          <div className="field">
            <label htmlFor="tk-agent">Assign to</label>
            <select id="tk-agent" value={pick} onChange={(e) => setPick(e.target.value)} disabled={busy}>
              <option value="">Choose an agent…</option>
              {agents.data
                .filter((a) => a.id !== t.assignee_id)
                .map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({a.role})
                  </option>
                ))}
            </select>
          </div>
        ) : (
          <div className="field">
            <label htmlFor="tk-agent">Assign to user ID</label>
            <input
              id="tk-agent"
              value={pick}
              onChange={(e) => setPick(e.target.value)}
              placeholder="usr_…"
              spellCheck={false}
              autoComplete="off"
              disabled={busy}
              aria-invalid={fieldError(update.error, 'assignee_id') ? true : undefined}
              aria-describedby={fieldError(update.error, 'assignee_id') ? 'tk-agent-err' : undefined}
            />
            {fieldError(update.error, 'assignee_id') && (
              <p className="field-error" id="tk-agent-err">
                {fieldError(update.error, 'assignee_id')}
              </p>
            )}
          </div>
        )}
        <button className="btn ghost small" disabled={busy || !pick.trim()}>
          Assign
        </button>
      </form>
      <h3>Status</h3>
      <div className="row">
        {t.status === 'resolved' ? (
          <button type="button" className="btn secondary small" onClick={() => update.mutate({ path: 'reopen' })} disabled={busy}>
            Reopen
          </button>
        ) : (
          !closed && (
            <button type="button" className="btn primary small" onClick={() => update.mutate({ path: 'resolve' })} disabled={busy}>
              Resolve
            </button>
          )
        )}
      </div>
      {!closed && t.status !== 'resolved' && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (status) update.mutate({ status });
          }}
        >
          <div className="field">
            <label htmlFor="tk-status">Hand over to</label>
            <select id="tk-status" value={status} onChange={(e) => setStatus(e.target.value as TicketStatus | '')} disabled={busy}>
              <option value="">Choose…</option>
              {settable
                .filter((s) => s !== t.status && (s !== 'awaiting_seller' || t.seller_id))
                .map((s) => (
                  <option key={s} value={s}>
                    {ticketStatusLabel[s]}
                  </option>
                ))}
            </select>
          </div>
          <button className="btn ghost small" disabled={busy || !status}>
            Set status
          </button>
        </form>
      )}
    </div>
  );
}
