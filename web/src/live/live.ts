// Live updates: the messages GET /api/v1/live sends, and what each one
// makes stale. The socket itself lives in LiveProvider (useLive.tsx).

import type { QueryKey } from '@tanstack/react-query';

/** The subprotocol, and the prefix of the entry that carries the access token. */
export const PROTOCOL = 'bazaar.live.v1';
export const TOKEN_PREFIX = 'bazaar.token.';

/** Close codes the server ends a socket with. */
export const CLOSE_TOKEN_EXPIRED = 4001; // refresh the token and reconnect at once
export const CLOSE_SLOW = 4008; // we fell behind: reconnect and resume

export type LiveType = 'notification' | 'order' | 'shipment' | 'seller_order' | 'reset' | 'hello';

export interface LiveMessage {
  id: string;
  type: LiveType;
  data: Record<string, unknown>;
}

/** parseMessage reads one frame; null for anything that is not a message. */
export function parseMessage(raw: unknown): LiveMessage | null {
  if (typeof raw !== 'string') return null;
  try {
    const m = JSON.parse(raw) as Partial<LiveMessage>;
    if (typeof m.id !== 'string' || typeof m.type !== 'string') return null;
    return { id: m.id, type: m.type as LiveType, data: m.data && typeof m.data === 'object' ? m.data : {} };
  } catch {
    return null;
  }
}

/** Every query a reset makes stale: whatever shows orders, parcels or notifications. */
export const allLiveKeys: QueryKey[] = [['order'], ['orders'], ['shipment'], ['seller-orders'], ['deliveries'], ['notification'], ['returns']];

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * staleKeys lists the query keys (prefixes) a message makes stale. The
 * notifications' queries start with ['notification'] (inbox, unread count).
 */
export function staleKeys(m: LiveMessage): QueryKey[] {
  const order = text(m.data.order_id);
  const orderKeys: QueryKey[] = order ? [['order', order], ['orders']] : [['orders']];
  switch (m.type) {
    case 'notification':
      return [['notification']];
    case 'order':
      return [...orderKeys, ['returns', 'order']];
    case 'shipment': {
      const ship = text(m.data.shipment_id);
      return [...orderKeys, ...(ship ? [['shipment', ship]] : []), ['deliveries']];
    }
    case 'seller_order':
      return [['seller-orders'], ...(order ? [['order', order]] : []), ['seller-balance']];
    case 'reset':
      return allLiveKeys;
    default:
      return [];
  }
}

/**
 * backoff is the wait before reconnect attempt n (0 first): 1 s doubling
 * to 30 s, with jitter so a restarted server is not met by every client at
 * once.
 */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.5 + random() / 2));
}

/** liveUrl is the socket's address on this page's host, resuming after the last id seen. */
export function liveUrl(loc: { protocol: string; host: string }, after?: string): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/v1/live` + (after ? '?after=' + encodeURIComponent(after) : '');
}
