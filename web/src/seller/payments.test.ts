import { describe, expect, it } from 'vitest';
import { bpsToPercent, csvName, runText, filterParams, filterProblem, formatBps, lineText, nextDay, parsePercent, payoutActions, settingsBody, statementFilter, statementQuery } from './payments';

const get = (q: Record<string, string>) => (k: string) => q[k] ?? null;

describe('basis points', () => {
  it('formats as a percentage without trailing zeros', () => {
    const cases: [number, string][] = [
      [1050, '10.5 %'],
      [1000, '10 %'],
      [1, '0.01 %'],
      [5, '0.05 %'],
      [0, '0 %'],
      [10000, '100 %'],
      [1234, '12.34 %'],
    ];
    for (const [bps, want] of cases) expect(formatBps(bps), `formatBps(${bps})`).toBe(want);
    expect(bpsToPercent(-250)).toBe('-2.5');
  });
  it('reads typed percentages without floating point', () => {
    const cases: [string, number | null][] = [
      ['10.5', 1050],
      ['10,5 %', 1050],
      ['7', 700],
      ['0.01', 1],
      ['12.345', null],
      ['100', 10000],
      ['100.01', null],
      ['', null],
      ['-1', null],
      ['abc', null],
      ['8.', 800],
      ['0.29', 29], // 0.29 * 100 is 28.999999999999996 in floating point
    ];
    for (const [input, want] of cases) expect(parsePercent(input), `parsePercent(${JSON.stringify(input)})`).toBe(want);
  });
  it('round-trips', () => {
    for (const bps of [0, 1, 29, 99, 100, 1050, 1999, 10000]) expect(parsePercent(bpsToPercent(bps))).toBe(bps);
  });
});

describe('statement filters and paging', () => {
  it('keeps what the API knows from the address', () => {
    expect(statementFilter(get({ account: 'pending', currency: 'usd', from: '2026-01-01', to: '2026-01-31' }))).toEqual({
      account: 'pending',
      currency: 'USD',
      from: '2026-01-01',
      to: '2026-01-31',
    });
    expect(statementFilter(get({ account: 'commission', currency: 'dollars', from: 'yesterday', to: '2026-13-45' }))).toEqual({ account: 'available', currency: '', from: '', to: '' });
  });
  it('writes only what differs from the defaults', () => {
    expect(filterParams({ account: 'available', currency: '', from: '', to: '' })).toEqual({});
    expect(filterParams({ account: 'payout', currency: 'EUR', from: '', to: '2026-02-01' })).toEqual({ account: 'payout', currency: 'EUR', to: '2026-02-01' });
  });
  it('sends the inclusive end date as the next day, and the cursor of the next page', () => {
    const f = { account: 'pending' as const, currency: 'USD', from: '2026-02-01', to: '2026-02-28' };
    expect(statementQuery(f)).toEqual({ account: 'pending', currency: 'USD', from: '2026-02-01', to: '2026-03-01' });
    expect(statementQuery(f, 'abc')).toEqual({ account: 'pending', currency: 'USD', from: '2026-02-01', to: '2026-03-01', cursor: 'abc' });
    expect(statementQuery({ account: 'available', currency: '', from: '', to: '' }, '')).toEqual({ account: 'available' });
  });
  it('counts days across months, leap years and years', () => {
    expect(nextDay('2024-02-28')).toBe('2024-02-29');
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });
  it('refuses an end before the start, allows one day', () => {
    expect(filterProblem({ account: 'available', currency: '', from: '2026-02-02', to: '2026-02-01' })).not.toBe('');
    expect(filterProblem({ account: 'available', currency: '', from: '2026-02-01', to: '2026-02-01' })).toBe('');
  });
  it('names the download after the selection', () => {
    expect(csvName({ account: 'pending', currency: 'USD', from: '2026-01-01', to: '' })).toBe('statement-pending-USD-2026-01-01.csv');
    expect(csvName({ account: 'available', currency: '', from: '', to: '' })).toBe('statement-available.csv');
  });
});

describe('lines, payouts and settings', () => {
  it('says which way a release went', () => {
    const l = { kind: 'release' as const, amount: { amount: 100, currency: 'USD' } };
    expect(lineText(l, 'pending')).toBe('Released to available');
    expect(lineText(l, 'available')).toBe('Released from pending');
    expect(lineText({ ...l, kind: 'sale' }, 'pending')).toBe('Sale');
  });
  it('allows each status its next steps', () => {
    expect(payoutActions('pending')).toEqual({ approve: true, paid: false, failed: true });
    expect(payoutActions('in_transit')).toEqual({ approve: false, paid: true, failed: true });
    expect(payoutActions('paid')).toEqual({ approve: false, paid: false, failed: false });
    expect(payoutActions('failed')).toEqual({ approve: false, paid: false, failed: false });
  });
  it('says what paying out now did', () => {
    expect(runText({ released: 0, created: 0, sent: 0 })).toBe('No payout due.');
    expect(runText({ released: 1, created: 2, sent: 0 })).toBe('2 payouts created; 1 order released to available.');
    expect(runText({ released: 3, created: 1, sent: 1 })).toBe('1 payout created; 3 orders released to available; 1 transfer sent again.');
  });
  it('sends either the Stripe account or the bank account', () => {
    const d = { channel: 'bank' as const, stripeAccount: 'acct_123', holder: ' Asha Rao ', account: '1234 5678 90', routing: 'HDFC 0001234' };
    expect(settingsBody(d)).toEqual({ bank: { holder: 'Asha Rao', account: '1234567890', routing: 'HDFC0001234' } });
    expect(settingsBody({ ...d, channel: 'stripe', stripeAccount: ' acct_1Abc ' })).toEqual({ stripe_account: 'acct_1Abc' });
  });
});
