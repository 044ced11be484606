import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { cashCollected, cashError, cashInput, collectText } from './cash';

const due = { amount: 4250, currency: 'USD' };

describe('cash on delivery at the door', () => {
  it('asks for the amount due', () => {
    expect(collectText(due)).toBe('Collect $42.50 in cash');
    expect(cashInput(due)).toBe('42.50');
    expect(cashInput({ amount: 1500, currency: 'JPY' })).toBe('1500');
  });
  it('reads what was collected in the currency due', () => {
    expect(cashCollected('42.50', due)).toEqual({ cash_collected: { amount: 4250, currency: 'USD' } });
    expect(cashCollected(' 40 ', due)).toEqual({ cash_collected: { amount: 4000, currency: 'USD' } });
  });
  it('refuses what is not an amount, but leaves a wrong amount to the server', () => {
    expect(cashCollected('forty', due)).toEqual({ error: 'Enter the cash you collected in USD, such as 42.50.' });
    expect(cashCollected('', due)).toHaveProperty('error');
    expect(cashCollected('1.234', due)).toHaveProperty('error');
    expect(cashCollected('0', due)).toEqual({ cash_collected: { amount: 0, currency: 'USD' } });
  });
  it("shows the server's word on the cash by the field", () => {
    const e = (field: string) => new ApiError({ status: 422, code: 'validation_failed', detail: 'Invalid.', fields: [{ field, message: 'must be $42.50, the cash due' }] });
    expect(cashError(e('cash_collected'))).toBe('must be $42.50, the cash due');
    expect(cashError(e('cash_collected.amount'))).toBe('must be $42.50, the cash due');
    expect(cashError(e('proof'))).toBeUndefined();
    expect(cashError(new Error('x'))).toBeUndefined();
  });
});
