import type { Platform } from '../shared/platform';
import type { FunctionDefinition, HttpFunction } from './definition';
import { tenantFunctions } from './http/tenants';
import { transactionFunctions } from './http/transactions';
import { customerFunctions } from './http/customers';
import { healthFunction, openApiFunction } from './http/system';
import { customerActivityFunction } from './messages/customer-activity';
import { outboxSweeperFunction } from './timers/outbox-sweeper';
import { stockFunctions } from './http/stock';
import { stockMovementsFunction } from './messages/stock-movements';
import { stockSweeperFunction, stockReconciliationFunction } from './timers/stock';

/** The one list of the platform's functions. */
export function functionCatalog(platform: Platform): FunctionDefinition[] {
  const http: HttpFunction[] = [...tenantFunctions(platform), ...transactionFunctions(platform), ...customerFunctions(platform), ...stockFunctions(platform), healthFunction(platform)];
  return [
    ...http,
    openApiFunction(platform, () => http),
    customerActivityFunction(platform),
    outboxSweeperFunction(platform),
    stockMovementsFunction(platform),
    stockSweeperFunction(platform),
    stockReconciliationFunction(platform),
  ];
}
