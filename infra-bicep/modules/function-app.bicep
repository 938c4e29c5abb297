import { stringMap, tags as resourceTags } from '../types.bicep'

@description('Flex Consumption plan name.')
param planName string
@description('Function app name.')
param appName string
@description('Region.')
param location string
@description('Tags.')
param tags resourceTags
@description('Browser origins allowed to call the API (the back office console).')
param corsOrigins string[]
@description('User-assigned identity resource id.')
param identityId string
@description('User-assigned identity client id.')
param identityClientId string
@description('Host storage account name.')
param storageAccountName string
@description('Blob container holding the deployment package.')
param deploymentContainerName string
@description('Blob endpoint for the app (BlobStorage__serviceUri).')
param blobServiceUri string
@description('Cosmos DB endpoint.')
param cosmosEndpoint string
@description('Cosmos DB database.')
param cosmosDatabaseName string
@description('Service Bus host name.')
param serviceBusNamespace string
@description('Application Insights connection string.')
param appInsightsConnectionString string
@description('Key Vault secret URI of PLATFORM_ADMIN_KEY.')
param platformAdminKeySecretUri string
@description('LOG_LEVEL.')
param logLevel string
@description('TELEMETRY_SAMPLING_PERCENTAGE: share of traces kept, whole.')
param traceSamplingPercentage int
@description('INVOICING_SYSTEM_PRODUCER.')
param invoicingSystemProducer string
@description('INVOICING_SYSTEM_PRODUCER_NIF.')
param invoicingSystemProducerNif string
@description('WALLET_PAGE_URL: the customer wallet page on the static web app, which wallet links open.')
param walletPageUrl string
@description('ENTRA_API_AUDIENCE: the API app registration\'s application ID URI (staff sign in to the console with Microsoft Entra ID); empty: API keys only.')
param entraApiAudience string
@description('Timer schedules by app setting (Schedule_<timer>, NCRONTAB), as the code declares them (platform.json).')
param timerSchedules stringMap

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

// Every setting shared/config.ts reads (a test holds them equal). Identity-based: no keys, no connection strings.
@description('App settings besides the timer schedules.')
var appSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  CosmosDb__accountEndpoint: cosmosEndpoint
  CosmosDb__databaseName: cosmosDatabaseName
  MESSAGING_MODE: 'servicebus'
  ServiceBus__fullyQualifiedNamespace: serviceBusNamespace
  ServiceBus__credential: 'managedidentity'
  ServiceBus__clientId: identityClientId
  BlobStorage__serviceUri: blobServiceUri
  AZURE_CLIENT_ID: identityClientId
  PLATFORM_ADMIN_KEY: '@Microsoft.KeyVault(SecretUri=${platformAdminKeySecretUri})'
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  TELEMETRY_SAMPLING_PERCENTAGE: string(traceSamplingPercentage)
  LOG_LEVEL: logLevel
  OUTBOX_GRACE_SECONDS: '30'
  WEBHOOK_TIMEOUT_MS: '10000'
  INVOICING_SYSTEM_PRODUCER: invoicingSystemProducer
  INVOICING_SYSTEM_PRODUCER_NIF: invoicingSystemProducerNif
  WALLET_PAGE_URL: walletPageUrl
  ENTRA_API_AUDIENCE: entraApiAudience
  // This cloud's Entra ID sign-in host (login.microsoftonline.com in the public cloud).
  ENTRA_AUTHORITY_HOST: environment().authentication.loginEndpoint
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // The console calls the API from its own origin, with an API key in a header (no cookies).
      cors: { allowedOrigins: corsOrigins, supportCredentials: false }
      appSettings: [for setting in items(union(appSettings, timerSchedules)): { name: setting.key, value: setting.value }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: 'https://${storageAccountName}.blob.${environment().suffixes.storage}/${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 100, instanceMemoryMB: 2048 }
      // Node.js 22 LTS (20 left long-term support in April 2026); package.json's engines says >=20 for local runs.
      runtime: { name: 'node', version: '22' }
    }
  }
}

@description('Function app name.')
output name string = app.name
@description('Default host name.')
output defaultHostName string = app.properties.defaultHostName
