import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema, LOCAL_ONLY_SETTINGS, loadConfig } from '../shared/kernel/config';
import { EVENTS_TOPIC, MAX_DELIVERY_COUNT } from '../shared/kernel/declarations';
import { ATTRIBUTES, METRICS } from '../shared/kernel/telemetry';
import { createPlatform } from '../shared/platform';
import { scheduleSetting, type TimerFunction, type TopicFunction } from '../shared/edge/definition';
import { blobContainers, cosmosContainers, type infrastructureManifest } from '../shared/infrastructure';
import { sqlFilter } from '../shared/kernel/events';
import { manifestText } from '../local/generate-infra';
import { deployedResources, render, Unknown, variable, type DeployedResource, type Template, type Value } from './support/arm-template';
import { compileMatching, findBicep } from './support/bicep-cli';

const dir = join(__dirname, '..', 'infra-bicep');
const read = (file: string) => readFileSync(join(dir, file), 'utf8');

/** The generated file the templates load (`var platform platformManifest = loadJsonContent('platform.json')`). */
const generated = () => read('platform.json');
type Manifest = ReturnType<typeof infrastructureManifest>;
const manifest = () => JSON.parse(generated()) as Manifest;

function declaredContainers(m: Manifest) {
  return m.cosmosContainers.map((c) => ({ name: c.name, paths: c.partitionKeyPaths, ttl: c.defaultTtl }));
}

const expectedContainers = () => cosmosContainers().map((c) => ({ name: c.id, paths: c.partitionKeyPaths, ttl: c.defaultTtl ?? -2 }));

const azureConfig = {
  CosmosDb__accountEndpoint: 'https://a.documents.azure.com/',
  ServiceBus__fullyQualifiedNamespace: 'n.servicebus.windows.net',
  BlobStorage__serviceUri: 'https://s.blob.core.windows.net',
  PLATFORM_ADMIN_KEY: 'k'.repeat(40),
};

function codeFunctions() {
  const platform = createPlatform(loadConfig(azureConfig));
  const timers = platform.functions.filter((f): f is TimerFunction => f.kind === 'timer');
  const consumers = platform.functions.filter((f): f is TopicFunction => f.kind === 'serviceBusTopic');
  void platform.close();
  return { timers, consumers };
}

describe('infra-bicep agrees with the code: the generated file the templates load', () => {
  it('is current (`npm run infra` rewrites it)', () => {
    expect(generated()).toBe(manifestText());
  });

  it('declares every Cosmos DB container with the partition key paths and TTL the code uses', () => {
    expect(declaredContainers(manifest())).toEqual(expectedContainers());
  });

  it('catches a container removed from the file, or given another partition key', () => {
    const m = manifest();
    const removed = { ...m, cosmosContainers: m.cosmosContainers.filter((c) => c.name !== 'transactions') };
    const rekeyed = { ...m, cosmosContainers: m.cosmosContainers.map((c) => (c.name === 'loyalty' ? { ...c, partitionKeyPaths: ['/tenantId'] } : c)) };
    for (const drifted of [removed, rekeyed]) {
      expect(JSON.stringify(drifted)).not.toBe(JSON.stringify(m));
      expect(declaredContainers(drifted)).not.toEqual(expectedContainers());
    }
  });

  it('sets every timer schedule the code uses, by the app setting its trigger reads', () => {
    const { timers } = codeFunctions();
    const settings = new Map(Object.entries(manifest().timerSchedules));
    expect([...settings.keys()].sort()).toEqual(timers.map((t) => scheduleSetting(t.name)).sort());
    for (const timer of timers)
      expect({ timer: timer.name, schedule: settings.get(scheduleSetting(timer.name)) }).toEqual({ timer: timer.name, schedule: timer.schedule });
  });

  it('declares the events topic and one subscription per consumer, filtered to the events it accepts', () => {
    const { consumers } = codeFunctions();
    const m = manifest();
    expect(m.eventsTopic).toBe(EVENTS_TOPIC);
    expect(m.subscriptions.map((s) => [s.name, s.sqlFilter]).sort()).toEqual(consumers.map((c) => [c.subscriptionName, sqlFilter(c.accepts)]).sort());
  });

  it('declares every blob container the code uses', () => {
    expect([...manifest().blobContainers].sort()).toEqual(
      blobContainers()
        .map((c) => c.name)
        .sort(),
    );
  });
});

