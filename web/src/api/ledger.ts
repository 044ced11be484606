// Types of the ledger module's API: sellers' balances and statements,
// payout settings and payouts, commission rules and cash on delivery (see
// /api/v1/openapi.json, tag "ledger"). Amounts are minor units.

import type { Money } from './types';

export interface NextPayout {
  date: string;
  amount: Money;
}

/** CurrencyBalance is what the platform owes a seller in one currency. */
export interface CurrencyBalance {
  currency: string;
  /** Seller orders still in their return window. */
  pending: Money;
  /** To be paid out; negative when the seller owes refunds. */
  available: Money;
  /** In payouts not yet paid. */
  in_transit: Money;
  /** Null under the payout minimum or without a payout account. */
  next_payout: NextPayout | null;
}

export interface SellerBalance {
  seller_id: string;
  /** False until the seller says where to be paid: no payout is made before. */
  payout_account: boolean;
  balances: CurrencyBalance[];
}

/** The seller accounts a statement shows. */
export type StatementAccount = 'available' | 'pending' | 'payout';

export type TxnKind =
  | 'sale'
  | 'refund'
  | 'release'
  | 'payout'
  | 'payout_paid'
  | 'payout_failed'
  | 'cod_collected'
  | 'cod_handover'
  | 'gateway_fee'
  | 'goodwill';

export const txnKinds: TxnKind[] = ['sale', 'refund', 'release', 'payout', 'payout_paid', 'payout_failed', 'cod_collected', 'cod_handover', 'gateway_fee', 'goodwill'];

/** Line is one statement line: amount from the seller's side, balance after it. */
export interface Line {
  txn_id: string;
  kind: TxnKind;
  reference: string;
  order_id?: string;
  seller_order_id?: string;
  refund_id?: string;
  payout_id?: string;
  account: string;
  amount: Money;
  balance: Money;
  created_at: string;
}

export type PayoutChannel = 'stripe' | 'manual';

/** PayoutSettings are where a seller is paid, numbers masked; channel is absent until set. */
export interface PayoutSettings {
  seller_id: string;
  channel?: PayoutChannel;
  stripe_account?: string;
  holder?: string;
  account?: string;
  routing?: string;
  updated_at?: string;
}

export interface PayoutSettingsInput {
  stripe_account?: string;
  bank?: { holder: string; account: string; routing: string };
}

export type PayoutStatus = 'pending' | 'in_transit' | 'paid' | 'failed';

export const payoutStatuses: PayoutStatus[] = ['pending', 'in_transit', 'paid', 'failed'];

export interface Payout {
  id: string;
  seller_id: string;
  amount: Money;
  status: PayoutStatus;
  channel: PayoutChannel;
  /** Masked: "acct_****9xyz", "****1234". */
  destination: string;
  /** The Stripe transfer, or the bank's reference given when marked paid. */
  transfer_id?: string;
  failure?: string;
  created_at: string;
  updated_at: string;
  approved_at?: string;
  paid_at?: string;
  failed_at?: string;
}

/** Rate is a commission: bps basis points (1000 = 10 %) plus fixed fees per currency. */
export interface Rate {
  bps: number;
  fees: Money[];
}

export interface CategoryRate {
  category_id: string;
  bps: number;
}

export interface SellerRate {
  seller_id: string;
  bps: number;
  fees: Money[];
}

/** Rules are the whole commission schedule and the version to send back. */
export interface Rules {
  version: number;
  default: Rate;
  categories: CategoryRate[];
  sellers: SellerRate[];
  updated_at?: string;
}

export interface PartnerCash {
  partner_id: string;
  held: Money;
}

export interface HandoverInput {
  amount: Money;
  reference?: string;
}

/** PayoutRun is what an admin's "pay out now" did. */
export interface PayoutRun {
  /** Seller orders whose share became available. */
  released: number;
  /** Payouts created. */
  created: number;
  /** Unconfirmed transfers sent again. */
  sent: number;
}

/** GatewayBalance is the money at one gateway ("cod": cash on delivery still to collect). */
export interface GatewayBalance {
  gateway: string;
  balance: Money;
}

/** CurrencyBooks is every platform account's total in one currency, each on its normal side. */
export interface CurrencyBooks {
  currency: string;
  gateways: GatewayBalance[];
  partners_cash: Money;
  cash: Money;
  paid_out: Money;
  commission: Money;
  gateway_fees: Money;
  goodwill: Money;
  sellers_pending: Money;
  sellers_available: Money;
  sellers_in_transit: Money;
}

export interface Books {
  currencies: CurrencyBooks[];
}

/** Entry is one line of a transaction: debits positive, credits negative. */
export interface Entry {
  account: string;
  amount: Money;
}

/** Txn is one balanced ledger transaction. */
export interface Txn {
  id: string;
  kind: TxnKind;
  reference: string;
  order_id?: string;
  seller_order_id?: string;
  payment_id?: string;
  refund_id?: string;
  payout_id?: string;
  seller_id?: string;
  partner_id?: string;
  memo?: string;
  created_at: string;
  entries: Entry[];
}
