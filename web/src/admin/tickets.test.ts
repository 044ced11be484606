import { describe, expect, it } from 'vitest';
import { assigneeText, concerns, filterParams, slaText, span, ticketFilter, ticketQuery } from './tickets';
import { markedAncestor } from './categoryRules';

const get = (q: Record<string, string>) => (k: string) => q[k] ?? null;

describe('ticketFilter', () => {
  it('keeps what the API knows', () => {
    expect(ticketFilter(get({ status: 'awaiting_support', priority: 'urgent', assignee: 'me', overdue: 'true' }))).toEqual({
      status: 'awaiting_support',
      priority: 'urgent',
      assignee: 'me',
      overdue: true,
    });
    expect(ticketFilter(get({ status: 'nope', priority: 'HIGH', assignee: 'usr_1', overdue: '1' }))).toEqual({ status: '', priority: '', assignee: '', overdue: false });
  });
  it('asks the API for unresolved tickets with open=true', () => {
    expect(ticketQuery({ status: 'unresolved', priority: '', assignee: 'none', overdue: true })).toEqual({ open: 'true', assignee: 'none', overdue: 'true' });
    expect(ticketQuery({ status: 'resolved', priority: 'low', assignee: '', overdue: false })).toEqual({ status: 'resolved', priority: 'low' });
    expect(filterParams({ status: 'unresolved', priority: '', assignee: '', overdue: false })).toEqual({ status: 'unresolved' });
  });
});

describe('slaText', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it('says how long is left or how late it is', () => {
    expect(slaText({ first_response_due: '2026-01-01T15:00:00Z', overdue: false, status: 'open' }, now)).toBe('Due in 3 h');
    expect(slaText({ first_response_due: '2026-01-01T12:30:00Z', overdue: false, status: 'open' }, now)).toBe('Due in 30 min');
    expect(slaText({ first_response_due: '2026-01-01T10:00:00Z', overdue: true, status: 'open' }, now)).toBe('Overdue by 2 h');
    expect(slaText({ first_response_due: '2026-01-01T10:00:00Z', first_response_at: '2026-01-01T09:00:00Z', overdue: false, status: 'awaiting_customer' }, now)).toBe('Answered');
    expect(slaText({ first_response_due: '2026-01-01T10:00:00Z', overdue: false, status: 'resolved' }, now)).toBe('No answer needed');
  });
  it('rounds long spans to days', () => {
    expect(span(72 * 3600_000)).toBe('3 d');
    expect(span(10_000)).toBe('1 min');
  });
});

describe('concerns and assignees', () => {
  it('links staff to the return and the order’s returns', () => {
    expect(concerns({ return_id: 'ret_1', order_id: 'ord_1' }, 'staff')).toEqual([
      { label: 'Return', id: 'ret_1', to: '/admin/returns/ret_1' },
      { label: 'Order', id: 'ord_1', to: '/admin/returns?order=ord_1' },
    ]);
    expect(concerns({ return_id: 'ret_1', product_id: 'prd_1' }, 'seller')).toEqual([
      { label: 'Return', id: 'ret_1', to: '/seller/returns/ret_1' },
      { label: 'Product', id: 'prd_1', to: '/seller/products/prd_1' },
    ]);
  });
  it('names the assignee', () => {
    expect(assigneeText(undefined, 'usr_me')).toBe('Unassigned');
    expect(assigneeText('usr_me', 'usr_me')).toBe('You');
    expect(assigneeText('usr_2', 'usr_me', { usr_2: 'Sam' })).toBe('Sam');
    expect(assigneeText('usr_3', 'usr_me', {})).toBe('usr_3');
  });
});

describe('markedAncestor', () => {
  const all = [
    { id: 'a', name: 'Food', parent_id: null },
    { id: 'b', name: 'Fresh', parent_id: 'a' },
    { id: 'c', name: 'Fruit', parent_id: 'b' },
    { id: 'd', name: 'Books', parent_id: null },
  ];
  it('finds the nearest marked ancestor', () => {
    expect(markedAncestor(all[2], all, new Set(['a']))?.name).toBe('Food');
    expect(markedAncestor(all[2], all, new Set(['a', 'b']))?.name).toBe('Fresh');
    expect(markedAncestor(all[0], all, new Set(['a']))).toBeUndefined();
    expect(markedAncestor(all[3], all, new Set(['a']))).toBeUndefined();
  });
  it('survives a loop', () => {
    const loop = [
      { id: 'x', name: 'X', parent_id: 'y' },
      { id: 'y', name: 'Y', parent_id: 'x' },
    ];
    expect(markedAncestor(loop[0], loop, new Set())).toBeUndefined();
  });
});
