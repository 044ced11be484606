// Pure helpers of the support screens: labels, tones, what a customer may
// still do with a return, the steps of a return's timeline, and the checks
// a file passes before it is uploaded.

import type { TimelineStep } from '../ui/kit';
import { humanize } from '../ui/kit';
import {
  returnStatusLabel,
  ticketStatusLabel,
  type PickupStatus,
  type Return,
  type ReturnStatus,
  type TicketCategory,
  type TicketInput,
  type TicketStatus,
} from '../api/support';

// ---- attachments -------------------------------------------------------------

/** The types the server accepts (it reads the type from the bytes). */
export const attachmentTypes = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'];
/** The file input's accept attribute. */
export const attachmentAccept = attachmentTypes.join(',') + ',.jpg,.jpeg,.png,.webp,.pdf';
export const maxAttachmentSize = 5 << 20;
export const maxAttachments = 5;

/** formatSize shows a byte count: 812 B, 14 KB, 2.4 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return bytes + ' B';
  if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + ' KB';
  const mb = bytes / (1024 * 1024);
  return (mb < 10 ? mb.toFixed(1) : String(Math.round(mb))) + ' MB';
}

export const isImage = (contentType: string) => contentType.startsWith('image/');

/**
 * checkFile is why a file cannot be uploaded, found before sending it, or
 * undefined. The server checks again (by the bytes, not the name).
 */
export function checkFile(f: { name: string; type: string; size: number }): string | undefined {
  if (f.size === 0) return 'The file is empty.';
  if (f.size > maxAttachmentSize) return `Too large (${formatSize(f.size)}): a file may be at most 5 MB.`;
  if (f.type && !attachmentTypes.includes(f.type)) return 'Attach a JPEG, PNG or WebP image or a PDF.';
  if (!f.type && !/\.(jpe?g|png|webp|pdf)$/i.test(f.name)) return 'Attach a JPEG, PNG or WebP image or a PDF.';
  return undefined;
}

// ---- tickets -----------------------------------------------------------------

export const ticketCategoryLabel: Record<TicketCategory, string> = {
  order: 'An order',
  shipping: 'Shipping and delivery',
  return: 'A return or refund',
  payment: 'A payment',
  product: 'A product',
  account: 'My account',
  general: 'Something else',
};

export const ticketCategories = Object.keys(ticketCategoryLabel) as TicketCategory[];

const ticketTones: Record<TicketStatus, string> = {
  open: 'info',
  awaiting_customer: 'warn',
  awaiting_seller: 'info',
  awaiting_support: 'info',
  resolved: 'good',
  closed: 'muted',
};

export function ticketTone(s: TicketStatus): string {
  return ticketTones[s] ?? 'muted';
}

export function ticketLabel(s: string): string {
  return ticketStatusLabel[s as TicketStatus] ?? humanize(s);
}

/** A customer's view of whose turn it is: "Awaiting customer" reads "Awaiting your reply" to the customer. */
export function ticketLabelFor(s: TicketStatus, viewer: 'customer' | 'seller' | 'staff'): string {
  if (s === 'awaiting_customer' && viewer === 'customer') return 'Awaiting your reply';
  if (s === 'awaiting_seller' && viewer === 'seller') return 'Awaiting your reply';
  return ticketLabel(s);
}

/**
 * ticketContext reads what a new ticket is about from the page's query
 * (order_id, seller_order_id, product_id or return_id; the first given
 * wins, as the API takes one) and the topic that fits it.
 */
export function ticketContext(q: URLSearchParams): { about: Partial<Pick<TicketInput, 'order_id' | 'seller_order_id' | 'product_id' | 'return_id'>>; category: TicketCategory | '' } {
  const ret = q.get('return_id');
  if (ret) return { about: { return_id: ret }, category: 'return' };
  const so = q.get('seller_order_id');
  if (so) return { about: { seller_order_id: so }, category: 'order' };
  const order = q.get('order_id');
  if (order) return { about: { order_id: order }, category: 'order' };
  const product = q.get('product_id');
  if (product) return { about: { product_id: product }, category: 'product' };
  return { about: {}, category: '' };
}

// ---- returns -----------------------------------------------------------------

const returnTones: Record<ReturnStatus, string> = {
  requested: 'warn',
  approved: 'info',
  rejected: 'bad',
  in_transit: 'info',
  received: 'info',
  refunded: 'good',
  cancelled: 'muted',
};

