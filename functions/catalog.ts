import type { Platform } from '../shared/platform';
import type { FunctionDefinition, HttpFunction } from './definition';
import { tenantFunctions } from './http/tenants';
import { transactionFunctions } from './http/transactions';
import { customerFunctions } from './http/customers';
import { receiptFunctions } from './http/receipts';
import { receiptIssuerFunction } from './messages/receipts';
import { healthFunction, openApiFunction } from './http/system';
import { couponFunctions } from './http/coupons';
import { giftCardFunctions } from './http/gift-cards';
import { customerActivityFunction } from './messages/customer-activity';
import { couponRedemptionsFunction } from './messages/coupon-redemptions';
import { couponHoldSweeperFunction } from './timers/coupon-hold-sweeper';
import { outboxSweeperFunction } from './timers/outbox-sweeper';
import { loyaltyFunctions } from './http/loyalty';
import { loyaltyAccrualFunction } from './messages/loyalty';
import { loyaltyMaintenanceFunction } from './timers/loyalty-maintenance';
import { stockFunctions } from './http/stock';
import { stockMovementsFunction } from './messages/stock-movements';
import { stockSweeperFunction, stockReconciliationFunction } from './timers/stock';

/** The one list of the platform's functions. */
export function functionCatalog(platform: Platform): FunctionDefinition[] {
  const http: HttpFunction[] = [
    ...tenantFunctions(platform),
    ...transactionFunctions(platform),
    ...customerFunctions(platform),
    ...couponFunctions(platform),
    ...giftCardFunctions(platform),
    ...loyaltyFunctions(platform),
    ...receiptFunctions(platform),
    ...stockFunctions(platform),
    healthFunction(platform),
  ];
  return [
    ...http,
    openApiFunction(platform, () => http),
    customerActivityFunction(platform),
    loyaltyAccrualFunction(platform),
    couponRedemptionsFunction(platform),
    receiptIssuerFunction(platform),
    stockMovementsFunction(platform),
    outboxSweeperFunction(platform),
    loyaltyMaintenanceFunction(platform),
    couponHoldSweeperFunction(platform),
    stockSweeperFunction(platform),
    stockReconciliationFunction(platform),
  ];
}
