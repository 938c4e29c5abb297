/** `npm run infra`: writes infra-bicep/platform.json from the capability modules (the Bicep templates load it). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { infrastructureManifest } from '../shared/infrastructure';

export const MANIFEST_PATH = join(__dirname, '..', '..', 'infra-bicep', 'platform.json');

export function manifestText(): string {
  return `${JSON.stringify(infrastructureManifest(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(MANIFEST_PATH, manifestText());
  process.stdout.write(`wrote ${MANIFEST_PATH}\n`);
}
