// Helpers of the admin's review moderation page: which reviews the URL asks
// for, how a review reads in the list, and where its product is.
import type { ModeratedReview, Page, ReviewStatus } from '../api/types';

/** The longest moderation reason the API takes. */
export const MAX_REASON = 500;

/** EXCERPT is how many characters of a review's text the list shows. */
export const EXCERPT = 160;

/** statusFilter reads the status filter from the URL: "published", "hidden", or "" for every review. */
export function statusFilter(v: string | null | undefined): ReviewStatus | '' {
  return v === 'published' || v === 'hidden' ? v : '';
}

/**
 * excerpt is the start of a review's text, at most max characters (code
 * points) with "…" when cut, cut between words where that keeps most of
 * it. Runs of white space, new lines among them, read as one space.
 */
export function excerpt(text: string, max = EXCERPT): string {
  const t = text.replace(/\s+/g, ' ').trim();
  const chars = [...t];
  if (chars.length <= max) return t;
  let cut = chars.slice(0, Math.max(1, max - 1)).join('');
  const space = cut.lastIndexOf(' ');
  if (space > cut.length * 0.6) cut = cut.slice(0, space);
  return cut.replace(/[\s.,;:!?\-–—]+$/u, '') + '…';
}

/** truncated tells whether excerpt shortens text. */
export function truncated(text: string, max = EXCERPT): boolean {
  return excerpt(text, max) !== text.replace(/\s+/g, ' ').trim();
}

/**
 * productLink is what the list shows for a review's product: its title,
 * leading to the product page by slug, or by ID (the page takes either)
 * when the slug is missing; a product that is gone (no title) has no link.
 */
export function productLink(r: Pick<ModeratedReview, 'product_id' | 'product_title' | 'product_slug'>): { label: string; href?: string } {
  const title = r.product_title?.trim();
  if (!title) return { label: 'Product no longer listed' };
  return { label: title, href: '/p/' + encodeURIComponent(r.product_slug || r.product_id) };
}

/** uniqueReviews is the reviews of loaded pages in order, each once (moderating can shift a review across pages). */
export function uniqueReviews<T extends { id: string }>(pages: Page<T>[] | undefined): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const p of pages ?? []) {
    for (const r of p.items ?? []) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      out.push(r);
    }
  }
  return out;
}

/** emptyTitle is what the list says when no review matches the filters. */
export function emptyTitle(status: ReviewStatus | '', product: string): string {
  const which = status === 'hidden' ? 'hidden reviews' : status === 'published' ? 'published reviews' : 'reviews';
  return product ? `This product has no ${which}` : `No ${which}`;
}

/** moderationNote is how a hidden review's reason reads in the list. */
export function moderationNote(note: string | undefined): string {
  const n = note?.trim();
  return n ? 'Reason: ' + n : 'No reason given';
}
