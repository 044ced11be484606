// Helpers of product ratings and reviews: how an average, a count and a
// histogram read, and what a review form may send.
import { isApiError } from '../api/client';
import type { Histogram, ReviewInput } from '../api/types';

/** Limits of a review's text, as the API checks them (in characters). */
export const MAX_TITLE = 120;
export const MAX_BODY = 5000;

/** The words for each star rating, shown next to the rating control. */
export const ratingWords = ['', 'Poor', 'Fair', 'Good', 'Very good', 'Excellent'] as const;

function clampRating(n: number): number {
  return Number.isFinite(n) ? Math.min(5, Math.max(0, n)) : 0;
}

/** formatAverage shows an average rating with one decimal: 4.25 -> "4.3", 5 -> "5.0". */
export function formatAverage(average: number): string {
  return (Math.round((clampRating(average) + Number.EPSILON) * 10) / 10).toFixed(1);
}

/** starPercent is how much of a row of five stars an average fills, 0 to 100. */
export function starPercent(average: number): number {
  return Math.round(clampRating(average) * 20 * 10) / 10;
}

/** reviewCount is "No reviews", "1 review" or "12 reviews". */
export function reviewCount(n: number): string {
  if (!(n > 0)) return 'No reviews';
  return n === 1 ? '1 review' : `${n.toLocaleString('en-US')} reviews`;
}

/**
 * ratingsCount is how many ratings a summary rests on: "12 reviews", or
 * "12 ratings" when some came without text (the list then holds fewer).
 */
export function ratingsCount(s: { count: number; reviews?: number }): string {
  if (s.reviews === undefined || s.reviews >= s.count || !(s.count > 0)) return reviewCount(s.count);
  return s.count === 1 ? '1 rating' : `${s.count.toLocaleString('en-US')} ratings`;
}

/** starsLabel reads a rating out: "4 out of 5 stars", "Rated 4.3 out of 5". */
export function starsLabel(rating: number, whole = Number.isInteger(rating)): string {
  return whole ? `${clampRating(rating)} out of 5 stars` : `Rated ${formatAverage(rating)} out of 5`;
}

/** ratingLabel reads a product's rating out: "Rated 4.3 out of 5 from 12 reviews". */
export function ratingLabel(average: number, count: number): string {
  if (!(count > 0)) return 'Not rated yet';
  return `Rated ${formatAverage(average)} out of 5 from ${reviewCount(count)}`;
}

/** compactRating is a product tile's rating, "4.3 (12)"; undefined without ratings. */
export function compactRating(average: number | undefined, count: number | undefined): string | undefined {
  if (average === undefined || !count || !(count > 0)) return undefined;
  return `${formatAverage(average)} (${count.toLocaleString('en-US')})`;
}

/** A histogram row: how many reviews gave stars, and their share of all, 0 to 100. */
export interface HistogramRow {
  stars: number;
  count: number;
  percent: number;
}

/**
 * histogramRows lists the star counts from 5 down to 1, each with its
 * share of the histogram's total (whole percent; 0 for an empty one).
 * Missing or bad counts are 0.
 */
export function histogramRows(h: Partial<Histogram> | undefined): HistogramRow[] {
  const counts = [5, 4, 3, 2, 1].map((stars) => {
    const n = Number(h?.[String(stars) as keyof Histogram] ?? 0);
    return { stars, count: Number.isFinite(n) && n > 0 ? Math.floor(n) : 0 };
  });
  const total = counts.reduce((t, r) => t + r.count, 0);
  return counts.map((r) => ({ ...r, percent: total ? Math.round((r.count / total) * 100) : 0 }));
}

/** chars counts characters as the API does (code points, not UTF-16 units). */
function chars(s: string): number {
  return [...s].length;
}

/** cleanReview trims a review form's text as the API will. */
export function cleanReview(input: ReviewInput): ReviewInput {
  return { rating: input.rating, title: input.title.trim(), body: input.body.trim() };
}

/**
 * checkReview finds what the API would refuse in a review, field by field,
 * so the form can say so before sending it. Empty means it may be sent.
 */
export function checkReview(input: ReviewInput): Record<string, string> {
  const errs: Record<string, string> = {};
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) errs.rating = 'Choose a rating from 1 to 5 stars.';
  if (chars(input.title.trim()) > MAX_TITLE) errs.title = `Keep the title to ${MAX_TITLE} characters.`;
  if (chars(input.body.trim()) > MAX_BODY) errs.body = `Keep the review to ${MAX_BODY} characters.`;
  return errs;
}

/**
 * reviewProblem is what to tell a customer whose review the API refused
 * for a reason of its own (not a field); undefined for other errors.
 */
export function reviewProblem(e: unknown): string | undefined {
  if (isApiError(e, 'not_purchased')) {
    return 'Only customers who received this product can review it. Once an order with it has been delivered to you, you can share what you think.';
  }
  if (isApiError(e, 'already_reviewed')) return 'You have already reviewed this product: edit your review instead.';
  if (isApiError(e) && e.status === 401) return 'Your session has ended. Sign in again to post your review.';
  return undefined;
}
