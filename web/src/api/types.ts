// JSON shapes of the Bazaar REST API (see /api/v1/openapi.json). Only what
// the UI reads is typed; the server may send more.

export interface Money {
  amount: number;
  currency: string;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string;
}

export type Role = 'customer' | 'seller' | 'admin' | 'delivery' | 'support';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: string;
  /** A mail reached the address (its link was opened); sellers need it to list products. */
  email_verified: boolean;
  created_at: string;
  updated_at: string;
}

export interface Session {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
  user: User;
}

export interface Category {
  id: string;
  name: string;
  slug: string;
  parent_id?: string | null;
  depth: number;
  path: string[];
  position: number;
}

export interface Image {
  id: string;
  url: string;
  content_type: string;
  width?: number;
  height?: number;
}

export interface Variant {
  id: string;
  sku: string;
  options: Record<string, string>;
  price: Money;
  available: number;
}

export type ProductStatus = 'draft' | 'active' | 'archived';

export interface Product {
  id: string;
  slug: string;
  seller_id: string;
  title: string;
  description: string;
  brand: string;
  category_id: string;
  category: { id: string; name: string; slug: string; path: string[] };
  attributes: Record<string, string>;
  status: ProductStatus;
  price_min: Money;
  price_max: Money;
  variants: Variant[];
  images: Image[];
  created_at: string;
  updated_at: string;
}

export interface NewProduct {
  title: string;
  brand: string;
  category_id: string;
  description: string;
  status: ProductStatus;
  attributes: Record<string, string>;
  variants: { sku: string; options: Record<string, string>; price: Money }[];
}

export interface Seller {
  id: string;
  user_id: string;
  name: string;
  slug: string;
  description: string;
  status: string;
  created_at: string;
}

export interface CartLine {
  id: string;
  sku: string;
  product_id: string;
  product_slug: string;
  product_title: string;
  options: Record<string, string>;
  image?: string;
  quantity: number;
  unit_price: Money;
  line_total: Money;
  available: number;
  in_stock: boolean;
  purchasable: boolean;
  currency_mismatch?: boolean;
}

export interface CartGroup {
  seller_id: string;
  seller_name: string;
  lines: CartLine[];
  subtotal: Money;
}

export interface Cart {
  id: string;
  currency: string;
  groups: CartGroup[];
  item_count: number;
  subtotal: Money;
  token?: string;
}

export interface WishItem {
  id: string;
  title: string;
  slug: string;
  brand: string;
  image?: string;
  min_price: Money;
  active: boolean;
  added_at: string;
}

export interface Address {
  id: string;
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  phone: string;
  is_default: boolean;
}

export type AddressInput = Omit<Address, 'id'>;

export interface Stock {
  sku: string;
  product_id: string;
  on_hand: number;
  reserved: number;
  available: number;
  warehouses: { warehouse_id: string; warehouse_name: string; on_hand: number; reserved: number; available: number }[];
}

// Ordering, payments and shipments.

export interface OrderLine {
  id: string;
  sku: string;
  product_id: string;
  title: string;
  options: Record<string, string>;
  quantity: number;
  unit_price: Money;
  line_total: Money;
  /** units refunded through returns */
  returned?: number;
}

export interface ShipmentRef {
  id: string;
  status: string;
  tracking_id: string;
}

export interface SellerOrder {
  id: string;
  order_id: string;
  seller_id: string;
  status: string;
  subtotal: Money;
  shipping: Money;
  tax: Money;
  total: Money;
  lines: OrderLine[];
  /** what returns of this part refunded */
  refunded?: Money;
  shipment?: ShipmentRef;
  cancel_reason?: string;
  shipped_at?: string;
  delivered_at?: string;
  cancelled_at?: string;
  updated_at: string;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  phone: string;
}

export interface Payment {
  id: string;
  order_id: string;
  status: string;
  amount: Money;
  method: string;
  gateway?: string;
  failure_code?: string;
  failure_message?: string;
  next_action?: NextAction;
  created_at: string;
}

/** NextAction is what the browser must do for a payment: "use_sdk" hands it to the gateway's SDK. */
export interface NextAction {
  type: string;
  redirect_url?: string;
  /** Stripe: the PaymentIntent's client secret, for the Payment Element. */
  client_secret?: string;
  gateway?: string;
  /** Stripe's publishable key or Razorpay's key ID. */
  publishable_key?: string;
  /** Razorpay's order ID, for Checkout. */
  gateway_order_id?: string;
}

/** CheckoutConfig is GET /api/v1/payment/checkout: how payments in a currency are taken. */
export interface CheckoutConfig {
  currency: string;
  gateway: string;
  client_side: boolean;
  publishable_key?: string;
  /** Where the gateway's browser SDK is loaded from. */
  script_url?: string;
  /** Cash on delivery, for the cart asked about; absent when the marketplace has it switched off. */
  cash_on_delivery?: CashOnDeliveryOption;
}

