import { z } from 'zod';
import { ReportQuery, RebuildResultSchema, type Analytics } from './analytics';
import { CouponReportSchema, CSV_REPORTS, CustomerReportSchema, SalesReportSchema, TopReportSchema } from './reports';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { ProblemSchema } from '../edge/schemas';
import type { Principal } from '../tenancy';

const problems = {
  400: { description: 'Invalid input; `errors` lists each field', schema: ProblemSchema },
  401: { description: 'Missing or wrong API key', schema: ProblemSchema },
};
const TopQuery = ReportQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) });
const CsvSchema = z.string().meta({ id: 'AnalyticsCsv', description: 'RFC 4180 CSV with a header row; money in minor units' });

/** Reports over daily rollups, for the tenant's admin keys (a location-limited key sees its locations only). */
export function analyticsRoutes(edge: EdgeKit, analytics: Analytics): HttpFunction[] {
  const report = <Q extends typeof ReportQuery | typeof TopQuery>(
    name: string,
    path: string,
    summary: string,
    schema: z.ZodType,
    query: Q,
    run: (principal: Principal, query: z.output<Q>) => Promise<unknown>,
  ) =>
    endpoint(edge, {
      name,
      method: 'GET',
      route: `v1/analytics/${path}`,
      summary,
      tags: ['Analytics'],
      auth: 'tenant',
      roles: ['admin', 'marketing', 'store'],
      query,
      responses: { 200: { description: summary, schema }, ...problems },
      handle: async ({ principal, query }) => ({ status: 200, body: await run(principal, query as z.output<Q>) }),
    });
  return [
    report('analyticsSales', 'sales', 'Sales and returns per channel and day', SalesReportSchema, ReportQuery, (p, q) => analytics.sales(p, q)),
    report(
      'analyticsCustomers',
      'customers',
      'Identified share, omnichannel customers and their spend against single-channel ones, repeat rate',
      CustomerReportSchema,
      ReportQuery,
      (p, q) => analytics.customers(p, q),
    ),
    report('analyticsTop', 'top', 'Top families and products by net sales', TopReportSchema, TopQuery, (p, q) => analytics.top(p, q, q.limit)),
    report('analyticsCoupons', 'coupons', 'Coupon redemptions by channel and code', CouponReportSchema, ReportQuery, (p, q) => analytics.coupons(p, q)),
    endpoint(edge, {
      name: 'analyticsCsv',
      method: 'GET',
      route: 'v1/analytics/csv',
      summary: 'One report as CSV (`report`: sales, customers, families, products, coupons)',
      tags: ['Analytics'],
      auth: 'tenant',
      roles: ['admin', 'marketing', 'store'],
      query: ReportQuery.extend({ report: z.enum(CSV_REPORTS) }),
      responses: { 200: { description: 'The report as CSV', schema: CsvSchema, contentType: 'text/csv; charset=utf-8' }, ...problems },
      handle: async ({ principal, query }) => ({
        status: 200,
        body: await analytics.csv(principal, query.report, query),
        headers: { 'content-disposition': `attachment; filename="${query.report}-${query.from}-${query.to}.csv"` },
      }),
    }),
    endpoint(edge, {
      name: 'rebuildAnalytics',
      method: 'POST',
      route: 'v1/analytics/rebuild',
      summary: "Recompute the tenant's rollups from its transactions (run while its events are quiet)",
      tags: ['Analytics'],
      auth: 'tenant',
      roles: ['admin'],
      responses: { 200: { description: 'Rebuilt', schema: RebuildResultSchema }, ...problems },
      handle: async ({ principal }) => ({ status: 200, body: await analytics.rebuild(principal.tenantId) }),
    }),
  ];
}
