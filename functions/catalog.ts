import type { Platform } from '../shared/platform';
import type { FunctionDefinition, HttpFunction } from '../shared/edge/definition';
import { tenantFunctions } from '../shared/tenancy/http';
import { transactionFunctions } from '../shared/transactions/http';
import { customerFunctions } from '../shared/customers/http';
import { receiptFunctions } from '../shared/receipts/http';
import { receiptIssuerFunction } from '../shared/receipts/consumers';
import { healthFunction, openApiFunction } from '../shared/edge/system';
import { couponFunctions } from '../shared/coupons/http';
import { giftCardFunctions } from '../shared/gift-cards/http';
import { customerActivityFunction } from '../shared/transactions/consumers';
import { couponRedemptionsFunction } from '../shared/coupons/consumers';
import { couponHoldSweeperFunction } from '../shared/coupons/timers';
import { outboxSweeperFunction } from '../shared/transactions/timers';
import { loyaltyFunctions } from '../shared/loyalty/http';
import { loyaltyAccrualFunction } from '../shared/loyalty/consumers';
import { loyaltyMaintenanceFunction } from '../shared/loyalty/timers';
import { stockFunctions } from '../shared/stock/http';
import { stockMovementsFunction } from '../shared/stock/consumers';
import { stockSweeperFunction, stockReconciliationFunction } from '../shared/stock/timers';

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
