import { cosmosContainer, tags as resourceTags } from '../types.bicep'

@description('Cosmos DB account name.')
param accountName string
@description('Region.')
param location string
@description('Tags.')
param tags resourceTags
@description('Database name (CosmosDb__databaseName).')
param databaseName string
@description('Containers: name, partitionKeyPaths (hierarchical when more than one), defaultTtl (-2 = off, -1 = per item, seconds).')
param containers cosmosContainer[]
@allowed(['serverless', 'autoscale'])
@description('Capacity mode.')
param capacityMode string
@description('Maximum autoscale RU/s when capacityMode is autoscale.')
param autoscaleMaxThroughput int
@description('Principal of the function app identity (data-plane access).')
param principalId string

resource account 'Microsoft.DocumentDB/databaseAccounts@2026-03-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    capabilities: capacityMode == 'serverless' ? [{ name: 'EnableServerless' }] : []
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2026-03-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
    options: capacityMode == 'autoscale' ? { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } } : {}
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2026-03-15' = [
  for c in containers: {
    parent: database
    name: c.name
    properties: {
      resource: union(
        {
          id: c.name
          partitionKey: length(c.partitionKeyPaths) > 1
            ? { paths: c.partitionKeyPaths, kind: 'MultiHash', version: 2 }
            : { paths: c.partitionKeyPaths, kind: 'Hash', version: 2 }
          indexingPolicy: { indexingMode: 'consistent', automatic: true, includedPaths: [{ path: '/*' }], excludedPaths: [{ path: '/"_etag"/?' }] }
        },
        c.defaultTtl == -2 ? {} : { defaultTtl: c.defaultTtl }
      )
    }
  }
]

@description('Built-in "Cosmos DB Built-in Data Contributor": read and write items, no control plane.')
var dataContributor = '00000000-0000-0000-0000-000000000002'

resource dataAccess 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2026-03-15' = {
  parent: account
  name: guid(account.id, principalId, dataContributor)
  properties: {
    principalId: principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
    scope: account.id
  }
}

@description('Resource id of the account (its throttling alert).')
output id string = account.id
@description('Account endpoint (CosmosDb__accountEndpoint).')
output endpoint string = account.properties.documentEndpoint
@description('Database name.')
output databaseName string = database.name
