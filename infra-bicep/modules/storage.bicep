import { tags as resourceTags } from '../types.bicep'

@minLength(3)
@maxLength(24)
@description('Storage account name (3-24 lower-case letters and digits).')
param name string
@description('Region.')
param location string
@description('Tags.')
param tags resourceTags
@description('Principal of the function app identity.')
param principalId string
@description('The app\'s own blob containers, as the code declares them (platform.json); private: receipts open through user-delegation SAS links.')
param appContainers string[]

@description('Container the Flex Consumption plan deploys the app package from.')
var deploymentContainerName = 'deployment-package'

resource account 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2026-09-01' = {
  parent: account
  name: 'default'
}

resource deployment 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = {
  parent: blobs
  name: deploymentContainerName
}

resource appBlobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = [
  for container in appContainers: {
    parent: blobs
    name: container
    properties: { publicAccess: 'None' }
  }
]

// The Functions host needs blobs, queues and tables of its storage; the app needs blobs.
@description('Built-in roles of the app identity on the account.')
var roles = [
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
]

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in roles: {
    name: guid(account.id, principalId, role)
    scope: account
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

@description('Storage account name.')
output name string = account.name
@description('Blob endpoint.')
output blobServiceUri string = account.properties.primaryEndpoints.blob
@description('Container the Flex Consumption plan deploys the package from.')
output deploymentContainerName string = deploymentContainerName
