/* eslint-disable @typescript-eslint/no-require-imports -- each case loads the entry point afresh with jest.isolateModules */
type Functions = typeof import('@azure/functions'); // eslint-disable-line @typescript-eslint/consistent-type-imports

const env = {
  CosmosDb__accountEndpoint: 'https://acct.documents.azure.com:443/',
  ServiceBus__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
  BlobStorage__serviceUri: 'https://st.blob.core.windows.net',
  PLATFORM_ADMIN_KEY: 'k'.repeat(40),
};

describe('Azure entry point', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  it('registers every function of the catalog once, with its trigger', () => {
    Object.assign(process.env, env);
    let spies!: Record<'http' | 'topic' | 'timer', jest.SpyInstance>;
    jest.isolateModules(() => {
      const { app } = require('@azure/functions') as Functions;
      spies = {
        http: jest.spyOn(app, 'http').mockImplementation(() => undefined),
        topic: jest.spyOn(app, 'serviceBusTopic').mockImplementation(() => undefined),
        timer: jest.spyOn(app, 'timer').mockImplementation(() => undefined),
      };
      jest.spyOn(app.hook, 'appTerminate').mockImplementation(() => ({ dispose: () => undefined }) as never);
      require('./index');
    });
    const { http, topic, timer } = spies;

    const routes = http.mock.calls.map(([, options]) => `${options.methods?.join()} ${options.route}`);
    expect(routes).toEqual(expect.arrayContaining(['POST v1/transactions', 'GET v1/customers/{customerId}', 'GET health', 'GET openapi.json']));
    expect(new Set(http.mock.calls.map(([name]) => name)).size).toBe(http.mock.calls.length);
    expect(http.mock.calls.every(([, options]) => options.authLevel === 'anonymous')).toBe(true);
    expect(topic.mock.calls.map(([name, options]) => [name, options.topicName, options.subscriptionName, options.connection])).toEqual([
      ['customerActivity', 'events', 'customer-activity', 'ServiceBus'],
      ['loyaltyAccrual', 'events', 'loyalty', 'ServiceBus'],
      ['couponRedemptions', 'events', 'coupons', 'ServiceBus'],
      ['receiptIssuer', 'events', 'receipts', 'ServiceBus'],
      ['stockMovements', 'events', 'stock', 'ServiceBus'],
      ['segmentTraits', 'events', 'segments', 'ServiceBus'],
      ['analyticsRollups', 'events', 'analytics', 'ServiceBus'],
      ['recommendationLearning', 'events', 'recommendations', 'ServiceBus'],
      ['recommendationAvailability', 'events', 'recommendations-stock', 'ServiceBus'],
      ['offerTriggers', 'events', 'offers', 'ServiceBus'],
    ]);
    expect(timer.mock.calls.map(([name, options]) => [name, options.schedule])).toEqual([
      ['outboxSweeper', '%Schedule_outboxSweeper%'],
      ['loyaltyMaintenance', '%Schedule_loyaltyMaintenance%'],
      ['couponHoldSweeper', '%Schedule_couponHoldSweeper%'],
      ['stockSweeper', '%Schedule_stockSweeper%'],
      ['stockReconciliation', '%Schedule_stockReconciliation%'],
      ['segmentBackfill', '%Schedule_segmentBackfill%'],
      ['segmentOutbox', '%Schedule_segmentOutbox%'],
      ['segmentDaily', '%Schedule_segmentDaily%'],
      ['recommendationRebuild', '%Schedule_recommendationRebuild%'],
      ['recommendationServedFlush', '%Schedule_recommendationServedFlush%'],
      ['offersDaily', '%Schedule_offersDaily%'],
      ['offersOutboxSweeper', '%Schedule_offersOutboxSweeper%'],
    ]);
  });

  it('refuses to start with a missing setting, naming it', () => {
    Object.assign(process.env, { ...env, PLATFORM_ADMIN_KEY: '' });
    delete process.env.CosmosDb__accountEndpoint;
    expect(() => jest.isolateModules(() => require('./index'))).toThrow(/CosmosDb__accountEndpoint[\s\S]*PLATFORM_ADMIN_KEY/);
  });
});
