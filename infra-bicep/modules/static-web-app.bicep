import { tags as resourceTags } from '../types.bicep'

@description('Static web app name.')
param name string
@description('Region (Static Web Apps runs in a few: westeurope, eastus2, centralus, eastasia, westus2).')
param location string
@description('Tags.')
param tags resourceTags
@description('Resource id of the function app that answers /api/*.')
param functionAppId string
@description('Region of the function app.')
param functionAppLocation string

// Serves the customer's wallet (/wallet/) and the back-office console (/) from the static host's edge,
// and proxies /api/* to the function app, so pages and API share one origin. Standard: the plan that links a backend.
resource site 'Microsoft.Web/staticSites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'web' })
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    stagingEnvironmentPolicy: 'Disabled'
    allowConfigFileUpdates: true
  }
}

resource api 'Microsoft.Web/staticSites/linkedBackends@2025-03-01' = {
  parent: site
  name: 'api'
  properties: {
    backendResourceId: functionAppId
    region: functionAppLocation
  }
}

@description('The static host name (the wallet is at https://<host>/wallet/).')
output defaultHostName string = site.properties.defaultHostname
