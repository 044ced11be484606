// Types of the support module's API: tickets, attachments, returns and
// return policies (see /api/v1/openapi.json, tags "support" and "return").

import type { Money, Page, Role } from './types';

export type TicketStatus = 'open' | 'awaiting_customer' | 'awaiting_seller' | 'awaiting_support' | 'resolved' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type TicketCategory = 'order' | 'shipping' | 'return' | 'payment' | 'product' | 'account' | 'general';

export const ticketStatusLabel: Record<TicketStatus, string> = {
  open: 'Open',
  awaiting_customer: 'Awaiting customer',
  awaiting_seller: 'Awaiting seller',
  awaiting_support: 'Awaiting support',
  resolved: 'Resolved',
  closed: 'Closed',
};

/** An uploaded file. Its url needs the caller's bearer token: fetch it, do not link it. */
export interface Attachment {
  id: string;
  name: string;
  content_type: string;
  size: number;
  url: string;
  created_at: string;
}

export interface Message {
  id: string;
  ticket_id: string;
  author_id: string; // "" for others' messages unless the viewer is staff
  author_role: Role;
  author_name?: string; // "You", "Customer", "Seller" or "Support"
  body: string;
  internal: boolean; // staff-only note
  attachments: Attachment[];
  created_at: string;
}

export interface Ticket {
  id: string;
  subject: string;
  category: TicketCategory;
  status: TicketStatus;
  priority: Priority;
  customer_id: string;
  seller_id?: string;
  assignee_id?: string; // staff only
  order_id?: string;
  seller_order_id?: string;
  product_id?: string;
  return_id?: string;
  first_response_due: string;
  first_response_at?: string;
  overdue: boolean;
  message_count: number;
  last_reply_by?: string;
  last_message_at: string;
  resolved_at?: string;
  closed_at?: string;
  created_at: string;
  updated_at: string;
  messages?: Message[]; // GET /api/v1/ticket/{id} only
}

export interface TicketInput {
  subject: string;
  body: string;
  category?: TicketCategory;
  order_id?: string;
  seller_order_id?: string;
  product_id?: string;
  return_id?: string;
  attachments?: string[];
}

export interface MessageInput {
  body: string;
  internal?: boolean;
  attachments?: string[];
}

export interface TicketUpdate {
  priority?: Priority;
  assignee_id?: string;
  status?: TicketStatus;
}

export type ReturnStatus = 'requested' | 'approved' | 'rejected' | 'in_transit' | 'received' | 'refunded' | 'cancelled';
export type ReturnReason = 'damaged' | 'defective' | 'wrong_item' | 'not_as_described' | 'no_longer_needed' | 'size_or_fit' | 'other';
export type PickupStatus = 'scheduled' | 'picked_up' | 'failed_attempt' | 'delivered' | 'cancelled';

export const returnStatusLabel: Record<ReturnStatus, string> = {
  requested: 'Requested',
  approved: 'Approved',
  rejected: 'Rejected',
  in_transit: 'On its way back',
  received: 'Received',
  refunded: 'Refunded',
  cancelled: 'Cancelled',
};

export const reasonLabel: Record<ReturnReason, string> = {
  damaged: 'Arrived damaged',
  defective: 'Defective',
  wrong_item: 'Wrong item sent',
  not_as_described: 'Not as described',
  no_longer_needed: 'No longer needed',
  size_or_fit: 'Size or fit',
  other: 'Other',
};

export interface ReturnLine {
  sku: string;
  product_id: string;
  title: string;
  quantity: number;
  reason: ReturnReason;
  unit_price: Money;
  sellable: number; // units received sellable
  damaged: number; // units received damaged
  exchange_sku?: string; // the variant sent instead of money
}

export interface PickupAddress {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  phone: string;
}

export interface Pickup {
  partner_id: string;
  status: PickupStatus;
  tracking_id: string;
  address: PickupAddress;
  updated_at: string;
}

/** One step of a return's timeline: a return status, or a pickup status prefixed "pickup_". */
export interface ReturnEntry {
  status: string;
  note?: string;
  location?: string;
  actor_id?: string;
  at: string;
}

export interface Return {
  id: string;
  order_id: string;
  seller_order_id: string;
  seller_id: string;
  customer_id: string;
  status: ReturnStatus;
  lines: ReturnLine[];
  comment?: string;
  photos: Attachment[];
  auto_approved: boolean;
  reject_reason?: string;
  restocking_fee: Money;
  refund: Money;
  restocked: number;
  pickup?: Pickup;
  delivered_at: string;
  timeline: ReturnEntry[];
  created_at: string;
  updated_at: string;
  ticket_id?: string;
  exchange_order_id?: string; // the replacement order, once placed
}

export interface ReturnInput {
  seller_order_id: string;
  lines: { sku: string; quantity: number; reason: ReturnReason; exchange_sku?: string }[];
  comment?: string;
  photos?: string[];
}

export interface EligibilityLine {
  sku: string;
  product_id: string;
  title: string;
  quantity: number;
  unit_price: Money;
  returnable: boolean;
  available: number;
  exchange?: ExchangeOption[]; // other variants in stock, to take instead of money
}

/** ExchangeOption is a variant a returned item may be exchanged for. */
export interface ExchangeOption {
  sku: string;
  options: Record<string, string>;
  available: number;
}

/** optionLabel names a variant by its options: "size L, colour blue". */
export function optionLabel(o: Pick<ExchangeOption, 'sku' | 'options'>): string {
  const parts = Object.entries(o.options ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : o.sku;
}

export interface Eligibility {
  seller_order_id: string;
  open: boolean;
  deadline?: string;
  why?: 'not_delivered' | 'return_window_closed';
  lines: EligibilityLine[];
}

export interface ReceiveInput {
  lines: { sku: string; quantity: number; condition: 'sellable' | 'damaged' }[];
  restocking_fee?: Money;
}

export interface ReturnPolicy {
  seller_id: string;
  window_days: number;
  auto_approve: ReturnReason[];
  updated_at: string;
}

export type TicketPage = Page<Ticket>;
export type ReturnPage = Page<Return>;
