import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema, LOCAL_ONLY_SETTINGS, loadConfig } from '../shared/kernel/config';
import { EVENTS_TOPIC } from '../shared/kernel/declarations';
import { createPlatform } from '../shared/platform';
import { scheduleSetting, type TimerFunction, type TopicFunction } from '../shared/edge/definition';
import { blobContainers, cosmosContainers, infrastructureManifest } from '../shared/infrastructure';
import { sqlFilter } from '../shared/kernel/events';
import { manifestText } from '../local/generate-infra';

const dir = join(__dirname, '..', 'infra-bicep');
const read = (file: string) => readFileSync(join(dir, file), 'utf8');
const main = read('main.bicep');
const functionApp = read('modules/function-app.bicep');
const templates = ['main.bicep', ...readdirSync(join(dir, 'modules')).map((f) => `modules/${f}`)];

/** The `appSettings` object of the function app: name -> Bicep value expression. */
function appSettings(): Map<string, string> {
  const block = /var appSettings = \{\n([\s\S]*?)\n\}/.exec(functionApp)?.[1] ?? '';
  return new Map(block.split('\n').map((line) => /^\s*(\w+):\s*(.+)$/.exec(line)).filter((m): m is RegExpExecArray => !!m).map((m) => [m[1]!, m[2]!]));
}

/** The generated file the templates load (`var platform = loadJsonContent('platform.json')`). */
const generated = () => read('platform.json');
type Manifest = ReturnType<typeof infrastructureManifest>;
const manifest = () => JSON.parse(generated()) as Manifest;

function declaredContainers(m: Manifest) {
  return m.cosmosContainers.map((c) => ({ name: c.name, paths: c.partitionKeyPaths, ttl: c.defaultTtl }));
}

const expectedContainers = () => cosmosContainers().map((c) => ({ name: c.id, paths: c.partitionKeyPaths, ttl: c.defaultTtl ?? -2 }));

const azureConfig = { CosmosDb__accountEndpoint: 'https://a.documents.azure.com/', ServiceBus__fullyQualifiedNamespace: 'n.servicebus.windows.net', BlobStorage__serviceUri: 'https://s.blob.core.windows.net', PLATFORM_ADMIN_KEY: 'k'.repeat(40) };

