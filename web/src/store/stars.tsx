// Ratings everywhere a product shows (tiles, the buy box) and the review
// list's query: small and loaded with the storefront. The reviews section
// itself (Reviews.tsx) loads when a product page shows it.
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../app/api';
import type { ReviewPage, ReviewSummary } from '../api/types';
import { compactRating, formatAverage, ratingLabel, ratingsCount, starPercent, starsLabel } from './rating';

/** PAGE is how many reviews "Show more reviews" adds. */
const PAGE = 5;

export const listKey = (productId: string) => ['reviews', productId];
export const mineKey = (productId: string) => ['review-mine', productId];

export function reviewsPath(productId: string) {
  return '/api/v1/product/' + encodeURIComponent(productId) + '/review';
}

/** useReviews is a product's published reviews, newest first and page by page, with its summary. */
export function useReviews(productId: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: listKey(productId),
    enabled,
    initialPageParam: '',
    getNextPageParam: (last: ReviewPage) => last.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) => api.get<ReviewPage>(reviewsPath(productId), { query: { cursor: pageParam || undefined, limit: PAGE }, signal }),
  });
}

/** Reviews is useReviews' query. */
export type Reviews = ReturnType<typeof useReviews>;

// ---- stars -------------------------------------------------------------------

const STAR = 'M12 1.8l3.1 6.4 7 .9-5.1 4.9 1.3 6.9L12 17.6l-6.3 3.3 1.3-6.9L1.9 9.1l7-.9z';

export function StarIcon() {
  return (
    <svg className="star" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={STAR} />
    </svg>
  );
}

function StarRow() {
  return (
    <>
      {[0, 1, 2, 3, 4].map((i) => (
        <StarIcon key={i} />
      ))}
    </>
  );
}

/**
 * Stars shows a rating as five stars filled to it (fractions too). It reads
 * as label ("4 out of 5 stars" by default); an empty label makes it
 * decorative, for when the rating is in words next to it.
 */
export function Stars({ value, label, size = 'md' }: { value: number; label?: string; size?: 'sm' | 'md' | 'lg' }) {
  const a11y = label === '' ? { 'aria-hidden': true as const } : { role: 'img', 'aria-label': label ?? starsLabel(value) };
  return (
    <span className={'stars stars-' + size} {...a11y}>
      <span className="stars-empty" aria-hidden="true">
        <StarRow />
      </span>
      <span className="stars-full" aria-hidden="true" style={{ width: starPercent(value) + '%' }}>
        <StarRow />
      </span>
    </span>
  );
}

/** CompactRating is a product tile's rating, "★ 4.3 (12)"; nothing without ratings. */
export function CompactRating({ average, count }: { average?: number; count?: number }) {
  const text = compactRating(average, count);
  if (!text) return null;
  return (
    <span className="card-rating">
      <StarIcon />
      <span aria-hidden="true">{text}</span>
      <span className="sr-only">{ratingLabel(average!, count!)}</span>
    </span>
  );
}

/** RatingLink is the rating under a product's title, leading to its reviews. */
export function RatingLink({ summary }: { summary?: ReviewSummary }) {
  if (!summary || !(summary.count > 0)) return null;
  return (
    <p className="rating-link">
      <a href="#reviews">
        <Stars value={summary.average} size="sm" label="" />
        <span aria-hidden="true">
          <strong>{formatAverage(summary.average)}</strong> ({ratingsCount(summary)})
        </span>
        <span className="sr-only">{ratingLabel(summary.average, summary.count)}: read the reviews</span>
      </a>
    </p>
  );
}

