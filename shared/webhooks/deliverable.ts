import type { AnyContract } from '../kernel/events';
import { TransactionClaimed, TransactionRecorded } from '../transactions';
import { ReceiptIssued } from '../receipts';
import { StockChanged } from '../stock';
import { LoyaltyPointsChanged } from '../loyalty';
import { CouponIssued, CouponRedeemed } from '../coupons';
import { SegmentEntered, SegmentLeft } from '../segments';
import { OfferIssued } from '../offers';

/**
 * Every event a tenant may subscribe a webhook endpoint to, in one list: the consumer's
 * subscription, the event types an endpoint may name and the documented payloads all derive from
 * it. Another capability makes its event deliverable by adding its contract here, one line.
 */
export const DELIVERABLE_EVENTS = [
  TransactionRecorded,
  TransactionClaimed,
  ReceiptIssued,
  StockChanged,
  LoyaltyPointsChanged,
  CouponIssued,
  CouponRedeemed,
  SegmentEntered,
  SegmentLeft,
  OfferIssued,
] as const satisfies readonly AnyContract[];

/**
 * The version of the webhook envelope (`{ id, type, version, timestamp, tenantId, subject, data }`).
 * `data` is the event contract's schema; a change that breaks a receiver becomes a new version.
 */
export const PAYLOAD_VERSION = 1;

export const deliverableTypes = (): string[] => DELIVERABLE_EVENTS.map((contract) => contract.type);
