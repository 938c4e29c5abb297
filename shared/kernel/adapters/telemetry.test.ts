import { trace } from '@opentelemetry/api';
import { loadConfig, type Config } from '../config';
import { startTelemetry } from './telemetry';

// Azure Monitor itself is not started here: outside Azure it probes the instance metadata service.
// What matters is that it is loaded only when asked for, and how it is configured.
let mockLoads = 0;
const mockUseAzureMonitor = jest.fn();
jest.mock('@azure/monitor-opentelemetry', () => {
  mockLoads += 1;
  return { useAzureMonitor: mockUseAzureMonitor, shutdownAzureMonitor: jest.fn(async () => undefined) };
});

const config = (env: Record<string, string> = {}): Config =>
  loadConfig({
    CosmosDb__accountEndpoint: 'https://acct.documents.azure.com:443/',
    ServiceBus__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
    BlobStorage__serviceUri: 'https://st.blob.core.windows.net',
    PLATFORM_ADMIN_KEY: 'k'.repeat(40),
    AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
    ...env,
  });
const CONNECTION = 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/';

describe('startTelemetry', () => {
  beforeEach(() => {
    mockLoads = 0;
    mockUseAzureMonitor.mockClear();
  });

  it('is off by default and loads no SDK', async () => {
    const sdk = startTelemetry(config());
    expect(sdk).toMatchObject({ active: false, exporters: [] });
    expect(mockLoads).toBe(0);
    await sdk.shutdown();
  });

  it('stays off on Node.js 20 with a connection string, saying why, without loading Azure Monitor', () => {
    const sdk = startTelemetry(config({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION }), '20.20.2');
    expect(sdk.active).toBe(false);
    expect(sdk.notice).toMatch(/needs Node\.js 22 \(this is 20\.20\.2\)/);
    expect(mockLoads).toBe(0);
  });

  it('starts Azure Monitor on Node.js 22: Entra ID, whole traces at the sampling percentage, Azure SDK spans but not raw HTTP', async () => {
    const sdk = startTelemetry(config({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION, TELEMETRY_SAMPLING_PERCENTAGE: '25' }), '22.11.0');
    expect(sdk).toMatchObject({ active: true, exporters: ['azure-monitor'] });
    expect(mockLoads).toBe(1);
    expect(mockUseAzureMonitor).toHaveBeenCalledTimes(1);
    const options = mockUseAzureMonitor.mock.calls[0][0];
    expect(options).toMatchObject({
      azureMonitorExporterOptions: { connectionString: CONNECTION, credential: expect.objectContaining({ getToken: expect.any(Function) }) },
      samplingRatio: 0.25,
      tracesPerSecond: 0,
      instrumentationOptions: { azureSdk: { enabled: true }, http: { enabled: false }, console: { enabled: false } },
    });
    // One SDK per process: a second platform shares it.
    expect(startTelemetry(config({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION }), '22.11.0')).toBe(sdk);
    await sdk.shutdown();
  });

  it('prints spans to the console locally with OTEL_TRACES_EXPORTER=console, and unregisters on shutdown', async () => {
    const printed = jest.spyOn(console, 'dir').mockImplementation(() => undefined);
    const sdk = startTelemetry(config({ OTEL_TRACES_EXPORTER: 'console' }), '20.20.2');
    expect(sdk).toMatchObject({ active: true, exporters: ['traces:console'] });
    trace.getTracer('test').startSpan('local span').end();
    expect(JSON.stringify(printed.mock.calls)).toContain('local span');
    await sdk.shutdown();
    printed.mockRestore();
    expect(trace.getTracer('test').startSpan('after').isRecording()).toBe(false);
    expect(mockLoads).toBe(0);
  });
});
