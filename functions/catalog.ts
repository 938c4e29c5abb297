import type { Platform } from '../shared/platform';
import type { FunctionDefinition, HttpFunction } from './definition';
import { tenantFunctions } from './http/tenants';
import { transactionFunctions } from './http/transactions';
import { customerFunctions } from './http/customers';
import { receiptFunctions } from './http/receipts';
import { receiptIssuerFunction } from './messages/receipts';
import { healthFunction, openApiFunction } from './http/system';
import { customerActivityFunction } from './messages/customer-activity';
import { outboxSweeperFunction } from './timers/outbox-sweeper';

/** The one list of the platform's functions. */
export function functionCatalog(platform: Platform): FunctionDefinition[] {
  const http: HttpFunction[] = [...tenantFunctions(platform), ...transactionFunctions(platform), ...customerFunctions(platform), ...receiptFunctions(platform), healthFunction(platform)];
  return [
    ...http,
    openApiFunction(platform, () => http),
    customerActivityFunction(platform),
    receiptIssuerFunction(platform),
    outboxSweeperFunction(platform),
  ];
}
