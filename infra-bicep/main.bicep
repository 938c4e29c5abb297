// unifica: everything the function app needs in one resource group, identity-based, no keys.
targetScope = 'resourceGroup'

@minLength(2)
@maxLength(20)
@description('Short environment name (e.g. prod, staging); resource names derive from it.')
param environmentName string

@description('Azure region for every resource.')
param location string = resourceGroup().location

@allowed(['serverless', 'autoscale'])
@description('Cosmos DB capacity: serverless (pay per request) or provisioned autoscale throughput on the database.')
param cosmosCapacityMode string = 'serverless'

@minValue(1000)
@description('Maximum autoscale RU/s for the database, when cosmosCapacityMode is autoscale.')
param cosmosAutoscaleMaxThroughput int = 4000

@secure()
@minLength(32)
@description('The platform operator key (PLATFORM_ADMIN_KEY). Stored in Key Vault; the app reads it through a Key Vault reference.')
param platformAdminKey string

@description('Object id of a person or group to administer Key Vault secrets (optional).')
param keyVaultAdminPrincipalId string = ''

@minValue(30)
@description('Days Log Analytics keeps logs.')
param logRetentionDays int = 30

@allowed(['debug', 'info', 'warn', 'error'])
@description('Application log level (LOG_LEVEL).')
param logLevel string = 'info'

@description('Tags applied to every resource.')
param tags object = {}

var abbrs = loadJsonContent('abbreviations.json')
var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var allTags = union(tags, { 'azd-env-name': environmentName, application: 'unifica' })

// The Cosmos DB containers the code declares in shared/adapters/cosmos/containers.ts (a test holds them equal).
var cosmosContainers = [
  { name: 'tenants', partitionKeyPaths: ['/tenantId'], defaultTtl: -2 }
  { name: 'customers', partitionKeyPaths: ['/tenantId', '/customerId'], defaultTtl: -2 }
  { name: 'transactions', partitionKeyPaths: ['/tenantId', '/customerKey'], defaultTtl: -2 }
  { name: 'lookups', partitionKeyPaths: ['/tenantId', '/id'], defaultTtl: -2 }
  { name: 'loyalty', partitionKeyPaths: ['/tenantId', '/customerId'], defaultTtl: -2 }
  { name: 'coupons', partitionKeyPaths: ['/tenantId', '/id'], defaultTtl: -2 }
  { name: 'giftCards', partitionKeyPaths: ['/tenantId', '/id'], defaultTtl: -2 }
  { name: 'idempotency', partitionKeyPaths: ['/tenantId', '/id'], defaultTtl: 86400 }
  { name: 'receipts', partitionKeyPaths: ['/tenantId', '/id'], defaultTtl: -2 }
  { name: 'stock', partitionKeyPaths: ['/tenantId', '/locationId'], defaultTtl: -2 }
]

// The topic every domain event goes to, and one subscription per consumer (shared/messaging.ts).
var eventsTopic = 'events'
var subscriptions = [
  'customer-activity'
  'loyalty'
  'coupons'
  'receipts'
  'stock'
]

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: { name: '${abbrs.managedIdentity}${token}', location: location, tags: allTags }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: '${abbrs.logAnalytics}${token}'
    appInsightsName: '${abbrs.appInsights}${token}'
    location: location
    tags: allTags
    retentionInDays: logRetentionDays
    publisherPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: '${abbrs.storageAccount}${token}'
    location: location
    tags: allTags
    principalId: identity.outputs.principalId
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: '${abbrs.cosmosAccount}${token}'
    location: location
    tags: allTags
    databaseName: 'unifica'
    containers: cosmosContainers
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    principalId: identity.outputs.principalId
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  name: 'serviceBus'
  params: {
    namespaceName: '${abbrs.serviceBusNamespace}${token}'
    location: location
    tags: allTags
    topicName: eventsTopic
    subscriptions: subscriptions
    principalId: identity.outputs.principalId
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'keyVault'
  params: {
    name: '${abbrs.keyVault}${token}'
    location: location
    tags: allTags
    principalId: identity.outputs.principalId
    adminPrincipalId: keyVaultAdminPrincipalId
    platformAdminKey: platformAdminKey
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'functionApp'
  params: {
    planName: '${abbrs.appServicePlan}${token}'
    appName: '${abbrs.functionApp}${token}'
    location: location
    tags: allTags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    blobServiceUri: storage.outputs.blobServiceUri
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    appInsightsConnectionString: monitoring.outputs.connectionString
    platformAdminKeySecretUri: keyVault.outputs.platformAdminKeySecretUri
    logLevel: logLevel
  }
}

@description('The function app name (for `func azure functionapp publish`).')
output functionAppName string = functionApp.outputs.name

@description('Base URL of the API.')
output apiBaseUrl string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('Cosmos DB endpoint (no keys: the app uses its managed identity).')
output cosmosEndpoint string = cosmos.outputs.endpoint

@description('Service Bus namespace host name.')
output serviceBusNamespace string = serviceBus.outputs.fullyQualifiedNamespace

@description('Key Vault holding PLATFORM_ADMIN_KEY.')
output keyVaultName string = keyVault.outputs.name
