/**
 * ERP snapshot files, applied once: the inbox they are dropped in and the claim record that says a
 * file is being (or was) applied. Stock reconciliation and the catalogue import share both.
 */
import type { Logger } from './ports';

export interface SnapshotInbox {
  /** Names of the snapshot files, under `prefix` when given. */
  list(prefix?: string): AsyncIterable<string>;
  open(name: string): Promise<AsyncIterable<Buffer>>;
  /** Writes `{name}.{run}.report.json` and `.csv` in the reports container; returns their names. */
  writeReport(name: string, run: string, json: string, csv: string): Promise<{ json: string; csv: string }>;
}

/** What every claim record of a snapshot file holds. */
export interface FileRun {
  tenantId: string;
  file: string;
  status: 'running' | 'done';
  startedAt: string;
}

export interface FileRuns<R extends FileRun> {
  /** `exists` when another run claimed or finished the file. */
  claim(record: R): Promise<'created' | 'exists'>;
  get(tenantId: string, file: string): Promise<R | undefined>;
  update(record: R, mutate: (current: R) => R | undefined): Promise<R | undefined>;
}

/**
 * Whether this run may apply the file: it claimed it, or took over a run that started more than
 * `leaseMs` ago and never finished (a crashed instance). A finished file, or one another run holds,
 * is left alone.
 */
export async function ownFileRun<R extends FileRun>(files: FileRuns<R>, claim: R, leaseMs: number, log: Logger, takeOver: string): Promise<boolean> {
  const now = new Date(claim.startedAt);
  // A point read first: every run lists the whole inbox, and most files in it are done.
  const known = await files.get(claim.tenantId, claim.file);
  if (known?.status === 'done') return false;
  if (!known && (await files.claim(claim)) === 'created') return true;
  const existing = known ?? (await files.get(claim.tenantId, claim.file));
  if (!existing || existing.status === 'done' || now.getTime() - new Date(existing.startedAt).getTime() < leaseMs) return false;
  const taken = await files.update(existing, (c) =>
    c.status === 'running' && c.startedAt === existing.startedAt ? { ...c, startedAt: claim.startedAt } : undefined,
  );
  if (taken?.startedAt !== claim.startedAt) return false;
  log.log('warn', takeOver, { file: claim.file });
  return true;
}
