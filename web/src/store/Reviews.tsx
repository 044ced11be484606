// Ratings and reviews on the product page: the summary (average, count,
// histogram), the published reviews page by page, and the signed-in
// customer's own review to write, edit or delete.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, useSession } from '../app/api';
import { isApiError, newIdempotencyKey } from '../api/client';
import type { Product, Review, ReviewInput, ReviewSummary } from '../api/types';
import { ErrorBox, Field, Loading, TextArea, fieldError, formatDate, useToast } from '../ui/kit';
import {
  MAX_BODY,
  MAX_TITLE,
  checkReview,
  cleanReview,
  formatAverage,
  histogramRows,
  ratingWords,
  ratingsCount,
  reviewCount,
  reviewProblem,
} from './rating';
import { StarIcon, Stars, listKey, mineKey, reviewsPath, type Reviews } from './stars';

/** useMyReview is the signed-in customer's review of the product (any status), null when they have none. */
function useMyReview(productId: string, enabled: boolean) {
  return useQuery({
    queryKey: mineKey(productId),
    enabled,
    queryFn: () =>
      api.get<Review>(reviewsPath(productId) + '/mine').catch((e: unknown) => {
        if (isApiError(e) && e.status === 404) return null;
        throw e;
      }),
  });
}

// ---- the section -------------------------------------------------------------

/** ProductReviews is the product page's "Ratings & reviews" section. */
export function ProductReviews({ product, reviews }: { product: Product; reviews: Reviews }) {
  const { user } = useSession();
  const mine = useMyReview(product.id, user?.role === 'customer');
  if (reviews.isError && !reviews.data && isApiError(reviews.error) && reviews.error.status === 404) return null;
  const summary = reviews.data?.pages[0]?.summary;
  const seen = new Set<string>();
  const items = (reviews.data?.pages.flatMap((p) => p.items) ?? []).filter((r) => !seen.has(r.id) && !!seen.add(r.id));

  return (
    <section className="reviews" id="reviews" aria-labelledby="reviews-title">
      <h2 id="reviews-title" tabIndex={-1}>
        Ratings &amp; reviews
      </h2>
      {reviews.isPending ? (
        <Loading label="Loading reviews…" />
      ) : !reviews.data ? (
        <ErrorBox error={reviews.error} />
      ) : (
        <div className="reviews-layout">
          <div className="reviews-side">
            {summary && summary.count > 0 ? (
              <RatingSummary summary={summary} />
            ) : (
              <div className="reviews-empty" data-testid="reviews-empty">
                <p className="strong">No reviews yet</p>
                <p className="muted">Customers who received this product can rate and review it.</p>
              </div>
            )}
          </div>
          <div className="reviews-main">
            <YourReview product={product} mine={mine} />
            {items.length > 0 && (
              <ReviewList reviews={reviews} items={items} total={summary?.reviews ?? summary?.count ?? items.length} mineId={mine.data?.id} moderate={user?.role === 'admin' || user?.role === 'support'} />
            )}
            {items.length === 0 && summary && summary.count > 0 && <p className="muted">No written reviews yet.</p>}
          </div>
        </div>
      )}
    </section>
  );
}