describe('infra-bicep agrees with the code', () => {
  it('sets every setting the configuration schema reads in Azure, and nothing the code does not read', () => {
    const settings = appSettings();
    const read = Object.keys(ConfigSchema.shape).filter((k) => !(LOCAL_ONLY_SETTINGS as readonly string[]).includes(k));
    expect(read.filter((name) => !settings.has(name))).toEqual([]);
    const hostOnly = /^(AzureWebJobsStorage__|ServiceBus__(credential|clientId)$|APPLICATIONINSIGHTS_AUTHENTICATION_STRING$|Schedule_)/;
    const unknown = [...settings.keys()].filter((k) => !read.includes(k) && !hostOnly.test(k));
    expect(unknown).toEqual([]);
  });

  it('gives settings that pass the configuration schema', () => {
    // Literals as written; a parameter takes main.bicep's default; other expressions a plausible value.
    const defaultOf = (param: string) => new RegExp(`^param ${param} \\w+ = '([^']*)'`, 'm').exec(main)?.[1];
    const valueOf = (name: string, expression: string) => {
      if (expression.startsWith("'")) return expression.slice(1, -1).replace(/\$\{[^}]+\}/g, 'x');
      if (defaultOf(expression) !== undefined) return defaultOf(expression);
      return /Endpoint|Uri/.test(name) ? 'https://example.net/' : 'x'.repeat(40);
    };
    const env = Object.fromEntries([...appSettings().entries()].map(([k, v]) => [k, valueOf(k, v)]));
    expect(loadConfig(env)).toMatchObject({ messaging: { mode: 'servicebus' }, logLevel: 'info' });
  });

  it('loads the infrastructure file generated from the modules, and that file is current (`npm run infra` rewrites it)', () => {
    expect(main).toMatch(/^var platform = loadJsonContent\('platform\.json'\)$/m);
    expect(main).toContain('containers: platform.cosmosContainers');
    expect(main).toContain('subscriptions: platform.subscriptions');
    expect(main).toContain('appContainers: platform.blobContainers');
    expect(main).toContain('timerSchedules: platform.timerSchedules');
    expect(generated()).toBe(manifestText());
  });

  it('declares every Cosmos DB container with the partition key paths and TTL the code uses', () => {
    expect(declaredContainers(manifest())).toEqual(expectedContainers());
  });

  it('catches a container removed from the templates, or given another partition key', () => {
    const m = manifest();
    const removed = { ...m, cosmosContainers: m.cosmosContainers.filter((c) => c.name !== 'transactions') };
    const rekeyed = { ...m, cosmosContainers: m.cosmosContainers.map((c) => (c.name === 'loyalty' ? { ...c, partitionKeyPaths: ['/tenantId'] } : c)) };
    for (const drifted of [removed, rekeyed]) {
      expect(JSON.stringify(drifted)).not.toBe(JSON.stringify(m));
      expect(declaredContainers(drifted)).not.toEqual(expectedContainers());
    }
  });

  it('sets every timer schedule the code uses, in the app setting its trigger reads', () => {
    const platform = createPlatform(loadConfig(azureConfig));
    const timers = platform.functions.filter((f): f is TimerFunction => f.kind === 'timer');
    void platform.close();
    const settings = new Map(Object.entries(manifest().timerSchedules));
    expect(functionApp).toContain('items(union(appSettings, timerSchedules))');
    const declared = [...settings.keys()].filter((k) => k.startsWith('Schedule_')).sort();
    expect(declared).toEqual(timers.map((t) => scheduleSetting(t.name)).sort());
    for (const timer of timers) expect({ timer: timer.name, schedule: settings.get(scheduleSetting(timer.name)) }).toEqual({ timer: timer.name, schedule: timer.schedule });
  });

  it('declares the events topic and one subscription per consumer, filtered to the events it accepts', () => {
    const platform = createPlatform(loadConfig(azureConfig));
    const consumers = platform.functions.filter((f): f is TopicFunction => f.kind === 'serviceBusTopic');
    void platform.close();
    const m = manifest();
    expect(m.eventsTopic).toBe(EVENTS_TOPIC);
    expect(m.subscriptions.map((s) => [s.name, s.sqlFilter]).sort()).toEqual(consumers.map((c) => [c.subscriptionName, sqlFilter(c.accepts)]).sort());
    const serviceBus = read('modules/service-bus.bicep');
    expect(serviceBus).toMatch(/name: '\$Default'[\s\S]*filterType: 'SqlFilter'[\s\S]*sqlExpression: sub\.sqlFilter/);
  });

  it('declares every blob container the code uses, private', () => {
    const storage = read('modules/storage.bicep');
    expect([...manifest().blobContainers].sort()).toEqual(blobContainers().map((c) => c.name).sort());
    expect(storage).toContain('for container in appContainers');
    expect(storage).toContain("publicAccess: 'None'");
  });

  it('is secure by default: no keys, local auth off, no secrets in outputs', () => {
    const all = templates.map(read).join('\n');
    expect(all).not.toMatch(/listKeys\(|listConnectionStrings\(|AccountKey=/);
    expect(read('modules/cosmos.bicep')).toContain('disableLocalAuth: true');
    expect(read('modules/service-bus.bicep')).toContain('disableLocalAuth: true');
    expect(read('modules/storage.bicep')).toContain('allowSharedKeyAccess: false');
    expect(appSettings().get('PLATFORM_ADMIN_KEY')).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=/);
    expect([...main.matchAll(/^output (\w+)/gm)].map((m) => m[1]).filter((o) => /secret|password|connectionstring|accesskey|adminkey|apikey/i.test(o!))).toEqual([]);
  });

  it('describes every parameter and output', () => {
    for (const file of templates) {
      const lines = read(file).split('\n');
      lines.forEach((line, i) => {
        if (!/^(param|output) /.test(line)) return;
        let j = i - 1;
        while (j >= 0 && lines[j]!.startsWith('@') && !lines[j]!.startsWith('@description')) j -= 1;
        expect({ file, line, described: (lines[j] ?? '').startsWith('@description') }).toEqual({ file, line, described: true });
      });
    }
  });

  it('names role assignments deterministically, so a redeploy changes nothing', () => {
    const all = templates.map(read).join('\n');
    const names = [...all.matchAll(/roleAssignments@[\d-]+' = (?:\[\s*for [^:]+:\s*)?(?:if \(.*\) )?\{\s*\n\s*name: ([^\n]+)/g)].map((m) => m[1]!.trim());
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) expect(name).toMatch(/^guid\(/);
  });
});
