import { tags as resourceTags } from '../types.bicep'

@description('Name of the user-assigned managed identity the function app runs as.')
param name string
@description('Region.')
param location string
@description('Tags.')
param tags resourceTags

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id
@description('Principal (object) id, for role assignments.')
output principalId string = identity.properties.principalId
@description('Client id, for identity-based connection settings.')
output clientId string = identity.properties.clientId