// ---- the compiled templates -------------------------------------------------------------------
// The Bicep CLI compiles the templates to the ARM JSON that Azure deploys; the tests below read what
// that JSON deploys (tests/support/arm-template.ts evaluates its expressions, loops and modules).
// Without the CLI they are skipped locally (`bash .ci/install-bicep.sh` installs it); in CI they fail.

const bicep = findBicep();
const inCI = /^(1|true)$/i.test(process.env.CI ?? '');
if (!bicep && !inCI) {
  console.warn(
    'tests/infra.test.ts: no Bicep CLI (.ci/tools/bicep, $BICEP_CLI or `bicep` on PATH), so the tests of the compiled templates are SKIPPED. `bash .ci/install-bicep.sh` installs the pinned one.',
  );
}
const describeCompiled = bicep || inCI ? describe : describe.skip;

/** The documented deployment's parameters (main.parameters.json), the key, and a Key Vault administrator. */
const deployParameters = (): { [name: string]: Value } => ({
  ...Object.fromEntries(
    Object.entries((JSON.parse(read('main.parameters.json')) as { parameters: { [name: string]: { value: Value } } }).parameters).map(([k, v]) => [k, v.value]),
  ),
  platformAdminKey: 'k'.repeat(40),
  keyVaultAdminPrincipalId: '11111111-2222-3333-4444-555555555555',
});

type Obj = { [key: string]: Value };
const obj = (value: Value | undefined): Obj => {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value) || value instanceof Unknown)
    throw new Error(`not an object: ${render(value ?? null)}`);
  return value;
};
const props = (r: DeployedResource) => obj(r.body.properties);

/** A resource name's segments (parent/child), the known ones as strings. */
function segments(name: Value): Value[] {
  if (typeof name === 'string') return name.split('/');
  if (name instanceof Unknown && name.fn === 'format' && typeof name.args[0] === 'string') {
    return name.args[0].split('/').map((part) => {
      const slot = /^\{(\d+)\}$/.exec(part);
      return slot ? name.args[Number(slot[1]) + 1]! : part;
    });
  }
  return [name];
}
const leafName = (r: DeployedResource) => segments(r.name).at(-1)!;

const ofType = (resources: DeployedResource[], type: string) => resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
function theOne(resources: DeployedResource[], type: string) {
  const found = ofType(resources, type);
  expect(found.map((r) => r.path.join('/'))).toHaveLength(1);
  return found[0]!;
}

/** The Cosmos DB containers a template deploys: id, partition key paths and kind, TTL (-2 = off). */
function compiledContainers(resources: DeployedResource[]) {
  return ofType(resources, 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers').map((r) => {
    const resource = obj(props(r).resource);
    const key = obj(resource.partitionKey);
    return { name: resource.id, paths: key.paths, kind: key.kind, version: key.version, ttl: resource.defaultTtl ?? -2 };
  });
}
const expectedCompiledContainers = () => expectedContainers().map((c) => ({ ...c, kind: c.paths.length > 1 ? 'MultiHash' : 'Hash', version: 2 }));

/** The function app's siteConfig.appSettings, by name. */
function appSettings(resources: DeployedResource[]): Map<string, Value> {
  const siteConfig = obj(props(theOne(resources, 'Microsoft.Web/sites')).siteConfig);
  const list = siteConfig.appSettings as Value[];
  const settings = new Map(list.map((s) => [obj(s).name as string, obj(s).value!]));
  expect(settings.size).toBe(list.length);
  return settings;
}

