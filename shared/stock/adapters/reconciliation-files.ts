import { deterministicId } from '../../kernel/ids';
import type { ReconciledFile, ReconciliationFiles } from '../stock-reconciliation';
import type { Documents } from '../../kernel/adapters/documents';
import { TENANT_WIDE } from './cosmos-stock-store';

/** One record per snapshot file, created once: the claim that a file is (being) processed. */
export class CosmosReconciliationFiles implements ReconciliationFiles {
  constructor(private readonly docs: Documents) {}

  private id(file: string): string {
    return deterministicId('recon', file);
  }

  claim(record: ReconciledFile): Promise<'created' | 'exists'> {
    return this.docs.create({ id: this.id(record.file), locationId: TENANT_WIDE, ...record });
  }

  async get(tenantId: string, file: string): Promise<ReconciledFile | undefined> {
    return (await this.docs.read<ReconciledFile>(this.id(file), [tenantId, TENANT_WIDE])) ?? undefined;
  }

  async list(tenantId: string, limit: number): Promise<ReconciledFile[]> {
    const { items } = await this.docs.query<ReconciledFile & { id: string; locationId: string }>(
      `SELECT TOP ${Math.floor(limit)} * FROM c WHERE c.tenantId = @tenantId AND c.locationId = @all AND c.kind = "reconciliation" ORDER BY c.startedAt DESC`,
      [
        { name: '@tenantId', value: tenantId },
        { name: '@all', value: TENANT_WIDE },
      ],
    );
    return items.map(({ id: _id, locationId: _location, ...file }) => file);
  }

  update(record: ReconciledFile, mutate: (current: ReconciledFile) => ReconciledFile | undefined): Promise<ReconciledFile | undefined> {
    return this.docs.update<ReconciledFile>(this.id(record.file), [record.tenantId, TENANT_WIDE], mutate);
  }
}
