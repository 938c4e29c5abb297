import { z } from 'zod';
import { IdentifierType, maskIdentifier, type IdentifierLink } from './customers';
import type { CustomerStore } from './customers';
import { extensionPoint } from '../kernel/extensions';

/** Whether the caller may see personal data in full (admin keys) or masked (POS and web shop keys). */
export type Audience = 'full' | 'masked';

/**
 * The one extension point for everything a capability attaches to a customer. Each capability
 * (identifiers, transactions, and later loyalty, coupons, gift cards, receipts) registers one
 * participant in the composition root, and merges, the 360 view, export and erasure reach it
 * through this list only.
 */
export interface CustomerParticipant {
  name: string;
  /**
   * The fields `view` adds to the 360 view, and `export` to the export: the customer routes' response
   * schemas (OpenAPI, the response check) are the customer's own fields plus these. An implementation
   * types `view` and `export` as the output of its schemas, so the two cannot drift apart.
   */
  readonly viewSchema: z.ZodObject;
  readonly exportSchema: z.ZodObject;
  /** Moves what this capability holds for `fromId` to `intoId`; idempotent, re-runnable. Returns how many items moved. */
  move(tenantId: string, fromId: string, intoId: string): Promise<number>;
  /** Adds its fields to the 360 view. */
  view(tenantId: string, customerId: string, audience: Audience): Promise<Record<string, unknown>>;
  /** Everything it holds about the person, for a data-protection export. */
  export(tenantId: string, customerId: string): Promise<Record<string, unknown>>;
  /** Removes or pseudonymises the personal data it holds; records the law requires stay, unnamed. */
  erase(tenantId: string, customerId: string): Promise<void>;
}

/** Where each capability registers its participant; merges, the 360 view, export and erasure walk them in module order. */
export const customerParticipants = extensionPoint<CustomerParticipant>('customers.participants');

const IdentifierView = z.object({
  type: IdentifierType,
  value: z.string().describe('Masked unless the caller is an admin or support (in the 360 view)'),
  linkedAt: z.string(),
});
const IdentifierSection = z.object({ identifiers: z.array(IdentifierView) });
type IdentifierSection = z.output<typeof IdentifierSection>;

export class IdentifierParticipant implements CustomerParticipant {
  readonly name = 'identifiers';
  readonly viewSchema = IdentifierSection;
  readonly exportSchema = IdentifierSection;
  constructor(private readonly customers: CustomerStore) {}

  async move(tenantId: string, fromId: string, intoId: string): Promise<number> {
    let moved = 0;
    for (const link of await this.customers.listIdentifiers(tenantId, fromId)) {
      if (await this.customers.moveIdentifier(tenantId, link.key, fromId, intoId)) moved += 1;
    }
    return moved;
  }

  async view(tenantId: string, customerId: string, audience: Audience): Promise<IdentifierSection> {
    const links = await this.customers.listIdentifiers(tenantId, customerId);
    return { identifiers: links.map((l) => present(l, audience)) };
  }

  async export(tenantId: string, customerId: string): Promise<IdentifierSection> {
    return { identifiers: (await this.customers.listIdentifiers(tenantId, customerId)).map((l) => present(l, 'full')) };
  }

  /** Deleting the links means the email or card no longer leads to this customer; a new purchase makes a new one. */
  async erase(tenantId: string, customerId: string): Promise<void> {
    for (const link of await this.customers.listIdentifiers(tenantId, customerId)) await this.customers.deleteIdentifier(tenantId, link.key);
  }
}

function present(link: IdentifierLink, audience: Audience): z.output<typeof IdentifierView> {
  return { ...identifierFor(link, audience), linkedAt: link.linkedAt };
}

/** An identifier as an audience may see it: in full, or masked (`l***@example.com`). */
export function identifierFor(link: Pick<IdentifierLink, 'type' | 'value'>, audience: Audience): { type: IdentifierLink['type']; value: string } {
  return { type: link.type, value: audience === 'full' ? link.value : maskIdentifier(link.type, link.value) };
}