function RatingSummary({ summary }: { summary: ReviewSummary }) {
  const rows = histogramRows(summary.histogram);
  return (
    <div className="rating-summary" data-testid="rating-summary">
      <div className="rating-head">
        <span className="rating-number" aria-hidden="true">
          {formatAverage(summary.average)}
        </span>
        <div>
          <Stars value={summary.average} size="lg" label={`Rated ${formatAverage(summary.average)} out of 5`} />
          <p className="muted">Based on {ratingsCount(summary)}</p>
        </div>
      </div>
      <ul className="histogram" aria-label="Ratings by stars">
        {rows.map((r) => (
          <li key={r.stars}>
            <span className="histogram-stars">{r.stars === 1 ? '1 star' : `${r.stars} stars`}</span>{' '}
            <span className="histogram-bar" aria-hidden="true">
              <span style={{ width: r.percent + '%' }} />
            </span>{' '}
            <span className="histogram-count">
              {r.count}
              <span className="sr-only">
                {' '}
                {r.count === 1 ? 'review' : 'reviews'} ({r.percent}%)
              </span>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ReviewList({ reviews, items, total, mineId, moderate }: { reviews: Reviews; items: Review[]; total: number; mineId?: string; moderate: boolean }) {
  const list = useRef<HTMLOListElement>(null);
  // After "Show more", focus moves to the first review it added (the
  // button may be gone).
  const firstNew = useRef<number | null>(null);
  useEffect(() => {
    const i = firstNew.current;
    if (i !== null && items.length > i) {
      firstNew.current = null;
      list.current?.querySelectorAll<HTMLElement>('article.review')[i]?.focus();
    }
  }, [items.length]);
  return (
    <>
      <ol className="review-list" aria-label="Customer reviews" ref={list}>
        {items.map((r) => (
          <li key={r.id}>
            <ReviewItem review={r} mine={r.id === mineId} moderate={moderate} />
          </li>
        ))}
      </ol>
      {reviews.isFetchNextPageError && <ErrorBox error={reviews.error} />}
      {reviews.hasNextPage && (
        <div className="reviews-more">
          <p className="muted small">
            Showing {items.length} of {reviewCount(Math.max(total, items.length))}
          </p>
          <button
            type="button"
            className="btn secondary"
            disabled={reviews.isFetchingNextPage}
            onClick={() => {
              firstNew.current = items.length;
              void reviews.fetchNextPage();
            }}
          >
            {reviews.isFetchingNextPage ? 'Loading…' : 'Show more reviews'}
          </button>
        </div>
      )}
    </>
  );
}

function ReviewItem({ review: r, mine, moderate }: { review: Review; mine?: boolean; moderate?: boolean }) {
  const edited = Date.parse(r.updated_at) - Date.parse(r.created_at) > 60_000;
  return (
    <article className="review" tabIndex={-1} data-testid="review">
      <div className="review-head">
        <Stars value={r.rating} size="sm" />
        {r.title && <h3 className="review-title">{r.title}</h3>}
      </div>
      <p className="review-meta">
        <span className="review-author">{r.author}</span>
        <span aria-hidden="true"> · </span>
        <time dateTime={r.created_at}>{formatDate(r.created_at, false)}</time>
        {edited && <span className="muted"> (edited)</span>}
        {r.verified_purchase && <span className="badge badge-good">Verified purchase</span>}
        {mine && <span className="badge badge-info">Your review</span>}
      </p>
      {r.body && <p className="review-body">{r.body}</p>}
      {moderate && <Moderate review={r} />}
    </article>
  );
}

/**
 * Moderate lets admins and support hide a published review, with a reason
 * its author sees; the toast offers to show it again.
 */
function Moderate({ review: r }: { review: Review }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const set = (status: Review['status'], why: string) => api.put<Review>('/api/v1/review/' + encodeURIComponent(r.id) + '/moderate', { status, reason: why });
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: listKey(r.product_id) }), qc.invalidateQueries({ queryKey: ['browse'] })]);
  const hide = useMutation({
    mutationFn: () => set('hidden', reason.trim()),
    onSuccess: async () => {
      await refresh();
      // The review has left the list: keep focus in the section.
      document.getElementById('reviews-title')?.focus();
      toast(
        <>
          Review by {r.author} hidden.{' '}
          <button
            type="button"
            className="link toast-action"
            onClick={() =>
              set('published', '').then(refresh, (e: unknown) => toast(isApiError(e) ? e.detail : 'Could not show the review again', 'bad'))
            }
          >
            Undo
          </button>
        </>,
      );
    },
  });
  if (!open) {
    return (
      <p className="review-moderate">
        <button type="button" className="btn ghost small" onClick={() => setOpen(true)}>
          Hide<span className="sr-only"> the review by {r.author}</span>
        </button>
      </p>
    );
  }
  return (
    <form
      className="review-moderate"
      aria-label={'Hide the review by ' + r.author}
      onSubmit={(e) => {
        e.preventDefault();
        hide.mutate();
      }}
    >
      <ErrorBox error={hide.error} fields={['reason']} />
      <Field label="Reason (the author sees it)" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} error={fieldError(hide.error, 'reason')} autoFocus />
      <div className="row">
        <button type="submit" className="btn danger small" disabled={hide.isPending}>
          {hide.isPending ? 'Hiding…' : 'Hide review'}
        </button>
        <button
          type="button"
          className="btn ghost small"
          onClick={() => {
            hide.reset();
            setOpen(false);
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}

// ---- the customer's own review -------------------------------------------------

type Mine = ReturnType<typeof useMyReview>;

/** YourReview is what the visitor may do: sign in to review, write a review, or see, edit and delete theirs. */
function YourReview({ product, mine }: { product: Product; mine: Mine }) {
  const { user, restoring } = useSession();
  const loc = useLocation();
  if (restoring) return null;
  if (!user) {
    return (
      <p className="review-cta">
        <Link to={'/signin?next=' + encodeURIComponent(loc.pathname)}>Sign in</Link> to write a review.
      </p>
    );
  }
  if (user.role !== 'customer') return null;
  if (mine.isPending) return <Loading label="Loading your review…" />;
  if (mine.isError) return <ErrorBox error={mine.error} />;
  return <CustomerReview productId={product.id} mine={mine.data} />;
}

function CustomerReview({ productId, mine }: { productId: string; mine: Review | null }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [mode, setMode] = useState<'view' | 'form'>('view');
  const key = useRef(newIdempotencyKey());
  // Focus follows the user's action: to the form, then to its outcome.
  const moveFocus = useRef(false);
  const focusIfAsked = (el: HTMLElement | null) => {
    if (el && moveFocus.current) {
      moveFocus.current = false;
      el.focus();
    }
  };
  const go = (m: 'view' | 'form') => {
    moveFocus.current = true;
    setMode(m);
  };

  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: listKey(productId) }),
      // Search hits carry the rating too.
      qc.invalidateQueries({ queryKey: ['browse'] }),
    ]);

  const create = useMutation({
    mutationFn: (input: ReviewInput) => api.post<Review>(reviewsPath(productId), input, { idempotencyKey: key.current }),
    onSuccess: (r) => {
      key.current = newIdempotencyKey();
      qc.setQueryData(mineKey(productId), r);
      go('view');
      toast('Thank you! Your review is posted.');
      return refresh();
    },
    onError: async (e) => {
      key.current = newIdempotencyKey();
      if (isApiError(e, 'already_reviewed')) {
        // Show the review they have (written in another tab, say) instead of the form.
        await Promise.all([qc.invalidateQueries({ queryKey: mineKey(productId) }), refresh()]);
        go('view');
      }
    },
  });
  const update = useMutation({
    mutationFn: (input: ReviewInput) => api.put<Review>('/api/v1/review/' + encodeURIComponent(mine!.id), input),
    onSuccess: (r) => {
      qc.setQueryData(mineKey(productId), r);
      go('view');
      toast('Your review is updated.');
      return refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => api.del('/api/v1/review/' + encodeURIComponent(mine!.id)),
    onSuccess: () => {
      qc.setQueryData(mineKey(productId), null);
      update.reset();
      create.reset();
      go('view');
      toast('Your review is deleted.');
      return refresh();
    },
  });

  if (mode === 'form') {
    const editing = !!mine;
    const m = editing ? update : create;
    return (
      <ReviewForm
        heading={editing ? 'Edit your review' : 'Write a review'}
        submitLabel={editing ? 'Save changes' : 'Post review'}
        initial={mine ?? undefined}
        pending={m.isPending}
        error={m.error}
        headingRef={focusIfAsked}
        onSubmit={(input) => m.mutate(input)}
        onCancel={() => {
          m.reset();
          go('view');
        }}
      />
    );
  }
  if (mine) {
    return (
      <MyReview
        review={mine}
        headingRef={focusIfAsked}
        already={isApiError(create.error, 'already_reviewed')}
        deleting={remove.isPending}
        deleteError={remove.error}
        onEdit={() => {
          update.reset();
          go('form');
        }}
        onDelete={() => remove.mutate()}
      />
    );
  }
  return (
    <div className="review-cta">
      <button
        type="button"
        className="btn primary"
        ref={focusIfAsked}
        onClick={() => {
          create.reset();
          go('form');
        }}
      >
        Write a review
      </button>
    </div>
  );
}

