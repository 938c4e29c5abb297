import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** The domain: every capability's and the kernel's own files, apart from adapters and the edge (routes, consumers, timers). */
function domainSources(): string[] {
  return sources('shared').filter((file) => !/\/adapters\/|^shared\/edge\/|^shared\/platform\.ts$|\/(http|consumers|timers|module)\.ts$/.test(file));
}

describe('layers', () => {
  it('keeps the domain free of Azure, adapters, functions and the local host', () => {
    const offenders = domainSources().flatMap((file) =>
      imports(file)
        .filter((i) => i.startsWith('@azure/') || i.includes('/adapters') || i.includes('functions/') || i.includes('local/') || i.includes('platform'))
        .map((i) => `${file} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps SDK clients out of handlers: functions/ talks to use cases only', () => {
    const offenders = sources('functions').flatMap((file) =>
      imports(file)
        .filter((i) => /^@azure\/(cosmos|service-bus|storage-blob|identity)/.test(i) || i.includes('/adapters/'))
        .map((i) => `${file} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('builds SDK clients only in the composition root and the adapters', () => {
    const allowed = /^shared\/platform\.ts$|\/adapters\//;
    const offenders = [...sources('shared'), ...sources('functions')]
      .filter((file) => !allowed.test(relative(root, join(root, file))))
      .filter((file) => /new (CosmosClient|ServiceBusClient|BlobServiceClient|DefaultAzureCredential)\b/.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('reads process.env only in the Azure entry point and the local host', () => {
    const offenders = [...sources('shared'), ...sources('functions')]
      .filter((file) => file !== join('functions', 'index.ts'))
      .filter((file) => /process\.env/.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
