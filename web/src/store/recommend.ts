// Helpers of the recommendation rails: the API's shapes, what a rail card
// shows, the guest session id and the view beacon's once-per-view rule.
import type { Money } from '../api/types';
import type { KeyValue } from '../api/client';
import type { Card } from './Browse';

/** RecKind is what a rail asks for: a product's neighbours, or the shopper's lists. */
export type ProductRecKind = 'also_bought' | 'also_viewed' | 'similar';
export type ShopperRecKind = 'for_you' | 'trending' | 'cart';

/** Reason says why an item is on a list ("Bought together with Camp Stove"). */
export interface RecReason {
  code: 'bought_with' | 'viewed_with' | 'similar_to' | 'viewed' | 'bought' | 'trending' | 'popular' | string;
  text: string;
  product_id?: string;
  category_id?: string;
}

/** RecItem is one recommended product as the API returns it. */
export interface RecItem {
  product_id: string;
  slug: string;
  title: string;
  brand: string;
  image?: string;
  price_min: Money;
  price_max: Money;
  seller_id: string;
  category_id: string;
  reason?: RecReason;
  score: number;
}

/** RecList is the answer of both recommendation routes. */
export interface RecList {
  kind: string;
  items: RecItem[] | null;
}

/** RailCard is a product card with the line that says why it is there. */
export interface RailCard extends Card {
  reason: string;
  reasonCode: string;
}

/**
 * railCards maps the API's items to cards: items without an id or a slug
 * (nothing to link to) or repeated are dropped, a missing reason is an
 * empty line, and a null list is empty.
 */
export function railCards(list: RecList | undefined | null): RailCard[] {
  const out: RailCard[] = [];
  const seen = new Set<string>();
  for (const it of list?.items ?? []) {
    if (!it || !it.product_id || !it.slug || seen.has(it.product_id)) continue;
    seen.add(it.product_id);
    const min = it.price_min;
    const max = it.price_max ?? it.price_min;
    out.push({
      id: it.product_id,
      slug: it.slug,
      title: it.title,
      brand: it.brand,
      image: it.image || undefined,
      min,
      max,
      seller: undefined,
      reason: it.reason?.text ?? '',
      reasonCode: it.reason?.code ?? '',
    });
  }
  return out;
}

/** SESSION_KEY is where the guest's anonymous session id is kept. */
export const SESSION_KEY = 'bazaar.session';

const SESSION_RE = /^[A-Za-z0-9_-]{8,64}$/;

/** newSessionId returns 22 random base64url characters (132 bits). */
export function newSessionId(random: (n: number) => Uint8Array = randomBytes): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes = random(22);
  let s = '';
  for (let i = 0; i < 22; i++) s += alphabet[bytes[i] & 63];
  return s;
}

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  const c = globalThis.crypto;
  if (c?.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < n; i++) b[i] = Math.floor(Math.random() * 256);
  return b;
}

/**
 * sessionId is the guest session id kept in storage, made on first use;
 * a stored value the API would refuse is replaced. Without storage (a
 * private window that refuses it) the id lives as long as the page.
 */
export function sessionId(storage: KeyValue | undefined, random?: (n: number) => Uint8Array): string {
  let s: string | null = null;
  try {
    s = storage?.getItem(SESSION_KEY) ?? null;
  } catch {
    s = null;
  }
  if (s && SESSION_RE.test(s)) return s;
  const fresh = newSessionId(random);
  try {
    storage?.setItem(SESSION_KEY, fresh);
  } catch {
    // storage full or refused: the id still works for this page
  }
  return fresh;
}

/** storedSession is the stored guest session id, or undefined when there is none (yet). */
export function storedSession(storage: KeyValue | undefined): string | undefined {
  try {
    const s = storage?.getItem(SESSION_KEY);
    return s && SESSION_RE.test(s) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** onlyGeneric is true when no card is there for the shopper (all trending or popular). */
export function onlyGeneric(cards: RailCard[]): boolean {
  return cards.every((c) => c.reasonCode === 'trending' || c.reasonCode === 'popular');
}

/** cartProducts lists the distinct products of cart lines, up to the API's 20, for kind=cart. */
export function cartProducts(lines: { product_id: string }[], max = 20): string[] {
  const out: string[] = [];
  for (const l of lines) {
    if (l.product_id && !out.includes(l.product_id)) out.push(l.product_id);
    if (out.length === max) break;
  }
  return out;
}

/**
 * Beacon decides when a product view is reported: once per product per
 * page view. seen(id) is true the first time a page view shows id and
 * false on repeats (a re-render, React's double effects in development);
 * a new page view (navigating to another product and back) reports again.
 */
export class Beacon {
  private last: string | null = null;

  /** shouldSend is true when the view of productId on this page view is not yet reported. */
  shouldSend(productId: string): boolean {
    if (!productId || this.last === productId) return false;
    this.last = productId;
    return true;
  }
}
