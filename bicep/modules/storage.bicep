// The storage account of the function app, its Durable Functions task hub, the model registry, the inference log,
// the sweeps and the data containers. Reached by identity only: shared-key access is off, so no connection string
// or account key exists that could leak.

param name string
param location string
param tags object

@description('The container the Flex Consumption host deploys the app package from.')
param deploymentContainerName string

@description('Containers requests may read and write (Storage__DataContainers).')
param dataContainerNames string[]

@description('The container of the sweeps\' prepared data and trial outputs (the trainer job reads and writes only this one).')
param sweepsContainerName string

@description('The queue mirror (shadow) copies go through (MirrorQueueName); the host moves messages that keep failing to {name}-poison.')
param mirrorQueueName string

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource sweepsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: sweepsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource dataContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [
  for container in dataContainerNames: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

// The app's identity sends to and reads from these with Storage Queue Data Contributor (role-assignments.bicep), which the host
// and Durable Functions need anyway; the app also creates the queue if it is missing.
resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: account
  name: 'default'
}

resource mirrorQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = {
  parent: queueService
  name: mirrorQueueName
}

resource mirrorPoisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = {
  parent: queueService
  name: '${mirrorQueueName}-poison'
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output sweepsContainerId string = sweepsContainer.id
output dataContainerIds string[] = [for (container, i) in dataContainerNames: dataContainers[i].id]
