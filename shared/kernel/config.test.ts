import { ConfigError, loadConfig } from './config';

const valid = {
  CosmosDb__accountEndpoint: 'https://acct.documents.azure.com:443/',
  ServiceBus__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
  BlobStorage__serviceUri: 'https://st.blob.core.windows.net',
  PLATFORM_ADMIN_KEY: 'x'.repeat(32),
};

describe('loadConfig', () => {
  it('applies defaults to a minimal Azure configuration', () => {
    expect(loadConfig(valid)).toMatchObject({
      cosmos: { databaseName: 'unifica', endpointDiscovery: true },
      messaging: { mode: 'servicebus' },
      logLevel: 'info',
    });
  });

  it('names every missing or malformed setting', () => {
    try {
      loadConfig({ ...valid, CosmosDb__accountEndpoint: 'not a url', PLATFORM_ADMIN_KEY: 'short', ServiceBus__fullyQualifiedNamespace: undefined });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).settings.sort()).toEqual(['CosmosDb__accountEndpoint', 'PLATFORM_ADMIN_KEY', 'ServiceBus__fullyQualifiedNamespace']);
      expect((error as Error).message).toContain('PLATFORM_ADMIN_KEY: must be at least 32 characters');
    }
  });

  it('needs no Service Bus namespace with the in-process bus', () => {
    expect(loadConfig({ ...valid, ServiceBus__fullyQualifiedNamespace: undefined, MESSAGING_MODE: 'in-process' }).messaging.mode).toBe('in-process');
  });
});
