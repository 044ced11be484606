// Dead letters: the events a consumer failed on every attempt, oldest
// first, filtered by consumer and topic, each with its error and payload
// and a Replay that gives it to its consumer again.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, useFeatures } from '../app/api';
import { isApiError } from '../api/client';
import type { DeadLetter, Page } from '../api/types';
import { Empty, ErrorBox, Field, Loading, formatDate, useToast } from '../ui/kit';
import { excerpt, truncated, uniqueReviews as uniqueItems } from './moderation';
import {
  ago,
  deadFilter,
  describe,
  emptyTitle,
  filterParams,
  goneMessage,
  nextFocus,
  prettyPayload,
  replayedMessage,
  suggestions,
  withoutItem,
  type Pages,
} from './deadletters';

/** PAGE is how many letters "Load more" adds. */
const PAGE = 20;

const listKey = ['admin-dead-letters'];

/** The consumers the server subscribes today (search@<replica> ones come from the list). */
const KNOWN_CONSUMERS = ['metrics', 'order', 'order.refund', 'search.signals', 'shipment'] as const;

export function Events() {
  const features = useFeatures();
  const enabled = features.has('GET /api/v1/admin/event/dead');
  const [params, setParams] = useSearchParams();
  const filter = deadFilter((k) => params.get(k));
  const list = useInfiniteQuery({
    queryKey: [...listKey, filter],
    enabled,
    initialPageParam: '',
    getNextPageParam: (p: Page<DeadLetter>) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<DeadLetter>>('/api/v1/admin/event/dead', { query: { ...filter, cursor: pageParam || undefined, limit: PAGE }, signal }),
  });
  const items = useMemo(() => uniqueItems(list.data?.pages), [list.data]);
  const qc = useQueryClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const table = useRef<HTMLTableSectionElement>(null);

  // The filter form edits a draft; the URL holds what is applied (and
  // Back, or a link, changes the draft along).
  const [draft, setDraft] = useState(filter);
  const { consumer, topic } = filter;
  useEffect(() => setDraft({ consumer, topic }), [consumer, topic]);

  // After a replay, focus goes to the Replay button of the letter that took
  // its place (or the heading when the list is empty); after "Load more",
  // to the first letter it added.
  const focusNext = useRef<{ id?: string; index?: number } | null>(null);
  useEffect(() => {
    const want = focusNext.current;
    if (!want || list.isFetching) return;
    focusNext.current = null;
    const rows = table.current?.querySelectorAll<HTMLElement>('tr[data-letter-id]');
    if (want.index !== undefined) {
      rows?.[want.index]?.focus();
      return;
    }
    const row = [...(rows ?? [])].find((r) => r.dataset.letterId === want.id);
    (row?.querySelector<HTMLElement>('.dead-actions button') ?? heading.current)?.focus();
  }, [items, list.isFetching]);

  /** gone drops a letter that is no longer dead from every loaded list, then reloads them. */
  const gone = (id: string) => {
    focusNext.current = { id: nextFocus(items.map((d) => d.id), id) };
    qc.setQueriesData<Pages<DeadLetter>>({ queryKey: listKey }, (data) => withoutItem(data, id));
    void qc.invalidateQueries({ queryKey: listKey });
  };

  if (!features.loaded) return <Loading />;
  if (!enabled) {
    return (
      <section>
        <div className="title-row">
          <h1>Events</h1>
        </div>
        <p className="notice">Dead letters are not available on this server yet.</p>
      </section>
    );
  }

  const filtered = !!(filter.consumer || filter.topic);
  const consumers = suggestions(
    items.map((d) => d.consumer),
    KNOWN_CONSUMERS,
  );
  const topics = suggestions(items.map((d) => d.topic));
  return (
    <section aria-labelledby="dead-title">
      <div className="title-row">
        <h1 id="dead-title" tabIndex={-1} ref={heading}>
          Events
        </h1>
        <button type="button" className="btn ghost small" disabled={list.isFetching} onClick={() => void list.refetch()}>
          {list.isFetching && !list.isFetchingNextPage ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted dead-intro">
        Dead letters: events a consumer failed to apply on every attempt. Fix the cause, then replay them; oldest first.
      </p>
      <form
        className="toolbar dead-filter"
        role="search"
        aria-label="Filter dead letters"
        onSubmit={(e) => {
          e.preventDefault();
          setParams(filterParams(draft));
        }}
      >
        <Field label="Consumer" value={draft.consumer} onChange={(e) => setDraft({ ...draft, consumer: e.target.value })} list="dead-consumers" placeholder="Any" autoComplete="off" spellCheck={false} />
        <Field label="Topic" value={draft.topic} onChange={(e) => setDraft({ ...draft, topic: e.target.value })} list="dead-topics" placeholder="Any" autoComplete="off" spellCheck={false} />
        <datalist id="dead-consumers">
          {consumers.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <datalist id="dead-topics">
          {topics.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <div className="row">
          <button type="submit" className="btn secondary">
            Filter
          </button>
          {filtered && (
            <button type="button" className="btn ghost" onClick={() => setParams({})}>
              Clear filters
            </button>
          )}
        </div>
      </form>
      {list.isPending ? (
        <Loading label="Loading dead letters…" />
      ) : !list.data ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 && !list.hasNextPage ? (
        <Empty title={emptyTitle(filter)}>
          <p>{filtered ? 'Clear the filters to see every consumer’s.' : 'Every consumer has applied every event it was given, or is still retrying.'}</p>
        </Empty>
      ) : (
        <>
          {list.isRefetchError && <ErrorBox error={list.error} title="Could not refresh the list." />}
          <div className="table-wrap panel">
            <table className="data dead-table">
              <caption className="sr-only">Dead letters, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Consumer</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Last error</th>
                  <th scope="col">Dead since</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody ref={table}>
                {items.map((d) => (
                  <LetterRow key={d.id} letter={d} onGone={gone} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {list.isFetchNextPageError && <ErrorBox error={list.error} />}
      {list.hasNextPage && (
        <div className="center">
          <p className="muted small">Showing {items.length} dead letters</p>
          <button
            type="button"
            className="btn secondary"
            disabled={list.isFetchingNextPage}
            onClick={() => {
              focusNext.current = { index: items.length };
              void list.fetchNextPage();
            }}
          >
            {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  );
}

/** LetterRow is one dead letter and its Replay; a second row under it holds a failed replay's error. */
function LetterRow({ letter: d, onGone }: { letter: DeadLetter; onGone: (id: string) => void }) {
  const toast = useToast();
  const [whole, setWhole] = useState(false);
  const what = describe(d);
  const replay = useMutation({
    mutationFn: () => api.put<DeadLetter>('/api/v1/admin/event/dead/' + encodeURIComponent(d.id) + '/replay'),
    onSuccess: () => {
      toast(replayedMessage(d));
      onGone(d.id);
    },
    onError: (e) => {
      // Replayed meanwhile (another admin, another tab): say so and drop it.
      if (isApiError(e) && e.status === 404) {
        toast(goneMessage(d), 'bad');
        onGone(d.id);
      }
    },
  });
  const failed = replay.isError && !(isApiError(replay.error) && replay.error.status === 404);
  const long = truncated(d.last_error);
  return (
    <>
      <tr data-letter-id={d.id} data-testid="dead-letter" tabIndex={-1}>
        <td className="dead-event" data-label="Event">
          <code className="dead-topic">{d.topic}</code>
          <div className="muted small">
            {d.aggregate && (
              <>
                <span className="sr-only">Aggregate </span>
                <code>{d.aggregate}</code>{' '}
              </>
            )}
            <span>
              happened <time dateTime={d.event_time}>{formatDate(d.event_time)}</time>
            </span>
          </div>
          <details className="dead-payload">
            <summary>
              Payload<span className="sr-only"> of {what}</span>
            </summary>
            <pre tabIndex={0} aria-label={'Payload of ' + what}>
              {prettyPayload(d.payload)}
            </pre>
            <p className="muted small">
              Event <code>{d.event_id}</code> · letter <code>{d.id}</code>
            </p>
          </details>
        </td>
        <td className="dead-consumer" data-label="Consumer">
          {d.consumer}
        </td>
        <td className="num" data-label="Attempts">
          {d.attempts}
        </td>
        <td className="dead-error" data-label="Last error">
          {d.last_error ? (
            <>
              <span className="dead-error-text">{whole || !long ? d.last_error : excerpt(d.last_error)}</span>
              {long && (
                <>
                  {' '}
                  <button type="button" className="link small" aria-expanded={whole} onClick={() => setWhole(!whole)}>
                    {whole ? 'Show less' : 'Read all'}
                    <span className="sr-only"> of the error of {what}</span>
                  </button>
                </>
              )}
            </>
          ) : (
            <span className="muted">No error recorded</span>
          )}
        </td>
        <td className="dead-date" data-label="Dead since">
          <time dateTime={d.dead_at}>{formatDate(d.dead_at)}</time>
          <div className="muted small">{ago(d.dead_at)}</div>
        </td>
        <td className="dead-actions">
          <button type="button" className="btn primary small" disabled={replay.isPending} onClick={() => replay.mutate()}>
            {replay.isPending ? 'Replaying…' : 'Replay'}
            <span className="sr-only"> {what}</span>
          </button>
        </td>
      </tr>
      {failed && (
        <tr className="mod-panel-row">
          <td colSpan={6}>
            <ErrorBox error={replay.error} title="Could not replay it." />
          </td>
        </tr>
      )}
    </>
  );
}