/** CashOnDeliveryOption is whether a cart can be paid in cash on delivery, and if not, why. */
export interface CashOnDeliveryOption {
  available: boolean;
  /** The largest order total taken in cash, in the currency asked about. */
  limit?: Money;
  /** Why it is not available: present when available is false. */
  reason?: string;
}

export interface Order {
  id: string;
  status: string;
  currency: string;
  subtotal: Money;
  shipping: Money;
  tax: Money;
  total: Money;
  refunded?: Money;
  shipping_address: ShippingAddress;
  reservation_expires_at: string;
  placed_at: string;
  paid_at?: string;
  cancelled_at?: string;
  cancel_reason?: string;
  payment_status?: string;
  last_payment_error?: { code: string; message: string };
  seller_orders: SellerOrder[];
  payments?: Payment[];
}

export interface TrackingEntry {
  status: string;
  location: string;
  note: string;
  proof: string;
  at: string;
}

export interface Shipment {
  id: string;
  order_id: string;
  seller_order_id: string;
  seller_id: string;
  status: string;
  carrier: string;
  tracking_id: string;
  partner_id?: string;
  shipping_address: ShippingAddress;
  items: { sku: string; product_id: string; title: string; quantity: number }[];
  /** Cash on delivery: what the partner collects at the door (absent for prepaid shipments). */
  cash_due?: Money;
  /** Cash on delivery: what the partner recorded collecting, once delivered. */
  cash_collected?: Money;
  created_at: string;
  updated_at: string;
  timeline: TrackingEntry[];
}

// Search (GET /api/v1/search).

export interface FacetValue {
  value: string;
  label: string;
  count: number;
}

export interface SearchHit {
  id: string;
  title: string;
  slug: string;
  brand: string;
  seller_id: string;
  seller_name?: string;
  category_id: string;
  price: { min: Money; max: Money };
  image?: string;
  rating: number;
  rating_count: number;
  availability: string;
  available: number;
  /** The matched words in <mark> tags; the rest is HTML-escaped. */
  highlights?: { title?: string; description?: string };
}

export interface AttributeFacet {
  name: string;
  values: FacetValue[];
}

export interface SearchResult {
  items: SearchHit[];
  next_cursor?: string;
  total: number;
  facets: {
    category: FacetValue[];
    brand: FacetValue[];
    price: FacetValue[];
    rating: FacetValue[];
    attributes: AttributeFacet[];
  };
  relaxed?: boolean;
}

export interface Suggestion {
  kind: 'query' | 'category' | 'brand' | 'product';
  text: string;
  value?: string;
  id?: string;
}

// Ratings and reviews (GET /api/v1/product/{id}/review and /api/v1/review).

export type ReviewStatus = 'published' | 'hidden';

export interface Review {
  id: string;
  product_id: string;
  /** The name shown: "Ada L.". */
  author: string;
  rating: number;
  title: string;
  body: string;
  verified_purchase: boolean;
  status: ReviewStatus;
  /** Why moderation hid (or showed) it: for the author and staff only. */
  moderation_note?: string;
  created_at: string;
  updated_at: string;
}

/** Histogram is how many reviews gave each star rating, "1" to "5". */
export type Histogram = Record<'1' | '2' | '3' | '4' | '5', number>;

export interface ReviewSummary {
  product_id: string;
  /** 0 when count is 0. */
  average: number;
  /** Every rating: published reviews and ratings loaded without text. */
  count: number;
  histogram: Histogram;
  /** Published written reviews: what the list pages through. */
  reviews?: number;
}

export interface ReviewPage extends Page<Review> {
  summary: ReviewSummary;
}

/**
 * ModeratedReview is a review as staff list it (GET /api/v1/review): with
 * its author's account and its product's title and slug (both empty when
 * the product is gone).
 */
export interface ModeratedReview extends Review {
  customer_id: string;
  product_title: string;
  product_slug?: string;
}

/** ModerationInput hides a review or shows it again; the author sees the reason. */
export interface ModerationInput {
  status: ReviewStatus;
  reason: string;
}

/** ReviewInput is what a customer writes; title and body may be empty. */
export interface ReviewInput {
  rating: number;
  title: string;
  body: string;
}

/**
 * DeadLetter is an event one consumer failed to apply on every attempt
 * (GET /api/v1/admin/event/dead): it waits for an admin to replay it once
 * the cause is fixed.
 */
export interface DeadLetter {
  /** The letter's ID ("dlv_..."): replay it by this. */
  id: string;
  /** Who failed it: "order", "shipment", "search.signals", "search@<replica>", "metrics"... */
  consumer: string;
  event_id: string;
  /** "order.paid.v1". */
  topic: string;
  /** The ID of what the event is about ("ord_..."). */
  aggregate: string;
  /** The event's JSON as published. */
  payload: unknown;
  attempts: number;
  last_error: string;
  /** When the event happened. */
  event_time: string;
  /** When its last attempt failed. */
  dead_at: string;
}

/** DeadFilter narrows the dead letters to one consumer's and/or one topic's; "" is any. */
export interface DeadFilter {
  consumer: string;
  topic: string;
}
