import { z } from 'zod';
import { DomainError, invalid, notFound } from '../kernel/errors';
import { randomId } from '../kernel/ids';
import type { Clock, SecretBox } from '../kernel/ports';
import type { Principal } from '../tenancy';
import { DELIVERABLE_EVENTS, PAYLOAD_VERSION } from './deliverable';
import type { EndpointStore } from './ports';
import { newSigningSecret } from './signing';
import { targetRefusal, type Resolve, type TargetMode } from './targets';
import { endpointView, type EndpointInput, type EndpointRecord, type EndpointUpdate, type EndpointView } from './webhooks';

/** How long an endpoint list stays cached in this process: a change made elsewhere reaches deliveries within it. */
const CACHE_MS = 10_000;
/** Endpoints per tenant. */
const MAX_ENDPOINTS = 20;

/** A tenant's webhook endpoints: registration with the target checked, secrets shown once, rotation. */
export class WebhookEndpoints {
  private readonly cache = new Map<string, { at: number; endpoints: Promise<EndpointRecord[]> }>();

  constructor(
    private readonly store: EndpointStore,
    private readonly secrets: SecretBox,
    private readonly target: { mode: TargetMode; resolve: Resolve },
    private readonly clock: Clock,
  ) {}

  async create(principal: Principal, input: EndpointInput): Promise<EndpointView & { secret: string }> {
    await this.checkTarget(input.url, 'url');
    if ((await this.store.list(principal.tenantId)).length >= MAX_ENDPOINTS) {
      throw new DomainError('unprocessable', `A tenant may have at most ${MAX_ENDPOINTS} webhook endpoints`, { reason: 'too-many-endpoints' });
    }
    const now = this.clock.now().toISOString();
    const secret = newSigningSecret();
    const record: EndpointRecord = {
      tenantId: principal.tenantId,
      endpointId: randomId('whe'),
      url: input.url,
      eventTypes: input.eventTypes,
      description: input.description,
      enabled: input.enabled,
      disabledReason: null,
      secret: this.secrets.seal(secret),
      previousSecret: null,
      previousSecretExpiresAt: null,
      createdAt: now,
      updatedAt: now,
      lastSuccessAt: null,
    };
    await this.store.create(record);
    this.cache.delete(principal.tenantId);
    return { ...endpointView(record, this.clock.now()), secret };
  }

  async list(tenantId: string): Promise<EndpointView[]> {
    return (await this.store.list(tenantId)).map((record) => endpointView(record, this.clock.now()));
  }

  async get(tenantId: string, endpointId: string): Promise<EndpointView> {
    return endpointView(await this.require(tenantId, endpointId), this.clock.now());
  }

  async update(tenantId: string, endpointId: string, change: EndpointUpdate): Promise<EndpointView> {
    if (change.url !== undefined) await this.checkTarget(change.url, 'url');
    const updated = await this.store.update(tenantId, endpointId, (current) => ({
      ...current,
      ...(change.url !== undefined ? { url: change.url } : {}),
      ...(change.eventTypes !== undefined ? { eventTypes: change.eventTypes } : {}),
      ...(change.description !== undefined ? { description: change.description } : {}),
      ...(change.enabled !== undefined ? { enabled: change.enabled, disabledReason: change.enabled ? null : 'disabled by an admin' } : {}),
      updatedAt: this.clock.now().toISOString(),
    }));
    if (!updated) throw notFound(`Webhook endpoint ${endpointId}`);
    this.cache.delete(tenantId);
    return endpointView(updated, this.clock.now());
  }

  async delete(tenantId: string, endpointId: string): Promise<void> {
    await this.require(tenantId, endpointId);
    await this.store.delete(tenantId, endpointId);
    this.cache.delete(tenantId);
  }

  /** A new secret, shown once; the old one keeps signing beside it for `graceHours`. */
  async rotateSecret(tenantId: string, endpointId: string, graceHours: number): Promise<EndpointView & { secret: string }> {
    const secret = newSigningSecret();
    const now = this.clock.now();
    const updated = await this.store.update(tenantId, endpointId, (current) => ({
      ...current,
      secret: this.secrets.seal(secret),
      previousSecret: graceHours > 0 ? current.secret : null,
      previousSecretExpiresAt: graceHours > 0 ? new Date(now.getTime() + graceHours * 3_600_000).toISOString() : null,
      updatedAt: now.toISOString(),
    }));
    if (!updated) throw notFound(`Webhook endpoint ${endpointId}`);
    this.cache.delete(tenantId);
    return { ...endpointView(updated, now), secret };
  }

  /** The secrets that sign a delivery now: the current one, and the previous one during its grace period. */
  signingSecrets(endpoint: EndpointRecord): string[] {
    const previousActive =
      endpoint.previousSecret && endpoint.previousSecretExpiresAt && Date.parse(endpoint.previousSecretExpiresAt) > this.clock.now().getTime();
    return [this.secrets.open(endpoint.secret), ...(previousActive ? [this.secrets.open(endpoint.previousSecret!)] : [])];
  }

  /** The tenant's endpoints, from a short-lived cache: the consumer reads them for every event. */
  async cached(tenantId: string): Promise<EndpointRecord[]> {
    const now = Date.now();
    const hit = this.cache.get(tenantId);
    if (hit && now - hit.at < CACHE_MS) return hit.endpoints;
    // One read for every event that arrives while it is under way.
    const endpoints = this.store.list(tenantId);
    this.cache.set(tenantId, { at: now, endpoints });
    endpoints.catch(() => this.cache.get(tenantId)?.endpoints === endpoints && this.cache.delete(tenantId));
    return endpoints;
  }

  async record(tenantId: string, endpointId: string): Promise<EndpointRecord | undefined> {
    return (await this.cached(tenantId)).find((e) => e.endpointId === endpointId) ?? (await this.store.get(tenantId, endpointId));
  }

  /** Turns the endpoint off with the reason (repeated failure); an admin turns it back on. */
  async disable(tenantId: string, endpointId: string, reason: string): Promise<void> {
    await this.store.update(tenantId, endpointId, (current) =>
      current.enabled ? { ...current, enabled: false, disabledReason: reason, updatedAt: this.clock.now().toISOString() } : undefined,
    );
    this.cache.delete(tenantId);
  }

  /** Notes a success, at most once an hour per endpoint. */
  async noteSuccess(endpoint: EndpointRecord): Promise<void> {
    const now = this.clock.now();
    if (endpoint.lastSuccessAt && now.getTime() - Date.parse(endpoint.lastSuccessAt) < 3_600_000) return;
    endpoint.lastSuccessAt = now.toISOString();
    await this.store.update(endpoint.tenantId, endpoint.endpointId, (current) => ({ ...current, lastSuccessAt: now.toISOString() }));
  }

  /** The deliverable event types with the JSON Schema of their `data`. */
  eventTypes() {
    return {
      version: PAYLOAD_VERSION,
      items: DELIVERABLE_EVENTS.map((contract) => ({
        type: contract.type,
        dataSchema: z.toJSONSchema(contract.schema, { unrepresentable: 'any', io: 'output' }) as Record<string, unknown>,
      })),
    };
  }

  private async require(tenantId: string, endpointId: string): Promise<EndpointRecord> {
    const record = await this.store.get(tenantId, endpointId);
    if (!record) throw notFound(`Webhook endpoint ${endpointId}`);
    return record;
  }

  private async checkTarget(url: string, field: string): Promise<void> {
    const refusal = await targetRefusal(url, this.target.mode, this.target.resolve);
    if (refusal) throw invalid([{ field, message: refusal }], `The webhook URL is refused: ${refusal}`);
  }
}
