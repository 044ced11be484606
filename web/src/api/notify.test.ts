import { describe, expect, it } from 'vitest';
import { badgeCount, categoryLabel, forRole, mailStatusParam, unreadLabel, uniqueById, type Preference } from './notify';

const pref = (category: string, email_required = false): Preference => ({ category, in_app: true, email: true, email_required });

describe('notify helpers', () => {
  it('names the bell with its unread count', () => {
    expect(unreadLabel(undefined)).toBe('Notifications');
    expect(unreadLabel(0)).toBe('Notifications');
    expect(unreadLabel(3)).toBe('Notifications, 3 unread');
    expect(badgeCount(7)).toBe('7');
    expect(badgeCount(140)).toBe('99+');
  });

  it('shows each role its categories, and categories it does not know', () => {
    const all = ['order', 'shipment', 'support', 'review', 'seller_order', 'stock', 'account'].map((c) => pref(c));
    expect(forRole(all, 'customer').map((p) => p.category)).toEqual(['order', 'shipment', 'support', 'review', 'account']);
    expect(forRole(all, 'seller').map((p) => p.category)).toEqual(['support', 'seller_order', 'stock', 'account']);
    expect(forRole(all, 'admin')).toHaveLength(all.length);
    expect(categoryLabel('seller_order')).toBe('New orders');
    expect(categoryLabel('account_security')).toBe('Account security');
  });

  it('reads the outbox filter and merges pages', () => {
    expect(mailStatusParam('dead')).toBe('dead');
    expect(mailStatusParam('bogus')).toBe('');
    expect(mailStatusParam(null)).toBe('');
    expect(uniqueById([{ items: [{ id: 'a' }, { id: 'b' }] }, { items: [{ id: 'b' }, { id: 'c' }] }]).map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(uniqueById(undefined)).toEqual([]);
  });
});
