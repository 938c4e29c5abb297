import type { Logger } from '../../kernel/ports';
import type { AeatSubmitter } from '../receipt-service';
import { submissionXml } from '../aeat-records';

/**
 * Records what would be sent to AEAT instead of sending it: the platform keeps the chained records
 * itself (receipts print the `ValidarQRNoVerifactu` QR). A certificate-based submitter implementing
 * the same port replaces this one in the receipts module when a tenant moves to VERI*FACTU mode.
 */
export class RecordingAeatSubmitter implements AeatSubmitter {
  private readonly kept: Array<{ tenantId: string; xml: string }> = [];

  constructor(
    private readonly logger: Logger,
    private readonly keep = 1_000,
  ) {}

  async submit(submission: Parameters<AeatSubmitter['submit']>[0]): Promise<void> {
    this.kept.push({ tenantId: submission.tenantId, xml: submissionXml(submission.issuer, submission.records) });
    if (this.kept.length > this.keep) this.kept.splice(0, this.kept.length - this.keep);
    this.logger.log('debug', 'AEAT submission recorded, not sent', { tenantId: submission.tenantId, records: submission.records.length });
  }

  /** The newest submissions that would have been sent (tests, local inspection). */
  recorded(tenantId: string): string[] {
    return this.kept.filter((k) => k.tenantId === tenantId).map((k) => k.xml);
  }
}
