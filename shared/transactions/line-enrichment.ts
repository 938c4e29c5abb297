import { extensionPoint } from '../kernel/extensions';
import type { Logger } from '../kernel/ports';
import type { TransactionRecord } from './transactions';

/** What a sale line learns about its SKU at ingest from another capability (the catalogue). */
export interface LineReference {
  productId?: string;
  /** Every family on the product's paths, root to leaf. */
  families?: string[];
  brand?: string;
  /** `unknown`: a SKU the tenant's catalogue does not know (accepted all the same). */
  catalogue: 'matched' | 'unknown';
}

/**
 * Resolves the SKUs of a transaction's lines; undefined when it has nothing to say for this tenant
 * (no catalogue), and the lines stay as the till sent them.
 */
export interface LineEnricher {
  name: string;
  references(tenantId: string, skus: string[]): Promise<Map<string, LineReference> | undefined>;
}

/**
 * The families a sale line counts under: with a catalogue, every family on its product's paths;
 * without one, its category (none when it has neither). Segments, offers and analytics all count so.
 */
export function familiesOfLine(line: { category?: string; families?: string[] }): string[] {
  if (line.families && line.families.length > 0) return [...new Set(line.families)];
  return line.category ? [line.category] : [];
}

export const lineEnrichers = extensionPoint<LineEnricher>('transactions.lineEnrichers');

/**
 * Adds each enricher's references to the lines, beside what the till sent. Never refuses a sale:
 * an enricher that fails leaves the lines as they came (tills must not stop selling).
 */
export async function enrichLines(enrichers: readonly LineEnricher[], record: TransactionRecord, log: Logger): Promise<void> {
  const skus = [...new Set(record.lines.map((line) => line.sku))];
  for (const enricher of enrichers) {
    try {
      const references = await enricher.references(record.tenantId, skus);
      if (!references) continue;
      record.lines = record.lines.map((line) => ({ ...line, ...references.get(line.sku) }));
    } catch (error) {
      log.log('warn', 'sale lines recorded without enrichment', {
        enricher: enricher.name,
        transactionId: record.transactionId,
        error: (error as Error).message,
      });
    }
  }
}
