import { tags as resourceTags } from '../types.bicep'

@minLength(3)
@maxLength(24)
@description('Key Vault name (3-24 letters, digits and hyphens).')
param name string
@description('Region.')
param location string
@description('Tags.')
param tags resourceTags
@description('Principal of the function app identity (reads secrets).')
param principalId string
@description('Optional person or group administering secrets.')
param adminPrincipalId string
@secure()
@description('The platform operator key.')
param platformAdminKey string

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: 'platform-admin-key'
  properties: { value: platformAdminKey }
}

@description('Built-in "Key Vault Secrets User": read secret values.')
var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
@description('Built-in "Key Vault Secrets Officer": manage secrets.')
var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource appReads 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, secretsUser)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
  }
}

resource adminManages 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(adminPrincipalId)) {
  name: guid(vault.id, adminPrincipalId, secretsOfficer)
  scope: vault
  properties: {
    principalId: adminPrincipalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficer)
  }
}

@description('Key Vault name.')
output name string = vault.name
@description('Secret URI without version, so a rotated key is picked up.')
output platformAdminKeySecretUri string = '${vault.properties.vaultUri}secrets/${secret.name}'
