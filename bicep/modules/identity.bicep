// The user-assigned managed identities: one for the function app (storage, telemetry, starting trainer job
// executions) and one for the trainer job (pulling its image, reading and writing the sweeps container).

@description('Name of the function app identity.')
param appIdentityName string

@description('Name of the trainer job identity.')
param trainerIdentityName string

param location string
param tags object

resource app 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: appIdentityName
  location: location
  tags: tags
}

resource trainer 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: trainerIdentityName
  location: location
  tags: tags
}

output appIdentityId string = app.id
output appClientId string = app.properties.clientId
output appPrincipalId string = app.properties.principalId
output trainerIdentityId string = trainer.id
output trainerClientId string = trainer.properties.clientId
output trainerPrincipalId string = trainer.properties.principalId