/** Every template in a compiled template: itself and its modules', depth first. */
function templatesIn(template: Template, path = 'main'): Array<{ path: string; template: Template }> {
  const resources = Object.entries((template.resources ?? {}) as { [symbol: string]: { type?: string; properties?: { template?: Template } } });
  return [
    { path, template },
    ...resources.flatMap(([symbol, r]) =>
      r.type === 'Microsoft.Resources/deployments' && r.properties?.template ? templatesIn(r.properties.template, `${path}/${symbol}`) : [],
    ),
  ];
}

/** Drifted copies of the templates: each must fail the comparison of Cosmos DB containers with the code. */
function driftVariants(): { [variant: string]: { [file: string]: string } } {
  const m = manifest();
  const cosmos = read('modules/cosmos.bicep');
  const edit = (text: string, from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`modules/cosmos.bicep no longer contains ${from}: update the drift test`);
    return text.replace(from, to);
  };
  return {
    'a container removed from platform.json': {
      'platform.json': JSON.stringify({ ...m, cosmosContainers: m.cosmosContainers.filter((c) => c.name !== 'transactions') }),
    },
    'another partition key in platform.json': {
      'platform.json': JSON.stringify({
        ...m,
        cosmosContainers: m.cosmosContainers.map((c) => (c.name === 'loyalty' ? { ...c, partitionKeyPaths: ['/tenantId'] } : c)),
      }),
    },
    'the container loop skipping one': { 'modules/cosmos.bicep': edit(cosmos, 'for c in containers:', 'for c in skip(containers, 1):') },
    'the hierarchical key cut to its first path': {
      'modules/cosmos.bicep': edit(cosmos, "{ paths: c.partitionKeyPaths, kind: 'MultiHash'", "{ paths: take(c.partitionKeyPaths, 1), kind: 'MultiHash'"),
    },
  };
}

/**
 * Compiles, in one run of the CLI, a copy of infra-bicep as it is (main.bicep and azd.bicep) and the
 * drifted copies (main.bicep), each in its own folder.
 */
