import { z } from 'zod';
import { ReportQuery, RebuildResultSchema, type Analytics } from './analytics';
import { CouponReportSchema, CSV_REPORTS, CustomerReportSchema, SalesReportSchema, TopReportSchema } from './reports';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { ProblemSchema } from '../edge/schemas';

const problems = {
  400: { description: 'Invalid input; `errors` lists each field', schema: ProblemSchema },
  401: { description: 'Missing or wrong API key', schema: ProblemSchema },
};
const TopQuery = ReportQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) });
const CsvSchema = z.string().meta({ id: 'AnalyticsCsv', description: 'RFC 4180 CSV with a header row; money in minor units' });

/** Reports over daily rollups, for the tenant's admin keys (a location-limited key sees its locations only). */
export function analyticsRoutes(edge: EdgeKit, analytics: Analytics): HttpFunction[] {
  const report = <S extends z.ZodType>(name: string, path: string, summary: string, schema: S, run: Parameters<typeof endpoint>[1]['handle']) =>
    endpoint(edge, {
      name,
      method: 'GET',
      route: `v1/analytics/${path}`,
      summary,
      tags: ['Analytics'],
      auth: 'tenant',
      roles: ['admin'],
      query: path === 'top' ? TopQuery : ReportQuery,
      responses: { 200: { description: summary, schema }, ...problems },
      handle: run,
    });
  return [
    report('analyticsSales', 'sales', 'Sales and returns per channel and day', SalesReportSchema, async ({ principal, query }) => ({
      status: 200,
      body: await analytics.sales(principal!, query as ReportQuery),
    })),
    report(
      'analyticsCustomers',
      'customers',
      'Identified share, omnichannel customers and their spend against single-channel ones, repeat rate',
      CustomerReportSchema,
      async ({ principal, query }) => ({ status: 200, body: await analytics.customers(principal!, query as ReportQuery) }),
    ),
    report('analyticsTop', 'top', 'Top families and products by net sales', TopReportSchema, async ({ principal, query }) => {
      const q = query as z.output<typeof TopQuery>;
      return { status: 200, body: await analytics.top(principal!, q, q.limit) };
    }),
    report('analyticsCoupons', 'coupons', 'Coupon redemptions by channel and code', CouponReportSchema, async ({ principal, query }) => ({
      status: 200,
      body: await analytics.coupons(principal!, query as ReportQuery),
    })),
    endpoint(edge, {
      name: 'analyticsCsv',
      method: 'GET',
      route: 'v1/analytics/{report}/csv',
      summary: 'One report as CSV (sales, customers, families, products, coupons)',
      tags: ['Analytics'],
      auth: 'tenant',
      roles: ['admin'],
      params: z.object({ report: z.enum(CSV_REPORTS) }),
      query: ReportQuery,
      responses: { 200: { description: 'The report as CSV', schema: CsvSchema, contentType: 'text/csv; charset=utf-8' }, ...problems },
      handle: async ({ principal, params, query }) => ({
        status: 200,
        body: await analytics.csv(principal, params.report, query),
        headers: { 'content-disposition': `attachment; filename="${params.report}-${query.from}-${query.to}.csv"` },
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
