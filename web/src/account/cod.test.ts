import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { Payment } from '../api/types';
import { checkoutQuery, codChoice, codNote, codRefusal, codState, orderBadge, paymentBadge } from './cod';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const pay = (method: string, gateway: string): Payment => ({ id: 'pay_1', order_id: 'ord_1', status: 'authorized', amount: usd(100), method, gateway, created_at: '' });
const cod = [pay('cod', 'cod')];
const card = [pay('tok_visa', 'test')];

describe('checkoutQuery', () => {
  it('asks with the cart total and each seller once, sorted', () => {
    const cart = { subtotal: usd(4599), groups: [{ seller_id: 'sel_b' }, { seller_id: 'sel_a' }, { seller_id: 'sel_b' }] } as never;
    expect(checkoutQuery('USD', cart)).toEqual({ currency: 'USD', amount: '4599', seller: ['sel_a', 'sel_b'] });
  });
  it('asks with the currency alone without a cart', () => {
    expect(checkoutQuery('USD')).toEqual({ currency: 'USD' });
  });
  it('leaves out an amount in another currency', () => {
    expect(checkoutQuery('EUR', { subtotal: usd(10), groups: [] } as never)).toEqual({ currency: 'EUR' });
  });
});

describe('codChoice', () => {
  it('is absent when the marketplace does not offer cash on delivery', () => {
    expect(codChoice(undefined)).toBeUndefined();
  });
  it('says the limit when available', () => {
    expect(codChoice({ available: true, limit: usd(50000) })).toEqual({ available: true, note: 'Pay in cash when your order arrives (orders up to $500.00). Nothing is charged now.' });
  });
  it("gives the server's reason when not available", () => {
    expect(codChoice({ available: false, limit: usd(50000), reason: 'Lantern Lights does not take cash on delivery.' })).toEqual({ available: false, note: 'Lantern Lights does not take cash on delivery.' });
  });
  it('falls back to the limit without a reason', () => {
    expect(codChoice({ available: false, limit: usd(50000) })).toEqual({ available: false, note: 'Only for orders up to $500.00.' });
    expect(codChoice({ available: false, reason: '  ' })).toEqual({ available: false, note: 'Not available for this order.' });
  });
});

describe('codRefusal', () => {
  it("shows the refusal's detail", () => {
    expect(codRefusal(new ApiError({ status: 422, code: 'cod_limit_exceeded', detail: 'Cash on delivery is for orders up to $500.00.' }))).toBe('Cash on delivery is for orders up to $500.00.');
    expect(codRefusal(new ApiError({ status: 422, code: 'cod_unavailable', detail: '' }))).toBe('Cash on delivery is not available for this order.');
  });
  it('is not about other errors', () => {
    expect(codRefusal(new ApiError({ status: 422, code: 'validation_failed', detail: 'x' }))).toBeUndefined();
    expect(codRefusal(new Error('offline'))).toBeUndefined();
  });
});

describe('codState', () => {
  it.each<[string, Parameters<typeof codState>[0], ReturnType<typeof codState>]>([
    ['authorized in cash: due', { payment_status: 'authorized', payments: cod }, 'due'],
    ['authorized in a list without payments: due', { payment_status: 'authorized' }, 'due'],
    ['authorized by a card: not cash', { payment_status: 'authorized', payments: card }, undefined],
    ['collected', { payment_status: 'succeeded', payments: cod }, 'paid'],
    ['a card paid', { payment_status: 'succeeded', payments: card }, undefined],
    ['succeeded in a list: cannot tell, not cash', { payment_status: 'succeeded' }, undefined],
    ['cancelled before dispatch', { payment_status: 'voided', payments: cod }, 'voided'],
    ['nothing yet', { payment_status: '' }, undefined],
  ])('%s', (_, o, want) => {
    expect(codState(o)).toBe(want);
  });
});

describe('what an order says', () => {
  it('is confirmed, never unpaid, while the cash is due', () => {
    expect(orderBadge({ status: 'pending_payment', payment_status: 'authorized' })).toEqual({ status: 'paid', label: 'Confirmed' });
    expect(orderBadge({ status: 'paid', payment_status: 'authorized', payments: cod })).toEqual({ status: 'paid', label: 'Confirmed' });
    expect(orderBadge({ status: 'shipped', payment_status: 'authorized' })).toEqual({ status: 'shipped' });
    // Authorised by a card (captured on delivery): confirmed too, not unpaid.
    expect(orderBadge({ status: 'paid', payment_status: 'authorized', payments: card })).toEqual({ status: 'paid', label: 'Confirmed' });
    expect(orderBadge({ status: 'paid', payment_status: 'succeeded', payments: card })).toEqual({ status: 'paid' });
    expect(orderBadge({ status: 'pending_payment', payment_status: 'failed' })).toEqual({ status: 'pending_payment' });
  });
  it('names the cash to pay, then the cash paid', () => {
    expect(codNote({ payment_status: 'authorized', payments: cod, total: usd(2599) })).toBe('Pay $25.99 in cash on delivery.');
    expect(codNote({ payment_status: 'succeeded', payments: cod, total: usd(2599) })).toBe('Paid in cash on delivery ($25.99).');
    expect(codNote({ payment_status: 'succeeded', payments: card, total: usd(2599) })).toBeUndefined();
  });
  it("badges the payment in words", () => {
    expect(paymentBadge({ payment_status: 'authorized', payments: cod })).toEqual({ status: 'pending', label: 'Pay on delivery' });
    expect(paymentBadge({ payment_status: 'succeeded', payments: cod })).toEqual({ status: 'succeeded', label: 'Paid in cash' });
    expect(paymentBadge({ payment_status: 'succeeded', payments: card })).toEqual({ status: 'succeeded' });
    expect(paymentBadge({ payment_status: '', paid_at: '2026-01-01T00:00:00Z' })).toEqual({ status: 'succeeded' });
    expect(paymentBadge({ payment_status: '' })).toEqual({ status: 'pending' });
  });
});
