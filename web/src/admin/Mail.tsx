// The mail outbox: every e-mail the platform sent or will send, newest
// first, filtered by status, each with its recipient, subject, attempts and
// last error; one mail shows its plain text and its HTML rendered in a
// sandboxed frame, so a local run shows what would have been sent.
import { useEffect, useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../app/api';
import type { Page } from '../api/types';
import { categoryLabel, mailStatusParam, mailStatuses, uniqueById, type Mail } from '../api/notify';
import { Badge, Empty, ErrorBox, LoadMore, Loading, SelectField, formatDate } from '../ui/kit';

const PAGE = 25;

export function MailOutbox() {
  useEffect(() => {
    document.title = 'Mail outbox · Admin · Bazaar';
  }, []);
  const [params, setParams] = useSearchParams();
  const status = mailStatusParam(params.get('status'));
  const list = useInfiniteQuery({
    queryKey: ['admin-mail', status],
    initialPageParam: '',
    getNextPageParam: (p: Page<Mail>) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) => api.get<Page<Mail>>('/api/v1/admin/mail', { query: { status: status || undefined, cursor: pageParam || undefined, limit: PAGE }, signal }),
  });
  const items = useMemo(() => uniqueById(list.data?.pages), [list.data]);
  return (
    <section aria-labelledby="mail-title">
      <div className="title-row">
        <h1 id="mail-title">Mail outbox</h1>
        <button type="button" className="btn ghost small" disabled={list.isFetching} onClick={() => void list.refetch()}>
          {list.isFetching && !list.isFetchingNextPage ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted">Every e-mail the shop sent or will send, newest first. Pending mail is waiting or retrying after an error; dead mail failed every attempt.</p>
      <div className="toolbar">
        <SelectField label="Status" value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {})}>
          {mailStatuses.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </SelectField>
      </div>
      {list.isPending ? (
        <Loading label="Loading mail…" />
      ) : !list.data ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <Empty title={status ? `No ${status} mail` : 'No mail yet'}>
          <p>Mail is written when something happens that someone should hear about: an order confirmed, a parcel shipped.</p>
        </Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="data mail-table">
            <caption className="sr-only">Outbox mail, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Written</th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id} data-testid="mail-row">
                  <td>
                    <Link to={'/admin/mail/' + encodeURIComponent(m.id)}>{m.subject}</Link>
                    <div className="muted small">{categoryLabel(m.category)}</div>
                  </td>
                  <td>{m.to}</td>
                  <td>
                    <Badge status={m.status} />
                  </td>
                  <td className="num">{m.attempts}</td>
                  <td className="mail-error">{m.last_error ? <span title={m.last_error}>{m.last_error}</span> : <span className="muted">—</span>}</td>
                  <td>
                    <time dateTime={m.created_at}>{formatDate(m.created_at)}</time>
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

export function MailDetail() {
  const { id = '' } = useParams();
  const q = useQuery({
    queryKey: ['admin-mail', 'one', id],
    queryFn: ({ signal }) => api.get<Mail>('/api/v1/admin/mail/' + encodeURIComponent(id), { signal }),
  });
  useEffect(() => {
    document.title = (q.data?.subject ?? 'Mail') + ' · Admin · Bazaar';
  }, [q.data?.subject]);
  const m = q.data;
  return (
    <section aria-labelledby="mail-subject">
      <p className="crumbs">
        <Link to="/admin/mail">Mail outbox</Link> › {m ? m.subject : id}
      </p>
      {q.isPending ? (
        <Loading />
      ) : !m ? (
        <ErrorBox error={q.error} />
      ) : (
        <>
          <div className="title-row">
            <h1 id="mail-subject">{m.subject}</h1>
            <Badge status={m.status} />
          </div>
          <dl className="panel mail-meta">
            <dt>To</dt>
            <dd>{m.to}</dd>
            <dt>Kind</dt>
            <dd>
              {categoryLabel(m.category)}
              {m.unsubscribe ? '' : ' (transactional: sent whatever the preferences)'}
            </dd>
            <dt>Written</dt>
            <dd>{formatDate(m.created_at)}</dd>
            <dt>Attempts</dt>
            <dd>
              {m.attempts}
              {m.status === 'pending' && m.attempts > 0 && <> · next at {formatDate(m.next_attempt_at)}</>}
            </dd>
            {m.sent_at && (
              <>
                <dt>Sent</dt>
                <dd>{formatDate(m.sent_at)}</dd>
              </>
            )}
            {m.last_error && (
              <>
                <dt>Last error</dt>
                <dd className="mail-error-full">{m.last_error}</dd>
              </>
            )}
            {m.unsubscribe && (
              <>
                <dt>List-Unsubscribe</dt>
                <dd>
                  <code>{m.unsubscribe}</code>
                </dd>
              </>
            )}
            <dt>Event</dt>
            <dd>
              <code>{m.event_id}</code>
            </dd>
          </dl>
          <h2>HTML</h2>
          {/* sandbox="" runs no script and gives the mail an opaque origin: it cannot reach this page or the API. */}
          <iframe className="mail-frame panel" title={'HTML part of ' + m.subject} sandbox="" srcDoc={m.html ?? ''} data-testid="mail-html" />
          <h2>Plain text</h2>
          <pre className="panel mail-text" data-testid="mail-text">
            {m.text}
          </pre>
        </>
      )}
    </section>
  );
}
