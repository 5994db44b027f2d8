// Role assignments, each at the narrowest scope that covers what its identity does:
// - the app's identity: Storage Blob Data Owner, Queue and Table Data Contributor on the storage account (the host,
//   the Durable task hub, the registry, the inference log, sweeps and data containers all live there; the host
//   creates its own containers, queues and tables), Monitoring Metrics Publisher on Application Insights, and
//   Container Apps Jobs Operator on each trainer job, the built-in and the PyTorch one (read it, start and stop its
//   executions; not Contributor);
// - the trainer's identity: AcrPull on the registry and Storage Blob Data Contributor on the sweeps container only;
// - the deployer (optional): Storage Blob Data Contributor on each data container, to upload datasets and read scores.

param storageAccountName string
param sweepsContainerName string
param dataContainerNames string[]
param applicationInsightsName string
param registryName string
param jobName string
param torchJobName string

param appPrincipalId string
param trainerPrincipalId string

@description('Object id of a person or pipeline given data rights on the data containers; empty: none.')
param deployerPrincipalId string

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  containerAppsJobsOperator: 'b9a307c4-5aa3-4b52-ba60-2b17c136cd7b'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
}

var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource sweeps 'containers' existing = {
      name: sweepsContainerName
    }

    resource data 'containers' existing = [
      for container in dataContainerNames: {
        name: container
      }
    ]
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource job 'Microsoft.App/jobs@2025-01-01' existing = {
  name: jobName
}

resource torchJob 'Microsoft.App/jobs@2025-01-01' existing = {
  name: torchJobName
}

resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in appStorageRoles: {
    name: guid(storage.id, appPrincipalId, role)
    scope: storage
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource appJobOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(job.id, appPrincipalId, roles.containerAppsJobsOperator)
  scope: job
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.containerAppsJobsOperator)
  }
}

resource appTorchJobOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(torchJob.id, appPrincipalId, roles.containerAppsJobsOperator)
  scope: torchJob
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.containerAppsJobsOperator)
  }
}

resource trainerPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, trainerPrincipalId, roles.acrPull)
  scope: registry
  properties: {
    principalId: trainerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
  }
}

resource trainerSweeps 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::sweeps.id, trainerPrincipalId, roles.storageBlobDataContributor)
  scope: storage::blobService::sweeps
  properties: {
    principalId: trainerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource deployerData 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (container, i) in dataContainerNames: if (!empty(deployerPrincipalId)) {
    name: guid(storage::blobService::data[i].id, deployerPrincipalId, roles.storageBlobDataContributor)
    scope: storage::blobService::data[i]
    properties: {
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    }
  }
]
