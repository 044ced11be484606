import { describe, expect, it } from 'vitest';
import type { KeyValue } from '../api/client';
import { Beacon, SESSION_KEY, cartProducts, newSessionId, onlyGeneric, railCards, sessionId, storedSession, type RecItem } from './recommend';

const usd = (amount: number) => ({ amount, currency: 'USD' });

function item(over: Partial<RecItem> = {}): RecItem {
  return {
    product_id: 'prd_1',
    slug: 'trail-tent',
    title: 'Trail Tent',
    brand: 'Northwind',
    image: '/api/v1/image/img_1',
    price_min: usd(12900),
    price_max: usd(14900),
    seller_id: 'sel_1',
    category_id: 'cat_1',
    reason: { code: 'bought_with', text: 'Bought together with Camp Stove', product_id: 'prd_9' },
    score: 0.42,
    ...over,
  };
}

function memory(init: Record<string, string> = {}): KeyValue & { m: Map<string, string> } {
  const m = new Map(Object.entries(init));
  return { m, getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}

describe('railCards', () => {
  it('maps an item to a card with its reason', () => {
    expect(railCards({ kind: 'also_bought', items: [item()] })).toEqual([
      {
        id: 'prd_1',
        slug: 'trail-tent',
        title: 'Trail Tent',
        brand: 'Northwind',
        image: '/api/v1/image/img_1',
        min: usd(12900),
        max: usd(14900),
        seller: undefined,
        reason: 'Bought together with Camp Stove',
        reasonCode: 'bought_with',
      },
    ]);
  });
  it('reads an empty or null list as no cards', () => {
    expect(railCards({ kind: 'similar', items: [] })).toEqual([]);
    expect(railCards({ kind: 'similar', items: null })).toEqual([]);
    expect(railCards(undefined)).toEqual([]);
  });
  it('keeps a missing image and reason empty, and a missing maximum price the minimum', () => {
    const [c] = railCards({ kind: 'trending', items: [item({ image: undefined, reason: undefined, price_max: undefined as never })] });
    expect(c.image).toBeUndefined();
    expect(c.reason).toBe('');
    expect(c.reasonCode).toBe('');
    expect(c.max).toEqual(usd(12900));
  });
  it('drops items it cannot link to and repeats, keeping the order', () => {
    const cards = railCards({
      kind: 'for_you',
      items: [item({ product_id: 'prd_2', slug: 'b' }), item({ slug: '' }), item({ product_id: 'prd_2', slug: 'b2' }), item({ product_id: 'prd_3', slug: 'c' })],
    });
    expect(cards.map((c) => c.slug)).toEqual(['b', 'c']);
  });
});

describe('onlyGeneric', () => {
  it('is true when every card is trending or popular', () => {
    const cards = railCards({
      kind: 'for_you',
      items: [item({ reason: { code: 'trending', text: 'Trending in Camping' } }), item({ product_id: 'prd_2', reason: { code: 'popular', text: 'Popular' } })],
    });
    expect(onlyGeneric(cards)).toBe(true);
  });
  it('is false when one card is personal', () => {
    const cards = railCards({ kind: 'for_you', items: [item({ reason: { code: 'trending', text: 'Trending' } }), item({ product_id: 'prd_2', reason: { code: 'viewed', text: 'Because you viewed Trail Tent' } })] });
    expect(onlyGeneric(cards)).toBe(false);
  });
});

describe('guest session id', () => {
  it('is 22 base64url characters', () => {
    expect(newSessionId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newSessionId(() => new Uint8Array(22).fill(255))).toBe('_'.repeat(22));
    expect(newSessionId()).not.toBe(newSessionId());
  });
  it('is made once and kept in storage', () => {
    const s = memory();
    const id = sessionId(s);
    expect(s.m.get(SESSION_KEY)).toBe(id);
    expect(sessionId(s)).toBe(id);
    expect(storedSession(s)).toBe(id);
  });
  it('replaces a stored value the API would refuse', () => {
    const s = memory({ [SESSION_KEY]: 'bad id!' });
    expect(storedSession(s)).toBeUndefined();
    const id = sessionId(s);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(s.m.get(SESSION_KEY)).toBe(id);
  });
  it('works without storage or when storage throws', () => {
    expect(sessionId(undefined)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const broken: KeyValue = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => undefined,
    };
    expect(sessionId(broken)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(storedSession(broken)).toBeUndefined();
  });
  it('is not made by just looking', () => {
    const s = memory();
    expect(storedSession(s)).toBeUndefined();
    expect(s.m.size).toBe(0);
  });
});

describe('cartProducts', () => {
  it('lists distinct products in order, up to the limit', () => {
    const lines = [{ product_id: 'a' }, { product_id: 'b' }, { product_id: 'a' }, { product_id: 'c' }];
    expect(cartProducts(lines)).toEqual(['a', 'b', 'c']);
    expect(cartProducts(lines, 2)).toEqual(['a', 'b']);
    expect(cartProducts([])).toEqual([]);
  });
});

describe('Beacon', () => {
  it('reports a product once per page view', () => {
    const b = new Beacon();
    expect(b.shouldSend('prd_1')).toBe(true);
    expect(b.shouldSend('prd_1')).toBe(false); // a re-render or a repeated effect
    expect(b.shouldSend('prd_2')).toBe(true); // another product
    expect(b.shouldSend('prd_1')).toBe(true); // back to the first: a new view
    expect(b.shouldSend('')).toBe(false);
  });
});
