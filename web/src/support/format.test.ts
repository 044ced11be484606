import { describe, expect, it } from 'vitest';
import { canCancelReturn, checkFile, formatSize, lineFieldErrors, returnEntryLabel, returnSteps, returnSummary, ticketContext, ticketLabelFor } from './format';
import type { Pickup, Return } from '../api/support';

const pickup = (status: Pickup['status']): Pickup => ({
  partner_id: 'usr_d',
  status,
  tracking_id: 'RP1',
  address: { name: '', line1: '', line2: '', city: '', region: '', postal_code: '', country: '', phone: '' },
  updated_at: '',
});

describe('formatSize', () => {
  it('shows bytes, kilobytes and megabytes', () => {
    expect(formatSize(812)).toBe('812 B');
    expect(formatSize(14 * 1024 + 100)).toBe('14 KB');
    expect(formatSize(2.4 * 1024 * 1024)).toBe('2.4 MB');
    expect(formatSize(12 * 1024 * 1024)).toBe('12 MB');
  });
});

describe('checkFile', () => {
  it('accepts the four types up to 5 MB', () => {
    expect(checkFile({ name: 'a.png', type: 'image/png', size: 100 })).toBeUndefined();
    expect(checkFile({ name: 'a.pdf', type: 'application/pdf', size: 5 << 20 })).toBeUndefined();
    expect(checkFile({ name: 'a.webp', type: '', size: 10 })).toBeUndefined();
  });
  it('refuses empty, too large and other files', () => {
    expect(checkFile({ name: 'a.png', type: 'image/png', size: 0 })).toMatch(/empty/);
    expect(checkFile({ name: 'a.png', type: 'image/png', size: (5 << 20) + 1 })).toMatch(/at most 5 MB/);
    expect(checkFile({ name: 'a.gif', type: 'image/gif', size: 10 })).toMatch(/JPEG, PNG or WebP/);
    expect(checkFile({ name: 'notes', type: '', size: 10 })).toMatch(/JPEG, PNG or WebP/);
  });
});

describe('canCancelReturn', () => {
  it('allows a requested return, and an approved one before pickup', () => {
    expect(canCancelReturn({ status: 'requested' })).toBe(true);
    expect(canCancelReturn({ status: 'approved', pickup: pickup('scheduled') })).toBe(true);
    expect(canCancelReturn({ status: 'approved', pickup: pickup('failed_attempt') })).toBe(true);
    expect(canCancelReturn({ status: 'approved' })).toBe(true);
  });
  it('refuses once picked up or decided', () => {
    expect(canCancelReturn({ status: 'approved', pickup: pickup('picked_up') })).toBe(false);
    expect(canCancelReturn({ status: 'in_transit', pickup: pickup('picked_up') })).toBe(false);
    expect(canCancelReturn({ status: 'rejected' })).toBe(false);
    expect(canCancelReturn({ status: 'refunded' })).toBe(false);
  });
});

describe('returnSteps', () => {
  const r = (status: Return['status'], entries: string[]) => ({ status, timeline: entries.map((s, i) => ({ status: s, at: `2026-01-0${i + 1}T10:00:00Z` })) });

  it('labels return and pickup entries', () => {
    expect(returnEntryLabel('pickup_scheduled')).toBe('Pickup scheduled');
    expect(returnEntryLabel('pickup_delivered')).toBe('Delivered to the seller');
    expect(returnEntryLabel('pickup_unassigned')).toBe('Drop-off needed');
    expect(returnEntryLabel('in_transit')).toBe('On its way back');
    expect(returnEntryLabel('something_new')).toBe('Something new');
  });

  it('shows what happened, the current step and what is ahead', () => {
    const steps = returnSteps(r('approved', ['requested', 'approved', 'pickup_scheduled']));
    expect(steps.map((s) => [s.label, s.state])).toEqual([
      ['Return requested', 'done'],
      ['Approved by the seller', 'done'],
      ['Pickup scheduled', 'current'],
      ['On its way back', 'todo'],
      ['Received by the seller', 'todo'],
      ['Refunded', 'todo'],
    ]);
  });

  it('ends with the refund, and marks failures', () => {
    const steps = returnSteps(r('refunded', ['requested', 'approved', 'pickup_scheduled', 'pickup_failed_attempt', 'pickup_picked_up', 'in_transit', 'pickup_delivered', 'received', 'refunded']));
    expect(steps).toHaveLength(9);
    expect(steps.every((s) => s.state !== 'todo' && s.state !== 'current')).toBe(true);
    expect(steps[3].state).toBe('bad');
    expect(returnSteps(r('rejected', ['requested', 'rejected'])).map((s) => s.state)).toEqual(['done', 'bad']);
  });

  it('keeps the note and location as detail', () => {
    const steps = returnSteps({ status: 'in_transit', timeline: [{ status: 'pickup_picked_up', location: 'Springfield', note: 'left at door', at: '' }] });
    expect(steps[0].detail).toBe('Springfield · left at door');
    expect(returnSteps({ status: 'approved', timeline: [{ status: 'approved', note: 'approved by the seller', at: '' }] })[0].detail).toBeUndefined();
  });
});

describe('lineFieldErrors', () => {
  it('maps lines[i] errors to the SKUs sent', () => {
    expect(
      lineFieldErrors(
        [
          { field: 'lines[1].quantity', message: 'must be at least 1' },
          { field: 'lines[0].sku', message: 'is not returnable' },
          { field: 'comment', message: 'too long' },
        ],
        ['A', 'B'],
      ),
    ).toEqual({ A: 'This item is not returnable', B: 'Quantity must be at least 1' });
  });
});

describe('ticketLabelFor', () => {
  it("speaks to the one whose turn it is", () => {
    expect(ticketLabelFor('awaiting_customer', 'customer')).toBe('Awaiting your reply');
    expect(ticketLabelFor('awaiting_customer', 'seller')).toBe('Awaiting customer');
    expect(ticketLabelFor('awaiting_seller', 'seller')).toBe('Awaiting your reply');
    expect(ticketLabelFor('resolved', 'customer')).toBe('Resolved');
  });
});

describe('ticketContext', () => {
  it('takes one subject from the query, with the topic that fits', () => {
    expect(ticketContext(new URLSearchParams('seller_order_id=so_1&order=ord_1'))).toEqual({ about: { seller_order_id: 'so_1' }, category: 'order' });
    expect(ticketContext(new URLSearchParams('return_id=ret_1&order_id=ord_1'))).toEqual({ about: { return_id: 'ret_1' }, category: 'return' });
    expect(ticketContext(new URLSearchParams('product_id=prd_1'))).toEqual({ about: { product_id: 'prd_1' }, category: 'product' });
    expect(ticketContext(new URLSearchParams('order_id=ord_1'))).toEqual({ about: { order_id: 'ord_1' }, category: 'order' });
    expect(ticketContext(new URLSearchParams(''))).toEqual({ about: {}, category: '' });
  });
});

describe('returnSummary', () => {
  it('names up to three lines', () => {
    const l = (title: string, quantity = 1) => ({ title, quantity }) as Return['lines'][number];
    expect(returnSummary({ lines: [l('Lamp'), l('Mug', 2)] })).toBe('1 × Lamp, 2 × Mug');
    expect(returnSummary({ lines: [l('A'), l('B'), l('C'), l('D'), l('E')] })).toBe('1 × A, 1 × B, 1 × C and 2 more');
  });
});
