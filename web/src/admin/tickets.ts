// Pure helpers of the staff ticket queue: its filters (kept in the URL),
// the SLA's wording and the ticket's links to what it is about.
import type { Priority, Ticket, TicketStatus } from '../api/support';

export const ticketStatuses: TicketStatus[] = ['open', 'awaiting_support', 'awaiting_seller', 'awaiting_customer', 'resolved', 'closed'];
export const priorities: Priority[] = ['urgent', 'high', 'normal', 'low'];

export interface TicketFilter {
  /** A status, "open" meaning every unresolved one (the API's open=true), or "" for all. */
  status: string;
  priority: Priority | '';
  /** "me", "none" or "" (anyone). */
  assignee: '' | 'me' | 'none';
  overdue: boolean;
}

/** ticketFilter reads the queue's filter from the URL, dropping what the API would refuse. */
export function ticketFilter(get: (k: string) => string | null): TicketFilter {
  const status = get('status') ?? '';
  const priority = get('priority') ?? '';
  const assignee = get('assignee') ?? '';
  return {
    status: status === 'unresolved' || ticketStatuses.includes(status as TicketStatus) ? status : '',
    priority: priorities.includes(priority as Priority) ? (priority as Priority) : '',
    assignee: assignee === 'me' || assignee === 'none' ? assignee : '',
    overdue: get('overdue') === 'true',
  };
}

/** ticketQuery is the filter as GET /api/v1/ticket's query. */
export function ticketQuery(f: TicketFilter): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.status === 'unresolved') q.open = 'true';
  else if (f.status) q.status = f.status;
  if (f.priority) q.priority = f.priority;
  if (f.assignee) q.assignee = f.assignee;
  if (f.overdue) q.overdue = 'true';
  return q;
}

/** filterParams is the filter as the page's URL query (defaults left out). */
export function filterParams(f: TicketFilter): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.status) q.status = f.status;
  if (f.priority) q.priority = f.priority;
  if (f.assignee) q.assignee = f.assignee;
  if (f.overdue) q.overdue = 'true';
  return q;
}

/** span says a duration in words: "45 min", "3 h", "2 d". */
export function span(ms: number): string {
  const min = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/**
 * slaText says where a ticket stands against its first-response due time:
 * answered, overdue by how long, or due in how long.
 */
export function slaText(t: Pick<Ticket, 'first_response_due' | 'first_response_at' | 'overdue' | 'status'>, now: number): string {
  if (t.first_response_at) return 'Answered';
  if (t.status === 'resolved' || t.status === 'closed') return 'No answer needed';
  const due = Date.parse(t.first_response_due);
  if (Number.isNaN(due)) return '';
  if (t.overdue || due <= now) return `Overdue by ${span(now - due)}`;
  return `Due in ${span(due - now)}`;
}

/** Concerns is what a ticket is about, as links for staff or sellers. */
export interface Concern {
  label: string;
  id: string;
  to?: string;
}

/** concerns lists what a ticket is about, linking to the screens of the desk looking at it. */
export function concerns(t: Pick<Ticket, 'order_id' | 'seller_order_id' | 'product_id' | 'return_id'>, desk: 'seller' | 'staff'): Concern[] {
  const out: Concern[] = [];
  if (t.return_id) out.push({ label: 'Return', id: t.return_id, to: (desk === 'staff' ? '/admin/returns/' : '/seller/returns/') + t.return_id });
  if (t.order_id) out.push({ label: 'Order', id: t.order_id, to: desk === 'staff' ? '/admin/returns?order=' + t.order_id : undefined });
  if (t.seller_order_id) out.push({ label: 'Seller order', id: t.seller_order_id, to: desk === 'staff' ? '/admin/returns?seller_order=' + t.seller_order_id : undefined });
  if (t.product_id) out.push({ label: 'Product', id: t.product_id, to: desk === 'seller' ? '/seller/products/' + t.product_id : undefined });
  return out;
}

/** assigneeText names a ticket's assignee for the one looking. */
export function assigneeText(id: string | undefined, me: string | undefined, names?: Record<string, string>): string {
  if (!id) return 'Unassigned';
  if (id === me) return 'You';
  return names?.[id] ?? id;
}
