import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { checkReview, cleanReview, compactRating, formatAverage, histogramRows, ratingLabel, ratingsCount, reviewCount, reviewProblem, starPercent, starsLabel } from './rating';

describe('formatAverage', () => {
  it('shows one decimal, rounding half up', () => {
    expect(formatAverage(4.25)).toBe('4.3');
    expect(formatAverage(4.35)).toBe('4.4');
    expect(formatAverage(4.349)).toBe('4.3');
    expect(formatAverage(5)).toBe('5.0');
    expect(formatAverage(3.96)).toBe('4.0');
  });
  it('keeps within 0 to 5', () => {
    expect(formatAverage(0)).toBe('0.0');
    expect(formatAverage(-1)).toBe('0.0');
    expect(formatAverage(7)).toBe('5.0');
    expect(formatAverage(NaN)).toBe('0.0');
  });
});

describe('starPercent', () => {
  it('fills a fifth of the row per star', () => {
    expect(starPercent(0)).toBe(0);
    expect(starPercent(2.5)).toBe(50);
    expect(starPercent(4.33)).toBe(86.6);
    expect(starPercent(5)).toBe(100);
    expect(starPercent(9)).toBe(100);
  });
});

describe('reviewCount and labels', () => {
  it('counts reviews in words', () => {
    expect(reviewCount(0)).toBe('No reviews');
    expect(reviewCount(1)).toBe('1 review');
    expect(reviewCount(12)).toBe('12 reviews');
    expect(reviewCount(1200)).toBe('1,200 reviews');
  });
  it('reads ratings out for screen readers', () => {
    expect(ratingLabel(4.25, 12)).toBe('Rated 4.3 out of 5 from 12 reviews');
    expect(ratingLabel(5, 1)).toBe('Rated 5.0 out of 5 from 1 review');
    expect(ratingLabel(0, 0)).toBe('Not rated yet');
    expect(starsLabel(4)).toBe('4 out of 5 stars');
    expect(starsLabel(4.5)).toBe('Rated 4.5 out of 5');
  });
});

describe('compactRating', () => {
  it('shows the average and the count', () => {
    expect(compactRating(4.333, 12)).toBe('4.3 (12)');
    expect(compactRating(5, 1)).toBe('5.0 (1)');
  });
  it('is nothing without ratings', () => {
    expect(compactRating(0, 0)).toBeUndefined();
    expect(compactRating(undefined, undefined)).toBeUndefined();
    expect(compactRating(4, undefined)).toBeUndefined();
  });
});

describe('histogramRows', () => {
  it('lists 5 to 1 stars with their counts and shares', () => {
    expect(histogramRows({ '1': 1, '2': 0, '3': 1, '4': 3, '5': 5 })).toEqual([
      { stars: 5, count: 5, percent: 50 },
      { stars: 4, count: 3, percent: 30 },
      { stars: 3, count: 1, percent: 10 },
      { stars: 2, count: 0, percent: 0 },
      { stars: 1, count: 1, percent: 10 },
    ]);
  });
  it('rounds shares to whole percent', () => {
    expect(histogramRows({ '1': 0, '2': 0, '3': 1, '4': 1, '5': 1 }).map((r) => r.percent)).toEqual([33, 33, 33, 0, 0]);
  });
  it('reads an empty, partial or missing histogram as zeros', () => {
    const zero = [5, 4, 3, 2, 1].map((stars) => ({ stars, count: 0, percent: 0 }));
    expect(histogramRows({ '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 })).toEqual(zero);
    expect(histogramRows(undefined)).toEqual(zero);
    expect(histogramRows({ '5': 2 })).toEqual([{ stars: 5, count: 2, percent: 100 }, ...zero.slice(1)]);
    expect(histogramRows({ '5': -3, '4': NaN } as never)).toEqual(zero);
  });
});

describe('checkReview', () => {
  it('needs a whole rating from 1 to 5', () => {
    for (const rating of [0, 6, 2.5, NaN]) expect(checkReview({ rating, title: '', body: '' })).toEqual({ rating: 'Choose a rating from 1 to 5 stars.' });
    expect(checkReview({ rating: 1, title: '', body: '' })).toEqual({});
    expect(checkReview({ rating: 5, title: 'Great', body: 'Fits well.' })).toEqual({});
  });
  it('counts characters, not UTF-16 units, after trimming', () => {
    expect(checkReview({ rating: 3, title: '👍'.repeat(120), body: '' })).toEqual({});
    expect(checkReview({ rating: 3, title: ' ' + 'a'.repeat(120) + ' ', body: '' })).toEqual({});
    expect(checkReview({ rating: 3, title: 'a'.repeat(121), body: 'b'.repeat(5001) })).toEqual({
      title: 'Keep the title to 120 characters.',
      body: 'Keep the review to 5000 characters.',
    });
  });
  it('trims what it sends', () => {
    expect(cleanReview({ rating: 4, title: '  Nice  ', body: '\nGood.\n' })).toEqual({ rating: 4, title: 'Nice', body: 'Good.' });
  });
});

describe('reviewProblem', () => {
  const problem = (status: number, code: string) => new ApiError({ status, code, detail: 'from the server' });
  it('explains the refusals a customer can meet', () => {
    expect(reviewProblem(problem(403, 'not_purchased'))).toMatch(/^Only customers who received this product can review it\./);
    expect(reviewProblem(problem(409, 'already_reviewed'))).toMatch(/already reviewed/);
    expect(reviewProblem(problem(401, 'unauthenticated'))).toMatch(/Sign in again/);
  });
  it('leaves other errors to the generic message', () => {
    expect(reviewProblem(problem(400, 'validation_failed'))).toBeUndefined();
    expect(reviewProblem(problem(500, 'server_error'))).toBeUndefined();
    expect(reviewProblem(new Error('boom'))).toBeUndefined();
  });
});

describe('ratingsCount', () => {
  it('counts reviews when every rating is a written review', () => {
    expect(ratingsCount({ count: 7, reviews: 7 })).toBe('7 reviews');
    expect(ratingsCount({ count: 1 })).toBe('1 review');
  });
  it('counts ratings when some came without text', () => {
    expect(ratingsCount({ count: 12, reviews: 0 })).toBe('12 ratings');
    expect(ratingsCount({ count: 1234, reviews: 3 })).toBe('1,234 ratings');
    expect(ratingsCount({ count: 1, reviews: 0 })).toBe('1 rating');
  });
});
