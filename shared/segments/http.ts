import { z } from 'zod';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { commonProblems as problems, erasedCustomer, id, PageQuery } from '../edge/schemas';
import { seesPersonalData } from '../tenancy';
import {
  CustomerSegmentsSchema,
  CustomerTraitsSchema,
  ExportInput,
  fieldsDocument,
  MemberPageSchema,
  PreviewInput,
  PreviewSchema,
  SegmentExportSchema,
  SegmentFieldsSchema,
  SegmentInput,
  SegmentListSchema,
  SegmentViewSchema,
  SizeHistorySchema,
  type SegmentService,
} from './segments';
import type { TraitsService } from './traits-service';

const SegmentParams = z.object({ segmentId: id });
const CustomerParams = z.object({ customerId: id });
const tags = ['Segments'];

export function segmentRoutes(edge: EdgeKit, segments: SegmentService, traits: TraitsService): HttpFunction[] {
  return [
    endpoint(edge, {
      name: 'getCustomerTraits',
      method: 'GET',
      route: 'v1/customers/{customerId}/traits',
      summary: 'Behaviour and profile traits as of now (postal code masked unless the caller is an admin or support)',
      tags,
      auth: 'tenant',
      params: CustomerParams,
      responses: { 200: { description: 'The traits (a merged id answers with its survivor)', schema: CustomerTraitsSchema }, ...problems, ...erasedCustomer },
      handle: async ({ principal, params }) => ({
        status: 200,
        body: await traits.view(principal.tenantId, params.customerId, seesPersonalData(principal) ? 'full' : 'masked'),
      }),
    }),
    endpoint(edge, {
      name: 'getCustomerSegments',
      method: 'GET',
      route: 'v1/customers/{customerId}/segments',
      summary: 'The segments a customer is in now, and since when',
      tags,
      auth: 'tenant',
      params: CustomerParams,
      responses: { 200: { description: 'Memberships', schema: CustomerSegmentsSchema }, ...problems, ...erasedCustomer },
      handle: async ({ principal, params }) => ({ status: 200, body: await segments.customerSegments(principal, params.customerId) }),
    }),
    endpoint(edge, {
      name: 'getSegmentFields',
      method: 'GET',
      route: 'v1/segments/fields',
      summary: 'The traits a segment can test, their types and the operators for each type: enough to build a form',
      tags,
      auth: 'tenant',
      responses: { 200: { description: 'Traits, operators and groups', schema: SegmentFieldsSchema }, 401: problems[401] },
      handle: async () => ({ status: 200, body: fieldsDocument() }),
    }),
    endpoint(edge, {
      name: 'previewSegment',
      method: 'POST',
      route: 'v1/segments/preview',
      summary: 'Evaluate a draft definition now without saving it: how many customers, and 20 of them',
      tags,
      auth: 'tenant',
      roles: ['pos', 'ecommerce', 'admin', 'marketing'],
      body: PreviewInput,
      responses: { 200: { description: 'Count and sample (masked unless the caller is an admin or support)', schema: PreviewSchema }, ...problems },
      handle: async ({ principal, body }) => ({ status: 200, body: await segments.preview(principal, body.definition) }),
    }),
    endpoint(edge, {
      name: 'createSegment',
      method: 'POST',
      route: 'v1/segments',
      summary: 'Create a segment; its backfill over the existing customers starts at once, new qualifying sales enter it in real time',
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      body: SegmentInput,
      responses: { 201: { description: 'Created', schema: SegmentViewSchema }, ...problems },
      handle: async ({ principal, body }) => {
        const segment = await segments.create(principal, body);
        return { status: 201, body: segment, headers: { location: `/api/v1/segments/${segment.segmentId}` } };
      },
    }),
    endpoint(edge, {
      name: 'listSegments',
      method: 'GET',
      route: 'v1/segments',
      summary: "The tenant's segments with their sizes and backfill progress",
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      responses: { 200: { description: 'Segments', schema: SegmentListSchema }, 401: problems[401] },
      handle: async ({ principal }) => ({ status: 200, body: { items: await segments.list(principal) } }),
    }),
    endpoint(edge, {
      name: 'getSegment',
      method: 'GET',
      route: 'v1/segments/{segmentId}',
      summary: 'A segment, its size and its backfill progress',
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: SegmentParams,
      responses: { 200: { description: 'The segment', schema: SegmentViewSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await segments.get(principal, params.segmentId) }),
    }),
    endpoint(edge, {
      name: 'updateSegment',
      method: 'PUT',
      route: 'v1/segments/{segmentId}',
      summary: 'Edit a segment: a new version, whose backfill restarts from the beginning',
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: SegmentParams,
      body: SegmentInput,
      responses: { 200: { description: 'Saved', schema: SegmentViewSchema }, ...problems },
      handle: async ({ principal, params, body }) => ({ status: 200, body: await segments.update(principal, params.segmentId, body) }),
    }),
    endpoint(edge, {
      name: 'deleteSegment',
      method: 'DELETE',
      route: 'v1/segments/{segmentId}',
      summary: 'Delete a segment (no more events for it)',
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: SegmentParams,
      responses: { 204: { description: 'Deleted' }, ...problems },
      handle: async ({ principal, params }) => {
        await segments.remove(principal, params.segmentId);
        return { status: 204 };
      },
    }),
    endpoint(edge, {
      name: 'listSegmentMembers',
      method: 'GET',
      route: 'v1/segments/{segmentId}/members',
      summary: 'Members now, a page at a time',
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: SegmentParams,
      query: PageQuery,
      responses: { 200: { description: 'A page of members', schema: MemberPageSchema }, ...problems },
      handle: async ({ principal, params, query }) => ({
        status: 200,
        body: await segments.members(principal, params.segmentId, query.limit, query.continuationToken),
      }),
    }),
    endpoint(edge, {
      name: 'getSegmentSizeHistory',
      method: 'GET',
      route: 'v1/segments/{segmentId}/sizes',
      summary: 'Size per day, as the daily review recorded it',
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: SegmentParams,
      responses: { 200: { description: 'Sizes, oldest first', schema: SizeHistorySchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await segments.sizeHistory(principal, params.segmentId) }),
    }),
    endpoint(edge, {
      name: 'exportSegmentMembers',
      method: 'POST',
      route: 'v1/segments/{segmentId}/exports',
      summary: 'Members as CSV behind a signed link; identifiers masked unless asked for in full with a reason (logged)',
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: SegmentParams,
      body: ExportInput,
      responses: { 201: { description: 'Written', schema: SegmentExportSchema }, ...problems },
      handle: async ({ principal, params, body, log }) => ({ status: 201, body: await segments.export(principal, params.segmentId, body, log) }),
    }),
  ];
}
