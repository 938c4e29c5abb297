import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** AEAT's Verifactu schemas, in the reference folder beside the project (never copied into it). */
export const AEAT_SCHEMAS = join(__dirname, '..', '..', '..', 'shared', 'data', 'aeat');

const available = spawnSync('xmllint', ['--version']).status === 0;
if (!available && process.env.CI) throw new Error('xmllint is missing: .ci/run installs Debian libxml2-utils');

/** Validates a document with Debian's xmllint against SuministroLR.xsd; exit 0 = valid. */
export function validateAgainstAeat(xml: string): { valid: boolean; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'aeat-')), 'records.xml');
  writeFileSync(file, xml);
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', join(AEAT_SCHEMAS, 'SuministroLR.xsd'), file], { encoding: 'utf8' });
  return { valid: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

/** Locally without xmllint, the schema tests are skipped with a warning; in CI its absence fails the run. */
export const describeWithXmllint: jest.Describe = available
  ? describe
  : (((name: string) => {
      console.warn(`xmllint not installed (apt-get install libxml2-utils): skipping "${name}"`);
      return describe.skip(name, () => undefined);
    }) as unknown as jest.Describe);
