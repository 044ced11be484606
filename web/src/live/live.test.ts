import { describe, expect, it } from 'vitest';
import { allLiveKeys, backoff, liveUrl, parseMessage, staleKeys } from './live';

describe('parseMessage', () => {
  it('reads a message and refuses anything else', () => {
    expect(parseMessage('{"id":"e.1","type":"order","data":{"order_id":"ord_1"}}')).toEqual({ id: 'e.1', type: 'order', data: { order_id: 'ord_1' } });
    expect(parseMessage('{"id":"e.2","type":"hello"}')).toEqual({ id: 'e.2', type: 'hello', data: {} });
    expect(parseMessage('not json')).toBeNull();
    expect(parseMessage('{"type":"order"}')).toBeNull();
    expect(parseMessage(new ArrayBuffer(2))).toBeNull();
  });
});

describe('staleKeys', () => {
  const m = (type: string, data: Record<string, unknown> = {}) => ({ id: 'e.1', type, data }) as Parameters<typeof staleKeys>[0];
  it('refreshes the order a change is about, and the lists', () => {
    expect(staleKeys(m('order', { order_id: 'ord_1', status: 'paid' }))).toEqual([['order', 'ord_1'], ['orders'], ['returns', 'order']]);
  });
  it('refreshes the parcel, its order and the delivery list', () => {
    expect(staleKeys(m('shipment', { order_id: 'ord_1', shipment_id: 'shp_1', status: 'delivered' }))).toEqual([
      ['order', 'ord_1'],
      ['orders'],
      ['shipment', 'shp_1'],
      ['deliveries'],
    ]);
  });
  it("refreshes the seller's queue", () => {
    expect(staleKeys(m('seller_order', { order_id: 'ord_1', seller_order_id: 'so_1', new: true }))).toEqual([['seller-orders'], ['order', 'ord_1'], ['seller-balance']]);
  });
  it('refreshes the notifications by their prefix', () => {
    expect(staleKeys(m('notification', { id: 'ntf_1', title: 'Shipped' }))).toEqual([['notification']]);
  });
  it('refreshes everything on a reset, nothing on hello or an unknown type', () => {
    expect(staleKeys(m('reset'))).toEqual(allLiveKeys);
    expect(allLiveKeys).toContainEqual(['notification']);
    expect(staleKeys(m('hello'))).toEqual([]);
    expect(staleKeys(m('something_new'))).toEqual([]);
  });
});

describe('backoff', () => {
  it('doubles from one second to thirty, with jitter of up to half', () => {
    expect(backoff(0, () => 1)).toBe(1000);
    expect(backoff(0, () => 0)).toBe(500);
    expect(backoff(3, () => 1)).toBe(8000);
    expect(backoff(10, () => 1)).toBe(30_000);
    expect(backoff(10, () => 0)).toBe(15_000);
  });
});

describe('liveUrl', () => {
  it('uses the page host, wss on https, and resumes after the last id', () => {
    expect(liveUrl({ protocol: 'http:', host: 'localhost:8080' })).toBe('ws://localhost:8080/api/v1/live');
    expect(liveUrl({ protocol: 'https:', host: 'shop.example.com' }, 'k3.42')).toBe('wss://shop.example.com/api/v1/live?after=k3.42');
  });
});
