import { describe, expect, it } from 'vitest';
import { emptyTitle, excerpt, moderationNote, productLink, statusFilter, truncated, uniqueReviews } from './moderation';

describe('statusFilter', () => {
  it('takes the statuses the API knows and nothing else', () => {
    const cases: [string | null | undefined, string][] = [
      ['published', 'published'],
      ['hidden', 'hidden'],
      ['', ''],
      [null, ''],
      [undefined, ''],
      ['Hidden', ''],
      ['deleted', ''],
    ];
    for (const [in_, want] of cases) expect(statusFilter(in_), `statusFilter(${in_})`).toBe(want);
  });
});

describe('excerpt', () => {
  it('keeps short text whole, with its white space tidied', () => {
    expect(excerpt('Great shirt.')).toBe('Great shirt.');
    expect(excerpt('  Great\n\nshirt.  ')).toBe('Great shirt.');
    expect(excerpt('')).toBe('');
    expect(excerpt('abcde', 5)).toBe('abcde');
  });
  it('cuts long text between words, within max', () => {
    const got = excerpt('The fabric is soft and the fit is true to size, I would buy it again', 30);
    expect(got).toBe('The fabric is soft and the…');
    expect([...got].length).toBeLessThanOrEqual(30);
  });
  it('drops punctuation left at the cut', () => {
    expect(excerpt('Soft, warm, light, cheap and cheerful', 20)).toBe('Soft, warm, light…');
  });
  it('cuts inside a word when the only space is near the start', () => {
    expect(excerpt('Hi supercalifragilisticexpialidocious', 12)).toBe('Hi supercal…');
  });
  it('counts characters, not UTF-16 units', () => {
    const text = '😀'.repeat(10);
    expect(excerpt(text, 10)).toBe(text);
    expect(excerpt(text, 5)).toBe('😀'.repeat(4) + '…');
  });
  it('tells when it cut', () => {
    expect(truncated('short')).toBe(false);
    expect(truncated('a\nb')).toBe(false);
    expect(truncated('x'.repeat(200))).toBe(true);
  });
});

describe('productLink', () => {
  it('links a product by its slug', () => {
    expect(productLink({ product_id: 'prd_01', product_title: 'Linen Shirt', product_slug: 'linen-shirt' })).toEqual({ label: 'Linen Shirt', href: '/p/linen-shirt' });
  });
  it('links by ID without a slug', () => {
    expect(productLink({ product_id: 'prd_01', product_title: 'Linen Shirt' })).toEqual({ label: 'Linen Shirt', href: '/p/prd_01' });
    expect(productLink({ product_id: 'prd_01', product_title: 'Linen Shirt', product_slug: '' })).toEqual({ label: 'Linen Shirt', href: '/p/prd_01' });
  });
  it('has no link for a product that is gone', () => {
    expect(productLink({ product_id: 'prd_01', product_title: '' })).toEqual({ label: 'Product no longer listed' });
    expect(productLink({ product_id: 'prd_01', product_title: '', product_slug: 'old' })).toEqual({ label: 'Product no longer listed' });
    expect(productLink({ product_id: 'prd_01', product_title: '  ' })).toEqual({ label: 'Product no longer listed' });
  });
});

describe('uniqueReviews', () => {
  it('lists every page in order, each review once', () => {
    const pages = [{ items: [{ id: 'a' }, { id: 'b' }], next_cursor: 'c1' }, { items: [{ id: 'b' }, { id: 'c' }] }];
    expect(uniqueReviews(pages).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
  it('is empty before anything loaded', () => {
    expect(uniqueReviews(undefined)).toEqual([]);
    expect(uniqueReviews([{ items: [] }])).toEqual([]);
  });
});

describe('emptyTitle and moderationNote', () => {
  it('says which reviews there are none of', () => {
    expect(emptyTitle('', '')).toBe('No reviews');
    expect(emptyTitle('hidden', '')).toBe('No hidden reviews');
    expect(emptyTitle('published', 'prd_1')).toBe('This product has no published reviews');
  });
  it('reads the reason of a hidden review', () => {
    expect(moderationNote('Off-topic')).toBe('Reason: Off-topic');
    expect(moderationNote('')).toBe('No reason given');
    expect(moderationNote(undefined)).toBe('No reason given');
  });
});
