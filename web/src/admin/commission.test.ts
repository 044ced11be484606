import { describe, expect, it } from 'vitest';
import { errorsAfterRemoval, fromDraft, replace, toDraft, without } from './commission';
import type { Rules } from '../api/ledger';

const rules: Rules = {
  version: 3,
  default: { bps: 1050, fees: [{ amount: 30, currency: 'USD' }, { amount: 500, currency: 'JPY' }] },
  categories: [{ category_id: 'cat_books', bps: 500 }],
  sellers: [{ seller_id: 'sel_acme', bps: 825, fees: [] }],
  updated_at: '2026-01-01T00:00:00Z',
};

describe('commission rule editing', () => {
  it('turns the rules into a draft of percentages and major units, and back', () => {
    const d = toDraft(rules);
    expect(d.percent).toBe('10.5');
    expect(d.fees).toEqual([
      { currency: 'USD', amount: '0.30' },
      { currency: 'JPY', amount: '500' },
    ]);
    expect(d.sellers[0].percent).toBe('8.25');
    const { body, errors } = fromDraft(d);
    expect(errors).toEqual({});
    expect(body).toEqual({ version: 3, default: rules.default, categories: rules.categories, sellers: rules.sellers });
  });
  it('reads null lists as empty', () => {
    const d = toDraft({ version: 0, default: { bps: 1000, fees: null as never }, categories: null as never, sellers: null as never });
    expect(d).toEqual({ version: 0, percent: '10', fees: [], categories: [], sellers: [] });
  });
  it('keys errors by the API field names', () => {
    const d = toDraft(rules);
    d.percent = '101';
    d.fees = [...d.fees, { currency: 'usd', amount: '1' }];
    d.categories = [...d.categories, { category_id: 'cat_books', percent: '2' }, { category_id: '', percent: 'x' }];
    d.sellers = [{ seller_id: 'sel_acme', percent: '5', fees: [{ currency: 'EUR', amount: '0.123' }, { currency: 'E', amount: '1' }] }];
    const { errors } = fromDraft(d);
    expect(Object.keys(errors).sort()).toEqual(
      [
        'default.bps',
        'default.fees[2].currency',
        'categories[1].category_id',
        'categories[2].category_id',
        'categories[2].bps',
        'sellers[0].fees[0].amount',
        'sellers[0].fees[1].currency',
      ].sort(),
    );
  });
  it('upper-cases currencies it sends', () => {
    const d = toDraft({ ...rules, default: { bps: 0, fees: [] } });
    d.fees = [{ currency: 'inr', amount: '12.5' }];
    expect(fromDraft(d).body.default).toEqual({ bps: 0, fees: [{ currency: 'INR', amount: 1250 }] });
  });
  it('edits lists without touching the others', () => {
    const list = [{ a: 1 }, { a: 2 }, { a: 3 }];
    expect(without(list, 1)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(replace(list, 2, { a: 9 })).toEqual([{ a: 1 }, { a: 2 }, { a: 9 }]);
    expect(list).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });
  it('renumbers errors after a row is removed', () => {
    const errs = { 'default.bps': 'd', 'categories[0].bps': 'zero', 'categories[1].bps': 'one', 'categories[2].category_id': 'two', 'sellers[1].bps': 's' };
    expect(errorsAfterRemoval(errs, 'categories', 1)).toEqual({ 'default.bps': 'd', 'categories[0].bps': 'zero', 'categories[1].category_id': 'two', 'sellers[1].bps': 's' });
  });
});
