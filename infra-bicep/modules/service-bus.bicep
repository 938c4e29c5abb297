import { topicSubscription, tags as resourceTags } from '../types.bicep'

@description('Service Bus namespace name.')
param namespaceName string
@description('Region.')
param location string
@description('Tags.')
param tags resourceTags
@description('Topic all domain events are published to.')
param topicName string
@description('One subscription per consumer: name and sqlFilter (the events its consumer accepts, on the application properties the publisher sets).')
param subscriptions topicSubscription[]
@description('Principal of the function app identity.')
param principalId string

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    // Publishers set the CloudEvent id as message id: a resend within the window is dropped.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    defaultMessageTimeToLive: 'P14D'
    enablePartitioning: false
  }
}

resource subs 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = [
  for sub in subscriptions: {
    parent: topic
    name: sub.name
    properties: {
      // Ten tries (consumers are idempotent), then the dead-letter queue keeps the message for inspection.
      maxDeliveryCount: 10 // MAX_DELIVERY_COUNT in shared/kernel/declarations.ts (tested)
      lockDuration: 'PT1M'
      deadLetteringOnMessageExpiration: true
      deadLetteringOnFilterEvaluationExceptions: true
      defaultMessageTimeToLive: 'P14D'
    }
  }
]

// Each subscription's default rule becomes its filter: a consumer is invoked only for events it has work in.
resource filters 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2026-01-01' = [
  for (sub, i) in subscriptions: {
    parent: subs[i]
    name: '$Default'
    properties: {
      filterType: 'SqlFilter'
      sqlFilter: { sqlExpression: sub.sqlFilter }
    }
  }
]

@description('Built-in roles of the app identity on the namespace.')
var roles = [
  '69a216fc-b8fb-44d8-bc22-1f3c2552a39e' // Azure Service Bus Data Sender
  '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0' // Azure Service Bus Data Receiver
]

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in roles: {
    name: guid(namespace.id, principalId, role)
    scope: namespace
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

@description('Resource id of the namespace (its dead-letter alert).')
output id string = namespace.id
@description('Host name for ServiceBus__fullyQualifiedNamespace.')
output fullyQualifiedNamespace string = parseUri(namespace.properties.serviceBusEndpoint).host
