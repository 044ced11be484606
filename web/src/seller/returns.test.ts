import { describe, expect, it } from 'vitest';
import type { ReturnLine } from '../api/support';
import { goodsValue, pickupButton, pickupMoves, policyDays, receiptBody, requestedValue, returnActions, returnStatusFilter, startReceipt } from './returns';

const line = (sku: string, quantity: number, amount = 1000): ReturnLine => ({
  sku,
  product_id: 'prd_' + sku,
  title: 'Item ' + sku,
  quantity,
  reason: 'damaged',
  unit_price: { amount, currency: 'USD' },
  sellable: 0,
  damaged: 0,
});

describe('returnActions', () => {
  it('lets the seller decide a requested return and receive an approved one', () => {
    expect(returnActions({ status: 'requested' }, 'seller')).toEqual({ approve: true, reject: true, receive: false, refund: false });
    expect(returnActions({ status: 'approved' }, 'seller')).toEqual({ approve: false, reject: false, receive: true, refund: false });
    expect(returnActions({ status: 'in_transit' }, 'seller')).toEqual({ approve: false, reject: false, receive: true, refund: false });
    expect(returnActions({ status: 'rejected' }, 'seller')).toEqual({ approve: false, reject: false, receive: false, refund: false });
  });
  it('lets staff override a rejection and refund without receipt', () => {
    expect(returnActions({ status: 'rejected' }, 'staff')).toEqual({ approve: true, reject: false, receive: false, refund: true });
    expect(returnActions({ status: 'approved' }, 'staff').refund).toBe(true);
    expect(returnActions({ status: 'in_transit' }, 'staff').refund).toBe(true);
    expect(returnActions({ status: 'requested' }, 'staff').refund).toBe(false);
  });
  it('allows nothing once refunded or cancelled', () => {
    for (const status of ['received', 'refunded', 'cancelled'] as const) {
      for (const desk of ['seller', 'staff'] as const) expect(Object.values(returnActions({ status }, desk)).some(Boolean), status + desk).toBe(false);
    }
  });
});

describe('receiptBody', () => {
  const lines = [line('A', 2), line('B', 1, 500)];
  it('proposes every unit sellable', () => {
    const { body } = receiptBody(lines, startReceipt(lines), '', 'USD');
    expect(body).toEqual({
      lines: [
        { sku: 'A', quantity: 2, condition: 'sellable' },
        { sku: 'B', quantity: 1, condition: 'sellable' },
      ],
    });
    expect(goodsValue(lines, body!)).toBe(2500);
  });
  it('splits a line into sellable and damaged, and skips zeros', () => {
    const { body } = receiptBody(lines, { A: { sellable: '1', damaged: '1' }, B: { sellable: '0', damaged: '' } }, '2.50', 'USD');
    expect(body).toEqual({
      lines: [
        { sku: 'A', quantity: 1, condition: 'sellable' },
        { sku: 'A', quantity: 1, condition: 'damaged' },
      ],
      restocking_fee: { amount: 250, currency: 'USD' },
    });
  });
  it('refuses more units than returned, bad numbers, nothing at all and a bad fee', () => {
    expect(receiptBody(lines, { A: { sellable: '2', damaged: '1' } }, '', 'USD').errors).toEqual({ A: 'At most 2 units were returned.' });
    expect(receiptBody(lines, { A: { sellable: '1.5', damaged: '0' } }, '', 'USD').errors).toEqual({ A: 'Enter whole numbers of units.' });
    expect(receiptBody(lines, { A: { sellable: '0', damaged: '0' } }, '', 'USD').errors).toEqual({ lines: 'Receive at least one unit.' });
    expect(receiptBody(lines, startReceipt(lines), 'abc', 'USD').errors.fee).toMatch(/USD/);
    expect(receiptBody(lines, startReceipt(lines), 'abc', 'USD').body).toBeUndefined();
  });
  it('leaves out a zero fee', () => {
    expect(receiptBody(lines, startReceipt(lines), '0', 'USD').body?.restocking_fee).toBeUndefined();
  });
});

describe('small helpers', () => {
  it('reads the status filter', () => {
    expect(returnStatusFilter('approved')).toBe('approved');
    expect(returnStatusFilter('bogus')).toBe('');
    expect(returnStatusFilter(null)).toBe('');
  });
  it('values a return', () => {
    expect(requestedValue({ lines: [line('A', 2), line('B', 1, 500)] })).toEqual({ amount: 2500, currency: 'USD' });
    expect(requestedValue({ lines: [] })).toBeUndefined();
  });
  it('reads the policy window', () => {
    expect(policyDays('30')).toBe(30);
    expect(policyDays(' 0 ')).toBe(0);
    expect(policyDays('365')).toBe(365);
    expect(policyDays('366')).toBeNull();
    expect(policyDays('-1')).toBeNull();
    expect(policyDays('7.5')).toBeNull();
    expect(policyDays('')).toBeNull();
  });
  it('knows the pickup moves', () => {
    expect(pickupMoves.scheduled).toEqual(['picked_up', 'failed_attempt']);
    expect(pickupMoves.picked_up).toEqual(['delivered']);
    expect(pickupMoves.delivered).toBeUndefined();
    expect(pickupButton('picked_up')).toBe('Record picked up');
    expect(pickupButton('delivered')).toBe('Record delivered to seller');
  });
});