function MyReview({
  review: r,
  headingRef,
  already,
  deleting,
  deleteError,
  onEdit,
  onDelete,
}: {
  review: Review;
  headingRef: (el: HTMLElement | null) => void;
  already: boolean;
  deleting: boolean;
  deleteError: unknown;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const hidden = r.status === 'hidden';
  return (
    <section className="panel my-review" aria-labelledby="my-review-title" data-testid="my-review">
      <div className="row spread">
        <h3 id="my-review-title" tabIndex={-1} ref={headingRef}>
          Your review
        </h3>
        {hidden ? <span className="badge badge-warn">Hidden by moderation</span> : <span className="badge badge-good">Published</span>}
      </div>
      {already && <p className="notice">You had already reviewed this product. Here is your review: edit it to change it.</p>}
      {hidden && (
        <p className="notice">
          Our moderators hid this review, so only you can see it{r.moderation_note ? ': ' + r.moderation_note : '.'}
        </p>
      )}
      <div className="review-head">
        <Stars value={r.rating} size="sm" />
        {r.title && <p className="review-title">{r.title}</p>}
      </div>
      {r.body && <p className="review-body">{r.body}</p>}
      <p className="muted small">
        Posted <time dateTime={r.created_at}>{formatDate(r.created_at, false)}</time>
        {r.updated_at !== r.created_at && (
          <>
            , last edited <time dateTime={r.updated_at}>{formatDate(r.updated_at, false)}</time>
          </>
        )}
      </p>
      {confirming ? (
        <div className="row confirm" role="group" aria-labelledby="delete-review-q">
          <span id="delete-review-q">Delete your review? This cannot be undone.</span>
          <button type="button" className="btn danger small" disabled={deleting} onClick={onDelete}>
            {deleting ? 'Deleting…' : 'Delete review'}
          </button>
          <button type="button" className="btn ghost small" autoFocus onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <div className="row">
          <button type="button" className="btn secondary small" onClick={onEdit}>
            Edit
          </button>
          <button type="button" className="btn ghost danger small" onClick={() => setConfirming(true)}>
            Delete
          </button>
        </div>
      )}
      <ErrorBox error={deleteError} />
    </section>
  );
}

function ReviewForm({
  heading,
  submitLabel,
  initial,
  pending,
  error,
  headingRef,
  onSubmit,
  onCancel,
}: {
  heading: string;
  submitLabel: string;
  initial?: ReviewInput;
  pending: boolean;
  error: unknown;
  headingRef: (el: HTMLElement | null) => void;
  onSubmit: (input: ReviewInput) => void;
  onCancel: () => void;
}) {
  const [rating, setRating] = useState(initial?.rating ?? 0);
  const [title, setTitle] = useState(initial?.title ?? '');
  const [body, setBody] = useState(initial?.body ?? '');
  const [local, setLocal] = useState<Record<string, string>>({});
  const form = useRef<HTMLFormElement>(null);
  const headingId = useId();
  const problem = reviewProblem(error);
  const err = (f: string) => local[f] ?? fieldError(error, f);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = cleanReview({ rating, title, body });
    const errs = checkReview(input);
    setLocal(errs);
    if (Object.keys(errs).length > 0) {
      // Focus the first field to fix.
      form.current?.querySelector<HTMLElement>(errs.rating ? 'input[type=radio]' : errs.title ? 'input:not([type=radio])' : 'textarea')?.focus();
      return;
    }
    onSubmit(input);
  };

  return (
    <form className="panel review-form" aria-labelledby={headingId} onSubmit={submit} noValidate ref={form}>
      <h3 id={headingId} tabIndex={-1} ref={headingRef}>
        {heading}
      </h3>
      {problem ? (
        <div className="error-box" role="alert">
          {problem}
        </div>
      ) : (
        <ErrorBox error={error} fields={['rating', 'title', 'body']} />
      )}
      <StarInput
        value={rating}
        error={err('rating')}
        onChange={(n) => {
          setRating(n);
          setLocal(({ rating: _, ...rest }) => rest);
        }}
      />
      <Field label="Title (optional)" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={MAX_TITLE} error={err('title')} hint="A few words: what stood out?" />
      <TextArea
        label="Your review (optional)"
        value={body}
        onChange={(e) => setBody(e.target.value)}
        maxLength={MAX_BODY}
        rows={5}
        error={err('body')}
        hint={`What did you like or dislike? How did it fit, how did it hold up? Up to ${MAX_BODY.toLocaleString('en-US')} characters.`}
      />
      <div className="row">
        <button type="submit" className="btn primary" disabled={pending}>
          {pending ? 'Posting…' : submitLabel}
        </button>
        <button type="button" className="btn ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** StarInput chooses 1 to 5 stars: radio buttons (arrow keys move), drawn as stars. */
function StarInput({ value, error, onChange }: { value: number; error?: string; onChange: (n: number) => void }) {
  const name = useId();
  const [hover, setHover] = useState(0);
  const shown = hover || value;
  return (
    <fieldset className="field star-input" aria-describedby={error ? name + '-err' : undefined}>
      <legend>Your rating</legend>
      <div className="star-choices" onMouseLeave={() => setHover(0)}>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} className={'star-choice' + (n <= shown ? ' on' : '')} onMouseEnter={() => setHover(n)}>
            <input type="radio" name={name} value={n} checked={value === n} onChange={() => onChange(n)} aria-invalid={error ? true : undefined} />
            <StarIcon />
            <span className="sr-only">
              {n === 1 ? '1 star' : `${n} stars`}, {ratingWords[n]}
            </span>
          </label>
        ))}
        <span className="star-words" aria-hidden="true">
          {shown ? ratingWords[shown] : 'Choose 1 to 5 stars'}
        </span>
      </div>
      {error && (
        <p className="field-error" id={name + '-err'}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
