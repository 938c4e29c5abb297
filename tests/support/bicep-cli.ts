/** The Bicep CLI for tests: where to find it, and compiling templates to ARM JSON with it. */
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Where `.ci/install-bicep.sh` installs the pinned CLI. */
export const INSTALLED_BICEP = join(__dirname, '..', '..', '.ci', 'tools', 'bicep');

/**
 * The Bicep CLI to use: $BICEP_CLI when it is set (a path; empty means none), otherwise the pinned one
 * that `.ci/install-bicep.sh` installs, otherwise `bicep` on PATH. Undefined when none runs.
 */
export function findBicep(): string | undefined {
  const candidates = process.env.BICEP_CLI !== undefined ? [process.env.BICEP_CLI] : [INSTALLED_BICEP, 'bicep'];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const run = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (run.status === 0 && /Bicep CLI version/.test(run.stdout)) return candidate;
  }
  return undefined;
}

/**
 * `bicep build --pattern`: compiles every file the glob matches in one run of the CLI (starting the CLI
 * costs more than compiling a template), each to a .json file beside it. Resolves to what the compiler
 * and the linter (bicepconfig.json) reported, one line each; rejects when a file does not compile.
 */
export function compileMatching(bicep: string, pattern: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(bicep, ['build', '--pattern', pattern], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`bicep build --pattern ${pattern} failed:\n${stderr || error.message}`));
      resolve(stderr.split('\n').filter((line) => line.trim() !== ''));
    });
  });
}
