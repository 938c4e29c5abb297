import { z } from 'zod';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { ProblemSchema, commonProblems as problems, erasedCustomer, id } from '../edge/schemas';
import { RuleInput } from './rules';
import {
  ApiEventInput,
  ApiEventResultSchema,
  RuleListSchema,
  RuleReportSchema,
  RuleViewSchema,
  SimulationInput,
  SimulationSchema,
  type OfferService,
} from './offers';
import { QualificationSchema, QualifyInput, type Qualifier } from './qualify';

const RuleParams = z.object({ ruleId: id });
const refused = {
  422: { description: 'Segments named (or a birthday or lapsed trigger) while the platform has none (`segments-unavailable`)', schema: ProblemSchema },
};

export function offerRoutes(edge: EdgeKit, offers: OfferService, qualifier: Qualifier): HttpFunction[] {
  return [
    endpoint(edge, {
      name: 'createOfferRule',
      method: 'POST',
      route: 'v1/offers/rules',
      summary: 'A rule: trigger -> conditions -> actions, with a validity window, active or paused, a budget and a per-customer frequency cap',
      tags: ['Offers'],
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      body: RuleInput,
      idempotent: true,
      responses: { 201: { description: 'Created (version 1)', schema: RuleViewSchema }, ...problems, ...refused },
      handle: async ({ principal, body }) => {
        const rule = await offers.createRule(principal.tenantId, body);
        return { status: 201, body: rule, headers: { location: `/api/v1/offers/rules/${rule.ruleId}` } };
      },
    }),
    endpoint(edge, {
      name: 'listOfferRules',
      method: 'GET',
      route: 'v1/offers/rules',
      summary: "The tenant's rules, each as its newest version",
      tags: ['Offers'],
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      responses: { 200: { description: 'The rules', schema: RuleListSchema }, ...problems },
      handle: async ({ principal }) => ({ status: 200, body: { items: await offers.listRules(principal.tenantId) } }),
    }),
    endpoint(edge, {
      name: 'getOfferRule',
      method: 'GET',
      route: 'v1/offers/rules/{ruleId}',
      summary: 'A rule as its newest version, with the list of its versions',
      tags: ['Offers'],
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: RuleParams,
      responses: { 200: { description: 'The rule', schema: RuleViewSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await offers.getRule(principal.tenantId, params.ruleId) }),
    }),
    endpoint(edge, {
      name: 'updateOfferRule',
      method: 'PUT',
      route: 'v1/offers/rules/{ruleId}',
      summary: 'A new version of the rule, in force from now; events that happened before keep the version of their time',
      tags: ['Offers'],
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: RuleParams,
      body: RuleInput,
      responses: {
        200: { description: 'The rule with its new version', schema: RuleViewSchema },
        ...problems,
        409: { description: 'Changed at the same moment by another request; retry', schema: ProblemSchema },
        ...refused,
      },
      handle: async ({ principal, params, body }) => ({ status: 200, body: await offers.updateRule(principal.tenantId, params.ruleId, body) }),
    }),
    ...(['pause', 'resume'] as const).map((verb) =>
      endpoint(edge, {
        name: verb === 'pause' ? 'pauseOfferRule' : 'resumeOfferRule',
        method: 'POST',
        route: `v1/offers/rules/{ruleId}/${verb}`,
        summary: verb === 'pause' ? 'Pauses the rule from now (a new version): it acts on nothing' : 'Resumes the rule from now (a new version)',
        tags: ['Offers'],
        auth: 'tenant',
        roles: ['admin', 'marketing'],
        params: RuleParams,
        responses: {
          200: { description: 'The rule', schema: RuleViewSchema },
          ...problems,
          409: { description: 'Changed at the same moment by another request; retry', schema: ProblemSchema },
        },
        handle: async ({ principal, params }) => ({ status: 200, body: await offers.setActive(principal.tenantId, params.ruleId, verb === 'resume') }),
      }),
    ),
    endpoint(edge, {
      name: 'simulateOfferRule',
      method: 'POST',
      route: 'v1/offers/rules/{ruleId}/simulate',
      summary: 'Dry run for a customer and an event: which conditions held, which actions would run, which cap or budget would stop it. Nothing is written',
      tags: ['Offers'],
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: RuleParams,
      body: SimulationInput,
      responses: { 200: { description: 'The explanation', schema: SimulationSchema }, ...problems, ...erasedCustomer },
      handle: async ({ principal, params, body }) => ({ status: 200, body: await offers.simulate(principal.tenantId, params.ruleId, body) }),
    }),
    endpoint(edge, {
      name: 'offerRuleReport',
      method: 'GET',
      route: 'v1/offers/rules/{ruleId}/report',
      summary: 'How many times the rule triggered, acted and was capped, and how many of its coupons were redeemed in each channel',
      tags: ['Offers'],
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: RuleParams,
      responses: { 200: { description: 'The report', schema: RuleReportSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await offers.report(principal.tenantId, params.ruleId) }),
    }),
    endpoint(edge, {
      name: 'receiveOfferEvent',
      method: 'POST',
      route: 'v1/offers/events',
      summary: 'An event the retailer sends (an app install, a review...): rules with an api-event trigger of its name act at once, once per `eventId`',
      tags: ['Offers'],
      auth: 'tenant',
      body: ApiEventInput,
      responses: { 200: { description: 'The rules that acted or were capped', schema: ApiEventResultSchema }, ...problems, ...erasedCustomer },
      handle: async ({ principal, body, log }) => ({ status: 200, body: await offers.receiveApiEvent(principal.tenantId, body, log) }),
    }),
    endpoint(edge, {
      name: 'qualifyOffers',
      method: 'POST',
      route: 'v1/customers/{customerId}/offers/qualify',
      summary:
        'What the customer can get now for a basket: wallet coupons and promotions that apply with their discount per line, points redeemable and their value, recommendations. Nothing is consumed',
      tags: ['Offers', 'Customers'],
      auth: 'tenant',
      roles: ['pos', 'ecommerce', 'admin', 'store', 'support'],
      params: z.object({ customerId: id }),
      body: QualifyInput,
      responses: {
        200: { description: 'The answer for the till or the cart', schema: QualificationSchema },
        ...problems,
        403: { description: 'Location not allowed for this key', schema: ProblemSchema },
        ...erasedCustomer,
      },
      handle: async ({ principal, params, body }) => ({ status: 200, body: await qualifier.qualify(principal, params.customerId, body) }),
    }),
  ];
}
