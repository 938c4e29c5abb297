import { tags as resourceTags } from '../types.bicep'

@description('Static Web App name.')
param name string
@description('Region (Static Web Apps run in a few regions; westeurope is one).')
param location string
@description('Tags.')
param tags resourceTags

// The back office console: static files only (dist/console), signed in with Microsoft Entra ID through
// the app's built-in authentication, which lets in only users invited with a role (admin, marketing,
// store, support; console/staticwebapp.config.json). Standard: role-based routes and custom domains.
// No linked backend: linking would make the Function App accept only requests through this app, and
// tills and web shops call it directly; the console calls it by CORS, with a key, like any client.
resource site 'Microsoft.Web/staticSites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'console' })
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Disabled'
    publicNetworkAccess: 'Enabled'
  }
}

@description('Static Web App name (for `swa deploy`).')
output name string = site.name
@description('Its default host name: the console is https://<this>/.')
output defaultHostname string = site.properties.defaultHostname
