// Entry point for `azd up` (azure.yaml at the repository root): creates the environment's resource group
// and deploys main.bicep into it, as Azure's Functions quickstarts do. The az commands in the README
// deploy main.bicep directly into a resource group you create.
targetScope = 'subscription'

@minLength(2)
@maxLength(20)
@description('azd environment name (AZURE_ENV_NAME): names the resource group rg-<name> and, through main.bicep, every resource.')
param environmentName string

@minLength(1)
@description('Azure region of the resource group and every resource (AZURE_LOCATION).')
param location string

@secure()
@minLength(32)
@description('The platform operator key (PLATFORM_ADMIN_KEY); azd asks for it. Stored in Key Vault.')
param platformAdminKey string

@description('Object id of the person running azd (AZURE_PRINCIPAL_ID): administers Key Vault secrets.')
param principalId string = ''

@description('Application ID URI of the API app registration for staff sign-in with Microsoft Entra ID (ENTRA_API_AUDIENCE); empty: staff sign in with a tenant key.')
param entraApiAudience string = ''

@description('Tags of the resource group: azd finds the environment\'s resources by azd-env-name.')
var tags = { 'azd-env-name': environmentName, application: 'unifica' }

resource group 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module app 'main.bicep' = {
  scope: group
  params: {
    environmentName: environmentName
    location: location
    platformAdminKey: platformAdminKey
    keyVaultAdminPrincipalId: principalId
    entraApiAudience: entraApiAudience
  }
}

@description('Region (azd reads AZURE_LOCATION).')
output AZURE_LOCATION string = location

@description('The resource group azd deploys the app into.')
output AZURE_RESOURCE_GROUP string = group.name

@description('The function app name.')
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName

@description('Base URL of the API.')
output API_BASE_URL string = app.outputs.apiBaseUrl

@description('The back office console.')
output CONSOLE_URL string = app.outputs.consoleUrl

@description('Key Vault holding PLATFORM_ADMIN_KEY.')
output AZURE_KEY_VAULT_NAME string = app.outputs.keyVaultName
