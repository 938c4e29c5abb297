/**
 * The ports the use cases need. Adapters (Cosmos DB, Service Bus, Blob Storage, the local
 * in-process bus) implement them; unit tests fake them. Nothing here imports Azure.
 */
import type { CloudEvent } from './events';

/** `created` or `exists`: creates are idempotent and the store enforces uniqueness. */
export type CreateOutcome = 'created' | 'exists';

export interface Page<T> {
  items: T[];
  continuationToken: string | null;
}

export interface EventPublisher {
  /** Publishes with the event id as message id, so a republish is deduplicated downstream. */
  publish(events: CloudEvent[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Structured logging; callers pass ids only, never personal data, keys or codes. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface Telemetry {
  trackEvent(name: string, properties?: Record<string, string>): void;
  trackMetric(name: string, value: number, properties?: Record<string, string>): void;
}

export interface HealthProbe {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

/** Where a message that can never be handled (it fails its contract) is kept, with the reason. */
export interface DeadLetterStore {
  put(entry: { subscription: string; messageId: string; body: unknown; reason: string }): Promise<void>;
}

/** Keeps secrets the platform must use again sealed at rest (see `AesSecretBox`). */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}
