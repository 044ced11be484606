import { describe as group, expect, it } from 'vitest';
import { ago, deadFilter, describe, emptyTitle, filterParams, goneMessage, nextFocus, prettyPayload, replayedMessage, suggestions, withoutItem } from './deadletters';

const letter = { topic: 'order.paid.v1', aggregate: 'ord_1', consumer: 'shipment' };

group('deadFilter and filterParams', () => {
  it('reads the filters from the URL, trimmed, "" when absent', () => {
    const q = new URLSearchParams('consumer=%20metrics%20&topic=order.paid.v1');
    expect(deadFilter((k) => q.get(k))).toEqual({ consumer: 'metrics', topic: 'order.paid.v1' });
    expect(deadFilter(() => null)).toEqual({ consumer: '', topic: '' });
  });
  it('puts only what is set in the URL', () => {
    expect(filterParams({ consumer: 'metrics', topic: '' })).toEqual({ consumer: 'metrics' });
    expect(filterParams({ consumer: '  ', topic: ' order.paid.v1 ' })).toEqual({ topic: 'order.paid.v1' });
    expect(filterParams({ consumer: '', topic: '' })).toEqual({});
  });
});

group('withoutItem', () => {
  const data = {
    pages: [
      { items: [{ id: 'dlv_a' }, { id: 'dlv_b' }], next_cursor: 'dlv_b' },
      { items: [{ id: 'dlv_c' }] },
    ],
    pageParams: ['', 'dlv_b'],
  };
  it('drops the item and keeps every page, cursor and page parameter', () => {
    const got = withoutItem(data, 'dlv_b');
    expect(got).toEqual({ pages: [{ items: [{ id: 'dlv_a' }], next_cursor: 'dlv_b' }, { items: [{ id: 'dlv_c' }] }], pageParams: ['', 'dlv_b'] });
    expect(got?.pages[1]).toBe(data.pages[1]);
    expect(data.pages[0].items).toHaveLength(2);
  });
  it('keeps a page that becomes empty, so its cursor still leads on', () => {
    const got = withoutItem(data, 'dlv_c');
    expect(got?.pages.map((p) => p.items.length)).toEqual([2, 0]);
  });
  it('returns unchanged data as it is', () => {
    expect(withoutItem(data, 'dlv_x')).toBe(data);
    expect(withoutItem(undefined, 'dlv_a')).toBeUndefined();
  });
});

group('nextFocus', () => {
  it('moves to the next letter, else the one before, else nowhere', () => {
    expect(nextFocus(['a', 'b', 'c'], 'a')).toBe('b');
    expect(nextFocus(['a', 'b', 'c'], 'b')).toBe('c');
    expect(nextFocus(['a', 'b', 'c'], 'c')).toBe('b');
    expect(nextFocus(['a'], 'a')).toBeUndefined();
    expect(nextFocus(['a'], 'x')).toBeUndefined();
  });
});

group('prettyPayload', () => {
  it('indents JSON by two spaces', () => {
    expect(prettyPayload({ order_id: 'ord_1', total: { amount: 1250, currency: 'EUR' } })).toBe(
      '{\n  "order_id": "ord_1",\n  "total": {\n    "amount": 1250,\n    "currency": "EUR"\n  }\n}',
    );
    expect(prettyPayload([1, 2])).toBe('[\n  1,\n  2\n]');
    expect(prettyPayload(null)).toBe('null');
  });
  it('decodes JSON sent as a string, and shows other text as it is', () => {
    expect(prettyPayload('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyPayload('not json')).toBe('not json');
  });
  it('says when there is none', () => {
    expect(prettyPayload(undefined)).toBe('(no payload)');
  });
});

group('ago', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  it('says how long ago in the largest whole unit', () => {
    expect(ago('2026-12-06T11:59:30Z', now, 'en')).toBe('just now');
    expect(ago('2026-12-06T11:59:00Z', now, 'en')).toBe('1 minute ago');
    expect(ago('2026-12-06T11:15:00Z', now, 'en')).toBe('45 minutes ago');
    expect(ago('2026-12-06T10:00:00Z', now, 'en')).toBe('2 hours ago');
    expect(ago('2026-12-05T11:00:00Z', now, 'en')).toBe('yesterday');
    expect(ago('2026-12-01T12:00:00Z', now, 'en')).toBe('5 days ago');
  });
  it('reads a time in the future (clock skew) as just now, and an unreadable one as nothing', () => {
    expect(ago('2026-12-06T12:05:00Z', now, 'en')).toBe('just now');
    expect(ago('', now, 'en')).toBe('');
    expect(ago('yesterday', now, 'en')).toBe('');
  });
});

group('messages', () => {
  it('says what the list has none of', () => {
    expect(emptyTitle({ consumer: '', topic: '' })).toBe('Nothing is waiting for a replay');
    expect(emptyTitle({ consumer: 'metrics', topic: '' })).toBe('No dead letters for consumer metrics');
    expect(emptyTitle({ consumer: 'order', topic: 'payment.failed.v1' })).toBe('No dead letters for consumer order and topic payment.failed.v1');
    expect(emptyTitle({ consumer: '', topic: 'order.paid.v1' })).toBe('No dead letters for topic order.paid.v1');
  });
  it('names a letter by its topic, aggregate and consumer', () => {
    expect(describe(letter)).toBe('order.paid.v1 of ord_1 for consumer shipment');
    expect(describe({ ...letter, aggregate: '' })).toBe('order.paid.v1 for consumer shipment');
    expect(replayedMessage(letter)).toBe('Replayed order.paid.v1 of ord_1 for consumer shipment; the consumer gets it again now.');
    expect(goneMessage(letter)).toBe('Already replayed: order.paid.v1 of ord_1 for consumer shipment is no longer dead.');
  });
});

group('suggestions', () => {
  it('lists known and loaded values once each, sorted, without empty ones', () => {
    expect(suggestions(['search@r2', 'metrics', 'order', ''], ['metrics', 'order', 'shipment'])).toEqual(['metrics', 'order', 'search@r2', 'shipment']);
    expect(suggestions([])).toEqual([]);
  });
});
