// The inbox: the signed-in user's notifications, newest first, unread ones
// marked; opening one marks it read and follows its link; "Mark all read";
// "Load more" by cursor.
import { useEffect, useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api } from '../app/api';
import { categoryLabel, inboxKey, notificationKey, uniqueById, type Inbox, type Notification } from '../api/notify';
import { Empty, ErrorBox, LoadMore, Loading, formatDate, useToast } from '../ui/kit';

const PAGE = 20;

export default function NotificationsPage() {
  return (
    <RequireUser>
      <Notifications />
    </RequireUser>
  );
}

function Notifications() {
  useEffect(() => {
    document.title = 'Notifications · Bazaar';
  }, []);
  const qc = useQueryClient();
  const toast = useToast();
  const list = useInfiniteQuery({
    queryKey: inboxKey,
    initialPageParam: '',
    getNextPageParam: (p: Inbox) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) => api.get<Inbox>('/api/v1/notification', { query: { cursor: pageParam || undefined, limit: PAGE }, signal }),
  });
  const items = useMemo(() => uniqueById(list.data?.pages), [list.data]);
  const unread = list.data?.pages[0]?.unread ?? 0;
  const readAll = useMutation({
    mutationFn: () => api.put<{ marked: number }>('/api/v1/notification/read'),
    onSuccess: (r) => {
      toast(r.marked === 1 ? 'Marked 1 notification read.' : `Marked ${r.marked} notifications read.`);
      return qc.invalidateQueries({ queryKey: notificationKey });
    },
  });
  return (
    <div className="page narrow">
      <div className="title-row">
        <h1>Notifications</h1>
        <div className="row">
          <Link to="/account/notifications" className="btn ghost small">
            Preferences
          </Link>
          <button type="button" className="btn secondary small" disabled={unread === 0 || readAll.isPending} onClick={() => readAll.mutate()}>
            Mark all read
          </button>
        </div>
      </div>
      <p className="muted" aria-live="polite" data-testid="inbox-unread">
        {list.data ? (unread === 0 ? 'You are all caught up.' : unread === 1 ? '1 unread notification.' : `${unread} unread notifications.`) : '\u00a0'}
      </p>
      <ErrorBox error={readAll.error} />
      {list.isPending ? (
        <Loading label="Loading notifications…" />
      ) : !list.data ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <Empty title="No notifications yet">
          <p>News about your orders, deliveries, returns and tickets will show here.</p>
        </Empty>
      ) : (
        <ul className="inbox" aria-label="Notifications, newest first">
          {items.map((n) => (
            <Item key={n.id} n={n} />
          ))}
        </ul>
      )}
      {list.isFetchNextPageError && <ErrorBox error={list.error} />}
      <LoadMore list={list} />
    </div>
  );
}

/** Item is one notification; opening it marks it read, then follows its link. */
function Item({ n }: { n: Notification }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const unread = !n.read_at;
  const markRead = useMutation({
    mutationFn: () => api.put('/api/v1/notification/' + encodeURIComponent(n.id) + '/read'),
    onSettled: () => qc.invalidateQueries({ queryKey: notificationKey }),
  });
  const open = async () => {
    if (unread) {
      try {
        await markRead.mutateAsync();
      } catch {
        // Still follow the link: reading it matters more than the mark.
      }
    }
    if (n.link) navigate(n.link);
  };
  return (
    <li className={'inbox-item' + (unread ? ' unread' : '')} data-testid="notification">
      <span className="inbox-dot" aria-hidden="true" />
      <div className="inbox-main">
        <div className="row spread">
          <a
            href={n.link || '#'}
            className="inbox-title"
            onClick={(e) => {
              if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return; // a new tab: leave it to the browser
              e.preventDefault();
              void open();
            }}
          >
            {unread && <span className="sr-only">Unread: </span>}
            {n.title}
          </a>
          <time className="muted small" dateTime={n.created_at}>
            {formatDate(n.created_at)}
          </time>
        </div>
        <p className="inbox-body">{n.body}</p>
        <div className="row spread">
          <span className="muted small">{categoryLabel(n.category)}</span>
          {unread && (
            <button type="button" className="link small" disabled={markRead.isPending} onClick={() => markRead.mutate()}>
              Mark read<span className="sr-only">: {n.title}</span>
            </button>
          )}
        </div>
      </div>
    </li>
  );
}
