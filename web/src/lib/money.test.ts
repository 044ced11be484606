import { describe, expect, it } from 'vitest';
import { formatMoney, formatRange, parseAmount, toMajor } from './money';

describe('money', () => {
  it.each([
    [{ amount: 1999, currency: 'USD' }, '$19.99'],
    [{ amount: 0, currency: 'USD' }, '$0.00'],
    [{ amount: 1500, currency: 'JPY' }, '¥1,500'],
    [{ amount: 123456, currency: 'EUR' }, '€1,234.56'],
  ])('formatMoney(%j) = %s', (m, want) => {
    expect(formatMoney(m, 'en-US')).toBe(want);
  });

  it('formatRange collapses equal ends', () => {
    expect(formatRange({ amount: 100, currency: 'USD' }, { amount: 100, currency: 'USD' })).toBe(formatMoney({ amount: 100, currency: 'USD' }));
    expect(formatRange({ amount: 100, currency: 'USD' }, { amount: 250, currency: 'USD' })).toContain('–');
  });

  it.each([
    ['19.99', 'USD', 1999],
    ['19', 'USD', 1900],
    ['19.5', 'USD', 1950],
    [' 1,299.00 ', 'USD', 129900],
    ['0.07', 'USD', 7],
    ['1500', 'JPY', 1500],
    ['19.999', 'USD', null],
    ['15.5', 'JPY', null],
    ['-3', 'USD', null],
    ['abc', 'USD', null],
    ['', 'USD', null],
  ])('parseAmount(%s, %s) = %s', (input, cur, want) => {
    expect(parseAmount(input, cur)).toBe(want);
  });

  it.each([
    [1999, 'USD', '19.99'],
    [7, 'USD', '0.07'],
    [1500, 'JPY', '1500'],
  ])('toMajor(%d, %s) = %s', (n, cur, want) => {
    expect(toMajor(n, cur)).toBe(want);
    expect(parseAmount(want, cur)).toBe(n);
  });
});