async function compileAll(bicep: string, variants: Array<{ [file: string]: string }>) {
  const root = mkdtempSync(join(tmpdir(), 'infra-bicep-'));
  try {
    cpSync(dir, join(root, 'current'), { recursive: true });
    variants.forEach((files, i) => {
      const copy = join(root, `drift-${i}`);
      cpSync(dir, copy, { recursive: true });
      rmSync(join(copy, 'azd.bicep'));
      for (const [file, text] of Object.entries(files)) writeFileSync(join(copy, file), text);
    });
    const diagnostics = await compileMatching(bicep, join(root, '*', '*.bicep'));
    const load = (folder: string, file: string) => JSON.parse(readFileSync(join(root, folder, file), 'utf8')) as Template;
    return {
      main: load('current', 'main.json'),
      azd: load('current', 'azd.json'),
      drifted: variants.map((_, i) => load(`drift-${i}`, 'main.json')),
      diagnostics: diagnostics.map((line) => line.replace(root, '<copies>')),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describeCompiled('infra-bicep, compiled by the Bicep CLI, deploys what the code declares', () => {
  let main: Template;
  let diagnostics: string[];
  let azd: Template;
  let deployed: DeployedResource[];
  const variants = driftVariants();
  let drifted: DeployedResource[][];

  beforeAll(async () => {
    if (!bicep) {
      throw new Error(
        'CI is set and no Bicep CLI was found: CI must compile the templates. Run `bash .ci/install-bicep.sh` (it installs .ci/tools/bicep) or set BICEP_CLI.',
      );
    }
    const compiled = await compileAll(bicep, Object.values(variants));
    ({ main, azd, diagnostics } = compiled);
    deployed = deployedResources(main, deployParameters());
    drifted = compiled.drifted.map((template) => deployedResources(template, deployParameters()));
  });

  it('compiles with no error or warning, the linter rules of bicepconfig.json included', () => {
    expect(diagnostics.filter((line) => !/[\\/]drift-\d+[\\/]/.test(line))).toEqual([]);
  });

  it('loads the infrastructure file generated from the modules and hands its parts to the modules', () => {
    expect(variable(main, 'platform', deployParameters())).toEqual(JSON.parse(manifestText()));
    const m = manifest();
    const params = (module: string) =>
      obj(props(deployed.find((r) => r.path.join('/') === module && r.type === 'Microsoft.Resources/deployments')!).parameters);
    expect(params('cosmos').containers).toEqual(m.cosmosContainers);
    expect(params('storage').appContainers).toEqual(m.blobContainers);
    expect(params('serviceBus').topicName).toBe(m.eventsTopic);
    expect(params('serviceBus').subscriptions).toEqual(m.subscriptions);
    expect(params('functionApp').timerSchedules).toEqual(m.timerSchedules);
  });

  it('deploys the resources the app runs on, all in one resource group', () => {
    expect([...new Set(deployed.map((r) => r.type))].sort()).toEqual(
      [
        'Microsoft.Authorization/roleAssignments',
        'Microsoft.DocumentDB/databaseAccounts',
        'Microsoft.DocumentDB/databaseAccounts/sqlDatabases',
        'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers',
        'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
        'Microsoft.Insights/actionGroups',
        'Microsoft.Insights/components',
        'Microsoft.Insights/metricAlerts',
        'Microsoft.Insights/scheduledQueryRules',
        'Microsoft.Insights/workbooks',
        'Microsoft.KeyVault/vaults',
        'Microsoft.KeyVault/vaults/secrets',
        'Microsoft.ManagedIdentity/userAssignedIdentities',
        'Microsoft.OperationalInsights/workspaces',
        'Microsoft.Resources/deployments',
        'Microsoft.ServiceBus/namespaces',
        'Microsoft.ServiceBus/namespaces/topics',
        'Microsoft.ServiceBus/namespaces/topics/subscriptions',
        'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules',
        'Microsoft.Storage/storageAccounts',
        'Microsoft.Storage/storageAccounts/blobServices',
        'Microsoft.Storage/storageAccounts/blobServices/containers',
        'Microsoft.Web/serverfarms',
        'Microsoft.Web/sites',
        'Microsoft.Web/staticSites',
      ].sort(),
    );
    // No module deploys to another resource group or subscription.
    const elsewhere = ofType(deployed, 'Microsoft.Resources/deployments').filter(
      (r) => 'resourceGroup' in r.body || 'subscriptionId' in r.body || 'scope' in r.body,
    );
    expect(elsewhere.map((r) => r.path.join('/'))).toEqual([]);
    // Every app setting made from another resource reads a module that is deployed.
    const modules = new Set(ofType(deployed, 'Microsoft.Resources/deployments').map((r) => r.path.join('/')));
    const referenced = [...appSettings(deployed).values()].flatMap((v) => [...render(v).matchAll(/reference\('(\w+)'\)/g)].map((m) => m[1]!));
    expect(referenced.length).toBeGreaterThan(0);
    expect(referenced.filter((m) => !modules.has(m))).toEqual([]);
  });

  it('serves the back office console from a Standard Static Web App, which alone may call the API from a browser', () => {
    const site = theOne(deployed, 'Microsoft.Web/staticSites').body;
    expect(site.sku).toEqual({ name: 'Standard', tier: 'Standard' });
    // No linked backend: the Function App keeps answering tills and web shops directly.
    expect(deployed.filter((r) => r.type.startsWith('Microsoft.Web/staticSites/'))).toEqual([]);
    const cors = obj(obj(props(theOne(deployed, 'Microsoft.Web/sites')).siteConfig).cors);
    expect(cors.supportCredentials).toBe(false);
    expect((cors.allowedOrigins as Value[]).map(render)).toEqual([expect.stringMatching(/^https:\/\/.*defaultHostname/)]);
  });

  it('runs Node.js 22 LTS, which the code supports, on the Flex Consumption plan', () => {
    const engines = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const app = props(theOne(deployed, 'Microsoft.Web/sites'));
    // Node.js 20 left long-term support in April 2026: a new deployment starts on 22.
    expect(obj(app.functionAppConfig).runtime).toEqual({ name: 'node', version: '22' });
    // package.json's engines (the oldest Node.js the code runs on, 20 for local runs) admits it.
    expect(engines).toMatch(/^>=\d+$/);
    expect(Number(/\d+/.exec(engines)![0])).toBeLessThanOrEqual(22);
    expect(theOne(deployed, 'Microsoft.Web/serverfarms').body.sku).toEqual({ tier: 'FlexConsumption', name: 'FC1' });
  });

  it('sets every setting the configuration schema reads in Azure, and nothing the code does not read', () => {
    const settings = appSettings(deployed);
    const read = Object.keys(ConfigSchema.shape).filter((k) => !(LOCAL_ONLY_SETTINGS as readonly string[]).includes(k));
    expect(read.filter((name) => !settings.has(name))).toEqual([]);
    const hostOnly = /^(AzureWebJobsStorage__|ServiceBus__(credential|clientId)$|APPLICATIONINSIGHTS_AUTHENTICATION_STRING$|Schedule_)/;
    const unknown = [...settings.keys()].filter((k) => !read.includes(k) && !hostOnly.test(k));
    expect(unknown).toEqual([]);
  });

  it('gives settings that pass the configuration schema', () => {
    // Values as deployed with main.parameters.json; a value known only in Azure (another resource's
    // endpoint, a Key Vault reference) gets a plausible one: its literal parts with 'x' for the rest.
    const valueOf = (name: string, value: Value): string => {
      if (typeof value === 'string') return value;
      if (value instanceof Unknown && value.fn === 'format' && !value.text.startsWith('⟨')) return value.text.replace(/⟨[^⟩]*⟩/g, 'x');
      return /Endpoint|Uri|_HOST$/.test(name) ? 'https://example.net/' : 'x'.repeat(40);
    };
    const env = Object.fromEntries([...appSettings(deployed).entries()].map(([k, v]) => [k, valueOf(k, v)]));
    expect(loadConfig(env)).toMatchObject({ messaging: { mode: 'servicebus' }, logLevel: 'info' });
  });

  it("has staff tokens checked against this cloud's Entra ID sign-in host, and only keys when no audience is given", () => {
    expect(render(appSettings(deployed).get('ENTRA_AUTHORITY_HOST')!)).toContain('loginEndpoint');
    expect(appSettings(deployed).get('ENTRA_API_AUDIENCE')).toBe('');
  });

  it('has wallet links open the wallet page on the static web app', () => {
    expect(render(appSettings(deployed).get('WALLET_PAGE_URL')!)).toMatch(/^https:\/\/.*defaultHostname.*\/wallet\/$/);
  });

  it('declares every Cosmos DB container with the partition key paths and TTL the code uses', () => {
    expect(compiledContainers(deployed)).toEqual(expectedCompiledContainers());
  });

  it('catches a container removed from the templates, or given another partition key', () => {
    // The copy as it is, compiled the same way, matches (the test above): only the drift makes the difference.
    expect(Object.keys(variants)).toHaveLength(drifted.length);
    Object.keys(variants).forEach((variant, i) => {
      expect({ variant, matches: JSON.stringify(compiledContainers(drifted[i]!)) === JSON.stringify(expectedCompiledContainers()) }).toEqual({
        variant,
        matches: false,
      });
    });
  });

  it('sets every timer schedule the code uses, in the app setting its trigger reads', () => {
    const { timers } = codeFunctions();
    const settings = appSettings(deployed);
    const declared = [...settings.keys()].filter((k) => k.startsWith('Schedule_')).sort();
    expect(declared).toEqual(timers.map((t) => scheduleSetting(t.name)).sort());
    for (const timer of timers)
      expect({ timer: timer.name, schedule: settings.get(scheduleSetting(timer.name)) }).toEqual({ timer: timer.name, schedule: timer.schedule });
  });

  it('declares the events topic and one subscription per consumer, filtered to the events it accepts', () => {
    const { consumers } = codeFunctions();
    const topic = theOne(deployed, 'Microsoft.ServiceBus/namespaces/topics');
    expect(leafName(topic)).toBe(EVENTS_TOPIC);
    expect(props(topic).requiresDuplicateDetection).toBe(true);
    const subscriptions = ofType(deployed, 'Microsoft.ServiceBus/namespaces/topics/subscriptions').map((s) => segments(s.name).slice(1).join('/'));
    expect(subscriptions.sort()).toEqual(consumers.map((c) => `${EVENTS_TOPIC}/${c.subscriptionName}`).sort());
    const rules = ofType(deployed, 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules').map((r) => {
      const [, topicName, subscription, rule] = segments(r.name);
      return { topic: topicName, subscription, rule, filterType: props(r).filterType, sql: obj(props(r).sqlFilter).sqlExpression };
    });
    expect(rules.sort((a, b) => String(a.subscription).localeCompare(String(b.subscription)))).toEqual(
      consumers
        .map((c) => ({ topic: EVENTS_TOPIC, subscription: c.subscriptionName, rule: '$Default', filterType: 'SqlFilter', sql: sqlFilter(c.accepts) }))
        .sort((a, b) => a.subscription.localeCompare(b.subscription)),
    );
  });

  it('gives every subscription the max delivery count the consumers count dead letters by', () => {
    const subscriptions = ofType(deployed, 'Microsoft.ServiceBus/namespaces/topics/subscriptions');
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const s of subscriptions)
      expect({ subscription: leafName(s), max: props(s).maxDeliveryCount }).toEqual({ subscription: leafName(s), max: MAX_DELIVERY_COUNT });
  });

  it('alerts on dead letters, the 5xx rate, consumer lag and throttling, with the thresholds and e-mail of the parameters', () => {
    const parameters = deployParameters();
    const withEmail = deployedResources(main, { ...parameters, alertEmail: 'operations@example.com' });
    // The action group: main.parameters.json's e-mail (empty: no receiver), or the one given.
    const group = (resources: DeployedResource[]) => props(theOne(resources, 'Microsoft.Insights/actionGroups'));
    expect(group(deployed).emailReceivers).toEqual(parameters.alertEmail ? [expect.objectContaining({ emailAddress: parameters.alertEmail })] : []);
    expect(group(withEmail).emailReceivers).toEqual([{ name: 'operations', emailAddress: 'operations@example.com', useCommonAlertSchema: true }]);
    const groupId = render(theOne(deployed, 'Microsoft.Insights/actionGroups').name);

    // Platform metrics: Service Bus dead letters > 0, Cosmos DB 429s above the threshold.
    const metricAlerts = ofType(deployed, 'Microsoft.Insights/metricAlerts').map((r) => {
      const p = props(r);
      const [criterion] = obj(p.criteria).allOf as Value[];
      const c = obj(criterion!);
      return {
        scope: render((p.scopes as Value[])[0]!),
        metric: `${c.metricNamespace}/${c.metricName}`,
        dimensions: c.dimensions,
        operator: c.operator,
        threshold: c.threshold,
        notifies: render(p.actions!),
      };
    });
    expect(metricAlerts).toEqual([
      expect.objectContaining({
        scope: "reference('serviceBus').outputs.id.value",
        metric: 'Microsoft.ServiceBus/namespaces/DeadletteredMessages',
        operator: 'GreaterThan',
        threshold: 0,
      }),
      expect.objectContaining({
        scope: "reference('cosmos').outputs.id.value",
        metric: 'Microsoft.DocumentDB/databaseAccounts/TotalRequests',
        dimensions: [{ name: 'StatusCode', operator: 'Include', values: ['429'] }],
        threshold: parameters.throttledRequestsThreshold,
      }),
    ]);
    for (const alert of metricAlerts) expect(alert.notifies).toContain(groupId);

    // The app's telemetry in Application Insights: each query reads a metric or attribute the code records.
    const logAlerts = Object.fromEntries(
      ofType(deployed, 'Microsoft.Insights/scheduledQueryRules').map((r) => {
        const p = props(r);
        const c = obj((obj(p.criteria).allOf as Value[])[0]!);
        expect(render(p.scopes!)).toContain("'Microsoft.Insights/components'");
        expect(render(p.actions!)).toContain(groupId);
        return [
          String(p.displayName).replace('unifica: ', ''),
          { query: String(c.query), measure: c.metricMeasureColumn, operator: c.operator, threshold: c.threshold },
        ];
      }),
    );
    expect(Object.keys(logAlerts).sort()).toEqual(['consumer-lag', 'contract-dead-letters', 'server-errors', 'throttling']);
    expect(logAlerts['server-errors']).toMatchObject({ measure: 'serverErrorRate', operator: 'GreaterThan', threshold: parameters.serverErrorRatePercent });
    expect(logAlerts['server-errors']!.query).toContain(`customDimensions["${ATTRIBUTES.function}"]`);
    expect(logAlerts['consumer-lag']).toMatchObject({ measure: 'lagSeconds', threshold: parameters.consumerLagSeconds });
    expect(logAlerts['consumer-lag']!.query).toContain(`name == "${METRICS.consumerLag}"`);
    expect(logAlerts['consumer-lag']!.query).toContain(`customDimensions["${ATTRIBUTES.subscription}"]`);
    expect(logAlerts['contract-dead-letters']).toMatchObject({ threshold: 0 });
    expect(logAlerts['contract-dead-letters']!.query).toContain(`name == "${METRICS.deadLetters}"`);
    expect(logAlerts.throttling).toMatchObject({ threshold: parameters.throttledRequestsThreshold });
    expect(logAlerts.throttling!.query).toContain(`name == "${METRICS.throttled}"`);
  });

  it('has a workbook with ingest rate per channel, lag per consumer and the slowest operations, on what the code records', () => {
    const workbook = theOne(deployed, 'Microsoft.Insights/workbooks');
    const p = props(workbook);
    expect(workbook.body.kind).toBe('shared');
    expect(p.category).toBe('workbook');
    expect(render(p.sourceId!)).toContain("'Microsoft.Insights/components'");
    // serializedData is the workbook file with the Application Insights resource id put in.
    const data = p.serializedData;
    expect(data instanceof Unknown && data.fn === 'replace').toBe(true);
    const [text, placeholder, resource] = (data as Unknown).args;
    expect(render(resource!)).toBe(render(p.sourceId!));
    const content = JSON.parse(text as string) as { version: string; items: Array<{ name: string; content: { query?: string; visualization?: string } }> };
    expect(content.version).toBe('Notebook/1.0');
    expect(text as string).toContain(placeholder as string);
    const query = (name: string) => content.items.find((i) => i.name === name)?.content.query ?? '';
    expect(query('ingest-rate')).toContain(`name == "${METRICS.eventsPublished}"`);
    expect(query('ingest-rate')).toContain('customDimensions["channel"]');
    expect(query('consumer-lag')).toContain(`name == "${METRICS.consumerLag}"`);
    expect(query('consumer-lag')).toContain(`customDimensions["${ATTRIBUTES.subscription}"]`);
    expect(query('slowest-operations')).toMatch(/requests[\s\S]*dependencies[\s\S]*percentile\(duration, 95\)/);
  });

  it('declares every blob container the code uses, private', () => {
    const containers = ofType(deployed, 'Microsoft.Storage/storageAccounts/blobServices/containers');
    const app = containers.filter((c) => leafName(c) !== 'deployment-package');
    expect(app.map((c) => leafName(c)).sort()).toEqual(
      blobContainers()
        .map((c) => c.name)
        .sort(),
    );
    for (const c of app) expect({ container: leafName(c), publicAccess: props(c).publicAccess }).toEqual({ container: leafName(c), publicAccess: 'None' });
    expect(props(theOne(deployed, 'Microsoft.Storage/storageAccounts')).allowBlobPublicAccess).toBe(false);
  });

  it('is secure by default: no keys, local auth off, no secrets in outputs', () => {
    expect(JSON.stringify(main)).not.toMatch(/listKeys\(|listConnectionStrings\(|AccountKey=/);
    expect(props(theOne(deployed, 'Microsoft.DocumentDB/databaseAccounts')).disableLocalAuth).toBe(true);
    expect(props(theOne(deployed, 'Microsoft.ServiceBus/namespaces')).disableLocalAuth).toBe(true);
    expect(props(theOne(deployed, 'Microsoft.Storage/storageAccounts')).allowSharedKeyAccess).toBe(false);
    expect(props(theOne(deployed, 'Microsoft.Insights/components')).DisableLocalAuth).toBe(true);
    const key = appSettings(deployed).get('PLATFORM_ADMIN_KEY');
    expect(key instanceof Unknown ? key.text : key).toMatch(/^@Microsoft\.KeyVault\(SecretUri=⟨reference\('keyVault'\)/);
    const outputs = Object.keys((main.outputs ?? {}) as object);
    expect(outputs.length).toBeGreaterThan(0);
    expect(outputs.filter((o) => /secret|password|connectionstring|accesskey|adminkey|apikey/i.test(o))).toEqual([]);
    // No output of any template is made from the key (or is secure).
    for (const { path, template } of templatesIn(main)) {
      for (const [name, output] of Object.entries((template.outputs ?? {}) as { [name: string]: { type?: string; value?: unknown } })) {
        expect({ path, name, type: output.type, fromKey: /platformAdminKey/i.test(JSON.stringify(output.value)) }).toEqual({
          path,
          name,
          type: expect.not.stringMatching(/^secure/i),
          fromKey: false,
        });
      }
    }
  });

  it('describes every parameter and output', () => {
    const undescribed = [...templatesIn(main), ...templatesIn(azd, 'azd')].flatMap(({ path, template }) =>
      (['parameters', 'outputs'] as const).flatMap((kind) =>
        Object.entries((template[kind] ?? {}) as { [name: string]: { metadata?: { description?: string } } })
          .filter(([, d]) => !d.metadata?.description?.trim())
          .map(([name]) => `${path} ${kind} ${name}`),
      ),
    );
    expect(templatesIn(main).length).toBe(1 + readdirSync(join(dir, 'modules')).length);
    expect(undescribed).toEqual([]);
  });

  it('names role assignments deterministically, so a redeploy changes nothing', () => {
    const assignments = deployed.filter((r) => /roleAssignments$/i.test(r.type));
    expect(assignments.length).toBeGreaterThanOrEqual(5);
    for (const r of assignments) {
      // guid(scope, principal, role): the same three give the same name on every deployment.
      const p = props(r);
      const name = segments(r.name).at(-1)!;
      const role = p.roleDefinitionId;
      const expected = [r.scope ?? p.scope!, p.principalId!, role instanceof Unknown ? role.args.at(-1)! : role!].map(render);
      expect({ at: r.path.join('/'), name: name instanceof Unknown ? [name.fn, ...name.args.map(render)] : render(name) }).toEqual({
        at: r.path.join('/'),
        name: ['guid', ...expected],
      });
    }
  });

  it('has azd deploy main.bicep, unchanged, into the resource group of the azd environment', () => {
    const [group, app] = deployedResources(azd, { environmentName: 'demo', location: 'westeurope', platformAdminKey: 'k'.repeat(40), principalId: '' });
    expect(group).toMatchObject({
      type: 'Microsoft.Resources/resourceGroups',
      name: 'rg-demo',
      body: { location: 'westeurope', tags: { 'azd-env-name': 'demo' } },
    });
    expect(app).toMatchObject({ type: 'Microsoft.Resources/deployments', body: { resourceGroup: 'rg-demo' } });
    expect((azd.resources as { [symbol: string]: { properties: { template: Template } } }).app!.properties.template).toEqual(main);
    expect(props(app!).parameters).toEqual({
      environmentName: 'demo',
      location: 'westeurope',
      platformAdminKey: 'k'.repeat(40),
      keyVaultAdminPrincipalId: '',
      entraApiAudience: '',
    });
  });
});
