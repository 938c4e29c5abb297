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
@description('Service Bus namespace resource id: its dead-lettered messages raise an alert.')
param serviceBusNamespaceId string
@description('Cosmos DB account resource id: its throttled requests (429) raise an alert.')
param cosmosAccountId string
@description('E-mail address the alerts notify (the action group\'s one receiver); empty: no one is notified, the alerts still fire in the portal.')
param alertEmail string
@minValue(1)
@maxValue(100)
@description('Share of the API\'s requests answered 5xx, in percent over 15 minutes (at least 20 requests), above which an alert fires.')
param serverErrorRatePercent int
@minValue(1)
@description('Consumer lag: age of the oldest event a consumer handled in 15 minutes, in seconds, above which an alert fires.')
param consumerLagSeconds int
@minValue(1)
@description('Throttled requests (429) in 5 minutes, from Cosmos DB or answered by the API, above which an alert fires.')
param throttledRequestsThreshold int

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

// ---- alerts ---------------------------------------------------------------------------------------
// Metric names and attributes are those shared/kernel/telemetry.ts records (METRICS, ATTRIBUTES); a test
// holds the queries to them.

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${appInsightsName}-operations'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'unifica-ops'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [{ name: 'operations', emailAddress: alertEmail, useCommonAlertSchema: true }]
  }
}

@description('Alerts on platform metrics: Service Bus dead letters and Cosmos DB throttling.')
var metricAlerts = [
  {
    name: 'dead-letters'
    description: 'Messages were dead-lettered in a subscription of the events topic: a consumer failed a message 10 times. Inspect them with Service Bus Explorer (dead-letter queue of the subscription).'
    severity: 1
    scope: serviceBusNamespaceId
    windowSize: 'PT15M'
    criterion: {
      criterionType: 'StaticThresholdCriterion'
      name: 'DeadletteredMessages'
      metricNamespace: 'Microsoft.ServiceBus/namespaces'
      metricName: 'DeadletteredMessages'
      dimensions: [{ name: 'EntityName', operator: 'Include', values: ['*'] }]
      operator: 'GreaterThan'
      threshold: 0
      timeAggregation: 'Maximum'
    }
  }
  {
    name: 'cosmos-throttling'
    description: 'Cosmos DB answered more than ${throttledRequestsThreshold} requests with 429 (throttled) in 5 minutes.'
    severity: 2
    scope: cosmosAccountId
    windowSize: 'PT5M'
    criterion: {
      criterionType: 'StaticThresholdCriterion'
      name: 'ThrottledRequests'
      metricNamespace: 'Microsoft.DocumentDB/databaseAccounts'
      metricName: 'TotalRequests'
      dimensions: [{ name: 'StatusCode', operator: 'Include', values: ['429'] }]
      operator: 'GreaterThan'
      threshold: throttledRequestsThreshold
      timeAggregation: 'Count'
    }
  }
]

resource platformAlerts 'Microsoft.Insights/metricAlerts@2026-01-01' = [
  for alert in metricAlerts: {
    name: '${appInsightsName}-${alert.name}'
    location: 'global'
    tags: tags
    properties: {
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [alert.scope]
      evaluationFrequency: 'PT5M'
      windowSize: alert.windowSize
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [alert.criterion]
      }
      actions: [{ actionGroupId: actionGroup.id }]
    }
  }
]

@description('Alerts on the telemetry the app sends to Application Insights (log queries).')
var logAlerts = [
  {
    name: 'server-errors'
    description: 'More than ${serverErrorRatePercent}% of the API\'s requests answered 5xx in 15 minutes.'
    severity: 1
    windowSize: 'PT15M'
    query: 'requests | where tostring(customDimensions["faas.trigger"]) == "http" and isnotempty(customDimensions["unifica.function"]) | summarize total = sum(itemCount), failed = sumif(itemCount, toint(resultCode) >= 500) | where total >= 20 | extend serverErrorRate = 100.0 * failed / total'
    measure: 'serverErrorRate'
    threshold: serverErrorRatePercent
    dimensions: []
  }
  {
    name: 'consumer-lag'
    description: 'A consumer handled an event more than ${consumerLagSeconds} s after it happened: it is falling behind (or failing and retrying).'
    severity: 2
    windowSize: 'PT15M'
    query: 'customMetrics | where name == "unifica.consumer.lag" | extend subscription = tostring(customDimensions["messaging.destination.subscription.name"]) | summarize lagSeconds = max(valueMax) / 1000.0 by subscription'
    measure: 'lagSeconds'
    threshold: consumerLagSeconds
    dimensions: [{ name: 'subscription', operator: 'Include', values: ['*'] }]
  }
  {
    name: 'contract-dead-letters'
    description: 'A consumer dead-lettered messages: they failed their event contract (blob container dead-letters) or their last delivery.'
    severity: 1
    windowSize: 'PT15M'
    query: 'customMetrics | where name == "unifica.dead_letters" | extend subscription = tostring(customDimensions["messaging.destination.subscription.name"]), reason = tostring(customDimensions["reason"]) | summarize deadLetters = sum(valueSum) by subscription, reason'
    measure: 'deadLetters'
    threshold: 0
    dimensions: [{ name: 'subscription', operator: 'Include', values: ['*'] }, { name: 'reason', operator: 'Include', values: ['*'] }]
  }
  {
    name: 'throttling'
    description: 'More than ${throttledRequestsThreshold} requests were throttled (429) in 5 minutes: answered by the API (failed API keys) or by Cosmos DB after the SDK\'s retries.'
    severity: 2
    windowSize: 'PT5M'
    query: 'customMetrics | where name == "unifica.throttled" | extend source = tostring(customDimensions["source"]) | summarize throttled = sum(valueSum) by source'
    measure: 'throttled'
    threshold: throttledRequestsThreshold
    dimensions: [{ name: 'source', operator: 'Include', values: ['*'] }]
  }
]

resource telemetryAlerts 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for alert in logAlerts: {
    name: '${appInsightsName}-${alert.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: 'unifica: ${alert.name}'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [appInsights.id]
      evaluationFrequency: 'PT5M'
      windowSize: alert.windowSize
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Maximum'
            metricMeasureColumn: alert.measure
            operator: 'GreaterThan'
            threshold: alert.threshold
            dimensions: alert.dimensions
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
          }
        ]
      }
      actions: { actionGroups: [actionGroup.id] }
    }
  }
]

// ---- workbook -------------------------------------------------------------------------------------

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(appInsights.id, 'unifica-operations-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'unifica operations'
    category: 'workbook'
    sourceId: appInsights.id
    // Ingest rate per channel, lag per consumer, slowest operations (infra-bicep/workbook.json).
    serializedData: replace(loadTextContent('../workbook.json'), '__APP_INSIGHTS_ID__', appInsights.id)
  }
}
