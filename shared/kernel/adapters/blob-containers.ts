/**
 * Every Blob Storage container the code uses. The local stack creates them from this list, the
 * storage Bicep module declares the same names, and tests/infra.test.ts checks they agree.
 */
export const BLOB_CONTAINERS = {
  receipts: { name: 'receipts', purpose: 'Receipts as JSON and HTML under {tenantId}/, opened through signed, expiring links' },
  erpStockSnapshots: { name: 'erp-stock-snapshots', purpose: 'ERP stock snapshots (CSV or JSON lines) under {tenantId}/, read by the reconciliation timer' },
  stockReconciliationReports: { name: 'stock-reconciliation-reports', purpose: 'One JSON and one CSV report per reconciled snapshot, under the same name' },
} as const;
