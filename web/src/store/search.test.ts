import { describe, expect, it } from 'vitest';
import type { Category } from '../api/types';
import { attrFilters, attrLabel, bucketRange, markedRuns, suggestionPath } from './search';

describe('bucketRange', () => {
  it('makes the exclusive upper bound inclusive', () => {
    expect(bucketRange('1000-2500')).toEqual({ min: '1000', max: '2499' });
  });
  it('leaves out a zero minimum', () => {
    expect(bucketRange('0-1000')).toEqual({ min: '', max: '999' });
  });
  it('reads an open-ended bucket', () => {
    expect(bucketRange('100000-')).toEqual({ min: '100000', max: '' });
  });
  it('refuses what is not a bucket', () => {
    expect(bucketRange('cheap')).toBeNull();
    expect(bucketRange('-100')).toBeNull();
    expect(bucketRange('10-5')).toBeNull();
  });
});

describe('attrFilters', () => {
  it('collects repeated attr.NAME parameters, sorted, without duplicates or empties', () => {
    const p = new URLSearchParams('q=x&attr.material=denim&attr.fit=slim&attr.material=cotton&attr.material=denim&attr.size=&attr.=x');
    expect(attrFilters(p)).toEqual({ fit: ['slim'], material: ['cotton', 'denim'] });
  });
});

describe('attrLabel', () => {
  it('shows a normalised name as words', () => {
    expect(attrLabel('thread_count')).toBe('Thread count');
    expect(attrLabel('material')).toBe('Material');
  });
});

describe('suggestionPath', () => {
  const cats = [{ id: 'cat_1', slug: 'jeans', name: 'Jeans' }] as Category[];
  it('leads to a product, a category or a brand', () => {
    expect(suggestionPath({ kind: 'product', text: 'Slim Jeans', value: 'slim-jeans-1' }, cats)).toBe('/p/slim-jeans-1');
    expect(suggestionPath({ kind: 'category', text: 'Jeans', value: 'cat_1' }, cats)).toBe('/c/jeans');
    expect(suggestionPath({ kind: 'brand', text: 'Copper & Co', value: 'Copper & Co' }, cats)).toBe('/search?brand=Copper%20%26%20Co');
  });
  it('searches for a query, or a category it does not know', () => {
    expect(suggestionPath({ kind: 'query', text: 'jeans' }, cats)).toBeUndefined();
    expect(suggestionPath({ kind: 'category', text: 'Hats', value: 'cat_9' }, cats)).toBeUndefined();
    expect(suggestionPath({ kind: 'category', text: 'Jeans', value: 'cat_1' }, undefined)).toBeUndefined();
  });
});

describe('markedRuns', () => {
  it('splits marked words from the rest and unescapes both', () => {
    expect(markedRuns('Men&#39;s <mark>Running</mark> Shoes &amp; <mark>Socks</mark>')).toEqual([
      { text: "Men's ", mark: false },
      { text: 'Running', mark: true },
      { text: ' Shoes & ', mark: false },
      { text: 'Socks', mark: true },
    ]);
  });
  it('keeps escaped markup as text', () => {
    expect(markedRuns('&lt;script&gt;alert(1)&lt;/script&gt; <mark>tee</mark>')).toEqual([
      { text: '<script>alert(1)</script> ', mark: false },
      { text: 'tee', mark: true },
    ]);
  });
  it('reads a string without marks as one run', () => {
    expect(markedRuns('Plain &quot;title&quot;')).toEqual([{ text: 'Plain "title"', mark: false }]);
    expect(markedRuns('')).toEqual([]);
  });
});
