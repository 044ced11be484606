// Review moderation: every review, newest first, filtered by status (and
// product), with Hide (and a reason the author sees), Show again and Delete.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, useFeatures } from '../app/api';
import { isApiError } from '../api/client';
import type { ModeratedReview, ModerationInput, Page, Review } from '../api/types';
import { Empty, ErrorBox, Field, Loading, SelectField, fieldError, formatDate, message, useToast } from '../ui/kit';
import { Stars } from '../store/stars';
import { MAX_REASON, emptyTitle, excerpt, moderationNote, productLink, statusFilter, truncated, uniqueReviews } from './moderation';

/** PAGE is how many reviews "Load more" adds. */
const PAGE = 20;

const listKey = ['admin-reviews'];

function reviewPath(id: string) {
  return '/api/v1/review/' + encodeURIComponent(id);
}

export function Reviews() {
  const features = useFeatures();
  const enabled = features.has('GET /api/v1/review');
  const [params, setParams] = useSearchParams();
  const status = statusFilter(params.get('status'));
  const product = params.get('product') ?? '';
  const list = useInfiniteQuery({
    queryKey: [...listKey, { status, product }],
    enabled,
    initialPageParam: '',
    getNextPageParam: (p: Page<ModeratedReview>) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<ModeratedReview>>('/api/v1/review', { query: { status, product, cursor: pageParam || undefined, limit: PAGE }, signal }),
  });
  const items = useMemo(() => uniqueReviews(list.data?.pages), [list.data]);
  const heading = useRef<HTMLHeadingElement>(null);
  const table = useRef<HTMLTableSectionElement>(null);

  // After an action, focus goes to the review's next action, or to the
  // heading when the review has left the list; after "Load more", to the
  // first review it added (the button may be gone).
  const focusNext = useRef<{ id?: string; index?: number } | null>(null);
  useEffect(() => {
    const want = focusNext.current;
    if (!want || list.isFetching) return;
    focusNext.current = null;
    const rows = table.current?.querySelectorAll<HTMLElement>('tr[data-review-id]');
    if (want.index !== undefined) {
      rows?.[want.index]?.focus();
      return;
    }
    const row = [...(rows ?? [])].find((r) => r.dataset.reviewId === want.id);
    const next = row?.querySelector<HTMLElement>('.mod-actions button');
    (next ?? heading.current)?.focus();
  }, [items, list.isFetching]);

  const set = (k: string, v: string) => {
    const n = new URLSearchParams(params);
    if (v) n.set(k, v);
    else n.delete(k);
    setParams(n);
  };

  if (!features.loaded) return <Loading />;
  if (!enabled) {
    return (
      <section>
        <div className="title-row">
          <h1>Reviews</h1>
        </div>
        <p className="notice">Review moderation is not available on this server yet.</p>
      </section>
    );
  }

  const productTitle = product ? items.find((r) => r.product_id === product)?.product_title || product : '';
  return (
    <section aria-labelledby="mod-title">
      <div className="title-row">
        <h1 id="mod-title" tabIndex={-1} ref={heading}>
          Reviews
        </h1>
      </div>
      <div className="toolbar">
        <SelectField label="Status" value={status} onChange={(e) => set('status', e.target.value)}>
          <option value="">All</option>
          <option value="published">Published</option>
          <option value="hidden">Hidden</option>
        </SelectField>
        {product && (
          <p className="mod-filter">
            <span>
              Reviews of <strong>{productTitle}</strong>
            </span>
            <button type="button" className="btn ghost small" onClick={() => set('product', '')}>
              Show every product
            </button>
          </p>
        )}
      </div>
      {list.isPending ? (
        <Loading label="Loading reviews…" />
      ) : !list.data ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <Empty title={emptyTitle(status, product)} />
      ) : (
        <>
          {list.isRefetchError && <ErrorBox error={list.error} title="Could not refresh the list." />}
          <div className="table-wrap panel">
            <table className="data mod-table">
              <caption className="sr-only">Reviews, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Review</th>
                  <th scope="col">Product</th>
                  <th scope="col">Posted</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody ref={table}>
                {items.map((r) => (
                  <ReviewRow key={r.id} review={r} onDone={(id) => (focusNext.current = { id })} onProduct={(id) => set('product', id)} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {list.isFetchNextPageError && <ErrorBox error={list.error} />}
      {list.hasNextPage && (
        <div className="center">
          <p className="muted small">Showing {items.length} reviews</p>
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

/**
 * ReviewRow is one review with its actions; a second row under it holds
 * the hide form, the delete confirmation and errors.
 */
function ReviewRow({ review: r, onDone, onProduct }: { review: ModeratedReview; onDone: (id: string) => void; onProduct: (productId: string) => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [mode, setMode] = useState<'idle' | 'hide' | 'delete'>('idle');
  const [reason, setReason] = useState('');
  const [whole, setWhole] = useState(false);
  const hidden = r.status === 'hidden';
  const product = productLink(r);
  const who = 'the review by ' + r.author;

  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: listKey }),
      // The product page's list and summary, and search's ratings.
      qc.invalidateQueries({ queryKey: ['reviews', r.product_id] }),
      qc.invalidateQueries({ queryKey: ['browse'] }),
    ]);
  const moderate = (input: ModerationInput) => api.put<Review>(reviewPath(r.id) + '/moderate', input);
  // A review deleted meanwhile (in another tab, by its author): say so and drop it.
  const gone = (e: unknown) => {
    if (isApiError(e) && e.status === 404) {
      toast(`The review by ${r.author} no longer exists.`, 'bad');
      void refresh();
    }
  };

  const setStatus = useMutation({
    mutationFn: moderate,
    onError: gone,
    onSuccess: async (_, input) => {
      setMode('idle');
      setReason('');
      onDone(r.id);
      await refresh();
      if (input.status === 'published') {
        toast(`The review by ${r.author} is published again.`);
        return;
      }
      toast(
        <>
          The review by {r.author} is hidden.{' '}
          <button
            type="button"
            className="link toast-action"
            onClick={() => moderate({ status: 'published', reason: '' }).then(refresh, (e: unknown) => toast(message(e), 'bad'))}
          >
            Undo
          </button>
        </>,
      );
    },
  });
  const remove = useMutation({
    mutationFn: () => api.del(reviewPath(r.id)),
    onError: gone,
    onSuccess: async () => {
      onDone(r.id);
      await refresh();
      toast(`The review by ${r.author} is deleted.`);
    },
  });
  const error = setStatus.error ?? remove.error;
  const busy = setStatus.isPending || remove.isPending;
  const open = (m: typeof mode) => {
    setStatus.reset();
    remove.reset();
    setMode(m);
  };
  const long = truncated(r.body);

  return (
    <>
      <tr data-review-id={r.id} data-testid="moderation-row" tabIndex={-1} className={hidden ? 'mod-hidden' : undefined}>
        <td className="mod-review">
          <div className="review-head">
            <Stars value={r.rating} size="sm" />
            {r.title ? <span className="review-title">{r.title}</span> : <span className="muted small">No title</span>}
          </div>
          {r.body && (
            <p className="review-body mod-body">
              {whole || !long ? r.body : excerpt(r.body)}
              {long && (
                <>
                  {' '}
                  <button type="button" className="link small" aria-expanded={whole} onClick={() => setWhole(!whole)}>
                    {whole ? 'Show less' : 'Read all'}
                    <span className="sr-only"> of {who}</span>
                  </button>
                </>
              )}
            </p>
          )}
          <p className="review-meta">
            <span className="review-author">{r.author}</span>
            {r.verified_purchase && <span className="badge badge-good">Verified purchase</span>}
          </p>
        </td>
        <td className="mod-product">
          {product.href ? <Link to={product.href}>{product.label}</Link> : <span className="muted">{product.label}</span>}
          <div>
            <button type="button" className="link small" onClick={() => onProduct(r.product_id)}>
              Only this product<span className="sr-only">’s reviews: {product.label}</span>
            </button>
          </div>
        </td>
        <td className="mod-date">
          <time dateTime={r.created_at}>{formatDate(r.created_at, false)}</time>
        </td>
        <td className="mod-status">
          {hidden ? <span className="badge badge-warn">Hidden</span> : <span className="badge badge-good">Published</span>}
          {hidden && <p className="mod-note">{moderationNote(r.moderation_note)}</p>}
        </td>
        <td className="mod-actions">
          <div className="row">
            {hidden ? (
              <button type="button" className="btn secondary small" disabled={busy} onClick={() => setStatus.mutate({ status: 'published', reason: '' })}>
                {setStatus.isPending ? 'Showing…' : 'Show again'}
                <span className="sr-only"> {who}</span>
              </button>
            ) : (
              <button type="button" className="btn ghost small" disabled={busy} aria-expanded={mode === 'hide'} onClick={() => open(mode === 'hide' ? 'idle' : 'hide')}>
                Hide<span className="sr-only"> {who}</span>
              </button>
            )}
            <button type="button" className="btn ghost danger small" disabled={busy} aria-expanded={mode === 'delete'} onClick={() => open(mode === 'delete' ? 'idle' : 'delete')}>
              Delete<span className="sr-only"> {who}</span>
            </button>
          </div>
        </td>
      </tr>
      {(mode !== 'idle' || !!error) && (
        <tr className="mod-panel-row">
          <td colSpan={5}>
            {mode === 'hide' ? (
              <form
                className="mod-panel"
                aria-label={'Hide ' + who}
                onSubmit={(e) => {
                  e.preventDefault();
                  setStatus.mutate({ status: 'hidden', reason: reason.trim() });
                }}
              >
                <ErrorBox error={setStatus.error} fields={['reason']} />
                <Field
                  label="Reason (optional; the author sees it)"
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  maxLength={MAX_REASON}
                  error={fieldError(setStatus.error, 'reason')}
                  autoFocus
                />
                <div className="row">
                  <button type="submit" className="btn danger small" disabled={busy}>
                    {setStatus.isPending ? 'Hiding…' : 'Hide review'}
                  </button>
                  <button type="button" className="btn ghost small" onClick={() => open('idle')}>
                    Cancel
                  </button>
                </div>
              </form>
            ) : mode === 'delete' ? (
              <div className="mod-panel">
                <ErrorBox error={remove.error} />
                <div className="row confirm" role="group" aria-labelledby={'del-' + r.id}>
                  <span id={'del-' + r.id}>Delete {who}? This cannot be undone.</span>
                  <button type="button" className="btn danger small" disabled={busy} onClick={() => remove.mutate()}>
                    {remove.isPending ? 'Deleting…' : 'Delete review'}
                  </button>
                  <button type="button" className="btn ghost small" autoFocus onClick={() => open('idle')}>
                    Keep it
                  </button>
                </div>
              </div>
            ) : (
              <div className="mod-panel">
                <ErrorBox error={error} />
              </div>
            )}
          </td>
        </tr>
      )}
    </>
  );
}
