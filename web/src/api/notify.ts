// The notify module's API: the signed-in user's in-app inbox and unread
// count, notification preferences, and (admins) the mail outbox.
import { useQuery } from '@tanstack/react-query';
import { api } from '../app/api';
import type { Role } from './types';

export interface Notification {
  id: string;
  category: string;
  title: string;
  body: string;
  link: string;
  event_id: string;
  read_at: string | null;
  created_at: string;
}

/** Inbox is one page of notifications, newest first, with the whole inbox's unread count. */
export interface Inbox {
  items: Notification[];
  next_cursor?: string;
  unread: number;
}

export interface Preference {
  category: string;
  in_app: boolean;
  email: boolean;
  /** email_required: transactional e-mail, which cannot be turned off. */
  email_required: boolean;
}

export type MailStatus = 'pending' | 'sent' | 'dead';

export interface Mail {
  id: string;
  event_id: string;
  recipient_id: string;
  to: string;
  subject: string;
  text?: string;
  html?: string;
  category: string;
  unsubscribe?: string;
  status: MailStatus;
  attempts: number;
  last_error?: string;
  next_attempt_at: string;
  sent_at: string | null;
  created_at: string;
}

/**
 * notificationKey prefixes every notification query, so one
 * invalidateQueries({ queryKey: notificationKey }) (a read, a live push)
 * refreshes the bell, the inbox and the preferences alike.
 */
export const notificationKey = ['notification'] as const;
export const unreadKey = [...notificationKey, 'unread'] as const;
export const inboxKey = [...notificationKey, 'inbox'] as const;
export const preferenceKey = [...notificationKey, 'preference'] as const;

/** useUnread is the signed-in user's unread count, polled gently (every minute and on focus). */
export function useUnread(enabled: boolean) {
  return useQuery({
    queryKey: unreadKey,
    enabled,
    queryFn: ({ signal }) => api.get<Inbox>('/api/v1/notification', { query: { limit: 1 }, signal }).then((p) => p.unread),
    refetchInterval: 60_000,
    refetchOnWindowFocus: true,
    staleTime: 15_000,
  });
}

/** unreadLabel is the bell's accessible name. */
export function unreadLabel(n: number | undefined): string {
  if (!n) return 'Notifications';
  return `Notifications, ${n} unread`;
}

/** badgeCount is the number the bell shows: 99+ past 99. */
export function badgeCount(n: number): string {
  return n > 99 ? '99+' : String(n);
}

interface CategoryInfo {
  label: string;
  about: string;
  roles: Role[];
}

/** categories describes the categories this UI knows, in the order they are shown. */
export const categories: Record<string, CategoryInfo> = {
  order: { label: 'Orders', about: 'Confirmations, cancellations and refunds of your orders.', roles: ['customer'] },
  shipment: { label: 'Deliveries', about: 'Parcels shipped, out for delivery, delivered, or a delivery attempt that failed.', roles: ['customer'] },
  support: { label: 'Returns and support', about: 'Progress of returns, and replies to support tickets.', roles: ['customer', 'seller'] },
  review: { label: 'Your reviews', about: 'When moderation hides one of your reviews, and why.', roles: ['customer'] },
  seller_order: { label: 'New orders', about: 'Orders to pack and ship, and parcels coming back to you.', roles: ['seller'] },
  stock: { label: 'Stock', about: 'When a product runs low or sells out.', roles: ['seller'] },
};

/** categoryLabel names a category, known or not. */
export function categoryLabel(c: string): string {
  const known = categories[c]?.label;
  if (known) return known;
  const t = c.replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/**
 * forRole keeps the preferences that concern a role, in the server's order:
 * the categories this UI knows for the role, and any it does not know (a
 * newer server's), which it cannot judge. Staff and delivery partners see
 * every category.
 */
export function forRole(prefs: Preference[], role: Role): Preference[] {
  if (role !== 'customer' && role !== 'seller') return prefs;
  return prefs.filter((p) => !categories[p.category] || categories[p.category].roles.includes(role));
}

/** requiredReason says why a category's e-mail cannot be turned off. */
export function requiredReason(c: string): string {
  return `${categoryLabel(c)} e-mails are transactional (confirmations, cancellations, refunds): they are always sent.`;
}

export const mailStatuses: { value: MailStatus | ''; label: string }[] = [
  { value: '', label: 'Any status' },
  { value: 'pending', label: 'Pending (queued or retrying)' },
  { value: 'sent', label: 'Sent' },
  { value: 'dead', label: 'Dead (every attempt failed)' },
];

/** mailStatusParam reads the outbox's status filter from the URL, ignoring unknown values. */
export function mailStatusParam(v: string | null): MailStatus | '' {
  return v === 'pending' || v === 'sent' || v === 'dead' ? v : '';
}

/** uniqueById flattens loaded pages, dropping an item a later page repeats (new items shift pages). */
export function uniqueById<T extends { id: string }>(pages: { items: T[] }[] | undefined): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const p of pages ?? []) {
    for (const it of p.items) {
      if (seen.has(it.id)) continue;
      seen.add(it.id);
      out.push(it);
    }
  }
  return out;
}
