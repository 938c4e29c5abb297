/** CloudEvents 1.0 (structured JSON), so Event Grid or any other consumer takes them as they are. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  /** Extension attribute: lets a consumer scope work to the tenant before reading `data`. */
  tenantid: string;
  data: T;
}

export const TRANSACTION_RECORDED = 'transaction.recorded';
/** An anonymous sale attached to a customer afterwards: count it as if identified at the till. */
export const TRANSACTION_CLAIMED = 'transaction.claimed';

export function isCloudEvent(value: unknown): value is CloudEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.specversion === '1.0' && typeof v.id === 'string' && typeof v.type === 'string' && typeof v.tenantid === 'string';
}
