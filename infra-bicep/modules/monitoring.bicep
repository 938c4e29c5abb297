import { tags as resourceTags } from '../types.bicep'

@description('Log Analytics workspace name.')
param workspaceName string
@description('Application Insights name.')
param appInsightsName string
@description('Region.')
param location string
@description('Tags.')
param tags resourceTags
@description('Days logs are kept.')
param retentionInDays int
@description('Principal allowed to publish telemetry (Entra ID ingestion, no instrumentation key auth).')
param publisherPrincipalId string

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

@description('Built-in "Monitoring Metrics Publisher": send telemetry with Entra ID.')
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, publisherPrincipalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: publisherPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}

@description('Connection string (not a secret: ingestion requires Entra ID because local auth is off).')
output connectionString string = appInsights.properties.ConnectionString
