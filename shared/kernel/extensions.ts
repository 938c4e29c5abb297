/**
 * Contribution points one capability offers the others: customer participants (merge, erasure,
 * export, the 360 view), figures printed on receipts, what a till learns when it records a sale.
 * The owner declares the point; any module contributes to it; the platform collects them in
 * module order.
 */
export interface ExtensionPoint<T> {
  name: string;
  /** Phantom: the type of what is contributed. */
  readonly _type?: T;
}

export function extensionPoint<T>(name: string): ExtensionPoint<T> {
  return { name };
}

export interface Contribution {
  point: ExtensionPoint<unknown>;
  value: unknown;
}

export function contribute<T>(point: ExtensionPoint<T>, ...values: T[]): Contribution[] {
  return values.map((value) => ({ point: point as ExtensionPoint<unknown>, value }));
}