export function returnTone(s: ReturnStatus): string {
  return returnTones[s] ?? 'muted';
}

export function returnLabel(s: string): string {
  return returnStatusLabel[s as ReturnStatus] ?? humanize(s);
}

export const pickupStatusLabel: Record<PickupStatus, string> = {
  scheduled: 'Pickup scheduled',
  picked_up: 'Picked up',
  failed_attempt: 'Pickup attempt failed',
  delivered: 'Delivered to the seller',
  cancelled: 'Pickup cancelled',
};

/** The label of one timeline entry: a return status or "pickup_" and a pickup status. */
export function returnEntryLabel(status: string): string {
  if (status === 'pickup_unassigned') return 'Drop-off needed';
  if (status === 'exchange_placed') return 'Exchange on its way';
  if (status === 'exchange_unavailable') return 'Exchange out of stock: refunded instead';
  if (status.startsWith('pickup_')) {
    const p = status.slice('pickup_'.length) as PickupStatus;
    return pickupStatusLabel[p] ?? humanize(p);
  }
  const own: Partial<Record<ReturnStatus, string>> = {
    requested: 'Return requested',
    approved: 'Approved by the seller',
    rejected: 'Rejected',
    in_transit: 'On its way back',
    received: 'Received by the seller',
    refunded: 'Refunded',
    cancelled: 'Cancelled',
  };
  return own[status as ReturnStatus] ?? humanize(status);
}

const badEntries = new Set(['rejected', 'cancelled', 'pickup_failed_attempt', 'pickup_cancelled']);

/** The happy path of a return, for showing the steps still ahead. */
const ahead: ReturnStatus[] = ['requested', 'approved', 'in_transit', 'received', 'refunded'];

/** returnSteps is a return's timeline, then the steps still to come while it is live. */
export function returnSteps(r: Pick<Return, 'status' | 'timeline'>): TimelineStep[] {
  const last = r.timeline.length - 1;
  const finished = r.status === 'refunded' || r.status === 'cancelled' || r.status === 'rejected';
  const steps: TimelineStep[] = r.timeline.map((e, i) => {
    let label = returnEntryLabel(e.status);
    // Who approved is in the note: the seller, its policy, or support overriding it.
    if (e.status === 'approved' && /support/i.test(e.note ?? '')) label = 'Approved by support';
    else if (e.status === 'approved' && /automatically/i.test(e.note ?? '')) label = 'Approved automatically';
    // System notes often just repeat the step ("approved by the seller"); show only what adds to it.
    const note = e.note && !label.toLowerCase().includes(e.note.toLowerCase()) ? e.note : '';
    return {
      label,
      at: e.at,
      state: badEntries.has(e.status) ? 'bad' : i === last && !finished ? 'current' : 'done',
      detail: [e.location, note].filter(Boolean).join(' · ') || undefined,
    };
  });
  if (!finished) {
    const at = ahead.indexOf(r.status);
    if (at >= 0) for (const s of ahead.slice(at + 1)) steps.push({ label: returnEntryLabel(s), state: 'todo' });
  }
  return steps;
}

/** canCancelReturn: a customer may withdraw a return until its parcel is picked up. */
export function canCancelReturn(r: Pick<Return, 'status' | 'pickup'>): boolean {
  if (r.status === 'requested') return true;
  if (r.status !== 'approved') return false;
  return !r.pickup || r.pickup.status === 'scheduled' || r.pickup.status === 'failed_attempt';
}

/** lineFieldErrors maps the API's "lines[i].field" errors of a request back to the SKUs it listed. */
export function lineFieldErrors(fields: { field: string; message: string }[], skus: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const m = /^lines\[(\d+)\]\.(\w+)$/.exec(f.field);
    if (!m) continue;
    const sku = skus[Number(m[1])];
    if (sku && !out[sku]) out[sku] = `${m[2] === 'sku' ? 'This item' : humanize(m[2])} ${f.message}`;
  }
  return out;
}

/** returnSummary is a return's items in a few words: "1 × Lamp, 2 × Mug". */
export function returnSummary(r: Pick<Return, 'lines'>): string {
  const s = r.lines
    .slice(0, 3)
    .map((l) => `${l.quantity} × ${l.title}`)
    .join(', ');
  return r.lines.length > 3 ? `${s} and ${r.lines.length - 3} more` : s;
}
