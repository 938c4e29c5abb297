/**
 * `npm run eval:recs -- --data <file> --test-from <ISO> [--test-to <ISO>] [--json]`
 *
 * Offline evaluation of the recommender on a transactions file in the UCI Online Retail format
 * (gzip or plain CSV): trains on the purchases before --test-from and prints precision@10,
 * recall@10, hit-rate@10 and nDCG@10 for the recommender and for the popularity baseline
 * (protocol: the dataset's README). Settings come from DEFAULT_MODEL_SETTINGS unless given:
 * --similarity, --asymmetry, --half-life (affinity, days), --co-purchase-half-life (days), --neighbours.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_SETTINGS, type ModelSettings, type Similarity } from '../shared/recommendations/co-purchase';
import { evaluate, readRetailRows, type EvaluationResult } from '../shared/recommendations/evaluation';

const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/;

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Runs the evaluation of one file and period. */
export async function evaluateFile(
  file: string,
  period: { testFrom: string; testTo?: string },
  settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
): Promise<EvaluationResult> {
  const raw = createReadStream(file);
  const source = (await isGzip(file)) ? raw.pipe(createGunzip()) : raw;
  return evaluate(readRetailRows(source), period, settings);
}

const fixed = (v: number) => v.toFixed(4);

export function table(result: EvaluationResult): string {
  const row = (name: string, m: EvaluationResult['recommender']) =>
    `| ${name} | ${fixed(m.precision)} | ${fixed(m.recall)} | ${fixed(m.hitRate)} | ${fixed(m.ndcg)} |`;
  const ratio = result.popularity.ndcg > 0 ? (result.recommender.ndcg / result.popularity.ndcg).toFixed(2) : 'n/a';
  return [
    `test ${result.testFrom} .. ${result.testTo ?? 'end'}; train ${result.trainRows} rows, ${result.trainInvoices} invoices, ${result.items} items; ${result.users} customers scored`,
    '',
    `| method (${result.users} test customers) | precision@10 | recall@10 | hit-rate@10 | nDCG@10 |`,
    '| --- | --- | --- | --- | --- |',
    row('popularity (train, already-bought excluded)', result.popularity),
    row('recommender (co-purchase x decayed affinity, already-bought excluded)', result.recommender),
    '',
    `nDCG@10 recommender / popularity: ${ratio}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      'test-from': { type: 'string' },
      'test-to': { type: 'string' },
      json: { type: 'boolean', default: false },
      similarity: { type: 'string' },
      asymmetry: { type: 'string' },
      'half-life': { type: 'string' },
      'co-purchase-half-life': { type: 'string' },
      neighbours: { type: 'string' },
    },
  });
  const testFrom = values['test-from'];
  const testTo = values['test-to'];
  if (!values.data || !testFrom || !ISO_LOCAL.test(testFrom) || (testTo !== undefined && !ISO_LOCAL.test(testTo))) {
    console.error('usage: npm run eval:recs -- --data <file> --test-from <ISO date> [--test-to <ISO date>] [--json]');
    process.exit(2);
  }
  const settings: ModelSettings = {
    ...DEFAULT_MODEL_SETTINGS,
    ...(values.similarity && { similarity: values.similarity as Similarity }),
    ...(values.asymmetry && { asymmetry: Number(values.asymmetry) }),
    ...(values['half-life'] && { affinityHalfLifeDays: Number(values['half-life']) }),
    ...(values['co-purchase-half-life'] && { coPurchaseHalfLifeDays: Number(values['co-purchase-half-life']) }),
    ...(values.neighbours && { neighbours: Number(values.neighbours) }),
  };
  const started = Date.now();
  const result = await evaluateFile(values.data, { testFrom, testTo }, settings);
  const seconds = (Date.now() - started) / 1000;
  const rssMb = Math.round(process.memoryUsage().rss / 1e6);
  if (values.json) console.log(JSON.stringify({ ...result, seconds, rssMb }));
  else console.log(`${table(result)}\nrun time ${seconds.toFixed(1)} s, RSS ${rssMb} MB`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
