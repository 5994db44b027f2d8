// The whole system in one resource group: `azd up` (or `az deployment sub create`) provisions it.
// Modules, one per concern: identity, storage, monitoring, function-app, registry, container-apps, role-assignments.
targetScope = 'subscription'

@description('Name of the environment (azd: AZURE_ENV_NAME); part of every resource name.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Region of every resource. Serverless GPU profiles exist in some regions only (for example westus3, australiaeast, swedencentral).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person or pipeline running the deployment (azd: AZURE_PRINCIPAL_ID): given data rights on the data containers. Empty: none.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Function app instance memory in MB: 2048 for most models, 4096 for large ones.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the function app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('HTTP instances kept warm so requests never meet a cold start (billed while idle). 0: scale to zero.')
@minValue(0)
@maxValue(100)
param alwaysReadyHttpInstances int = 0

@description('Concurrent HTTP requests one instance takes before another is added (inference is CPU-bound: keep it near the cores an instance has).')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('Where the built-in (ML.NET) trainer\'s trials run: plain Consumption (CPU; ML.NET uses no GPU) or a serverless GPU profile (needs GPU quota in the region).')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
  'Consumption'
])
param trainerProfile string = 'Consumption'

@description('Where the PyTorch trainer\'s trials (torch_mlp, torch_ft_transformer) run: a serverless GPU profile (needs GPU quota in the region) or plain Consumption (CPU).')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
  'Consumption'
])
param torchTrainerProfile string = 'Consumption-GPU-NC8as-T4'

@description('vCPUs of the trainer container; 0: the profile\'s whole replica (T4 8, A100 24, Consumption 4).')
@minValue(0)
@maxValue(24)
param trainerCpu int = 0

@description('Memory of the trainer container, such as 56Gi; empty: the profile\'s whole replica (T4 56Gi, A100 220Gi, Consumption 8Gi).')
param trainerMemory string = ''

@description('Seconds one trial execution may run; also the ceiling of a sweep request\'s trial_timeout_minutes.')
@minValue(600)
@maxValue(604800)
param trainerReplicaTimeoutSeconds int = 86400

@description('The trainer image; empty until the first image is pushed (a placeholder image runs until then).')
param trainerImage string = ''

@description('vCPUs of the PyTorch trainer container; 0: the profile\'s whole replica.')
@minValue(0)
@maxValue(24)
param torchTrainerCpu int = 0

@description('Memory of the PyTorch trainer container, such as 56Gi; empty: the profile\'s whole replica.')
param torchTrainerMemory string = ''

@description('The PyTorch trainer image (trainer-torch/Dockerfile); empty until the first image is pushed (a placeholder image runs until then).')
param torchTrainerImage string = ''

@description('NCRONTAB schedule of the monitoring timer.')
param monitoringSchedule string = '0 0 * * * *'

@description('NCRONTAB schedule of the rollout timer, which judges running rollouts and moves them on or back.')
param rolloutSchedule string = '0 * * * * *'

@description('Where monitoring alerts are posted (https); empty: no webhook.')
param monitoringWebhookUrl string = ''

@description('Blob containers requests may read and write (datasets to score or train on, scores).')
param dataContainers string[] = [
  'data'
  'training'
  'scores'
]

@description('Further app settings, or overrides of the ones this template sets (for example {"Serving__DefaultAlias": "live"}).')
param appSettingOverrides object = {}

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var appName = 'func-${resourceToken}'
// The host creates no container by this name; the app treats every app-package-* container as its own.
var deploymentContainerName = 'app-package-${take(appName, 32)}-${take(resourceToken, 7)}'
var sweepsContainerName = 'sweeps'
var mirrorQueueName = 'mirror-requests'
var trainerContainerName = 'trainer'
var containerAppsApiVersion = '2025-01-01'
var placeholderImage = 'mcr.microsoft.com/k8se/quickstart-jobs:latest'
var trainerReplica = {
  'Consumption-GPU-NC8as-T4': { cpu: 8, memory: '56Gi' }
  'Consumption-GPU-NC24-A100': { cpu: 24, memory: '220Gi' }
  Consumption: { cpu: 4, memory: '8Gi' }
}
// Half the instance memory for loaded model sessions; one session may take all of that budget up to 1 GiB.
var sessionCacheBytes = instanceMemoryMB / 2 * 1048576
var maxSessionBytes = min(sessionCacheBytes, 1073741824)

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    appIdentityName: 'id-app-${resourceToken}'
    trainerIdentityName: 'id-trainer-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    dataContainerNames: dataContainers
    sweepsContainerName: sweepsContainerName
    mirrorQueueName: mirrorQueueName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    name: 'cr${resourceToken}'
    location: location
    tags: tags
  }
}

module containerApps 'modules/container-apps.bicep' = {
  name: 'container-apps'
  scope: rg
  params: {
    environmentName: 'cae-${resourceToken}'
    jobName: 'caj-trainer-${resourceToken}'
    location: location
    tags: tags
    workspaceId: monitoring.outputs.workspaceId
    trainerProfile: trainerProfile
    containerName: trainerContainerName
    image: empty(trainerImage) ? placeholderImage : trainerImage
    registryServer: registry.outputs.loginServer
    cpu: trainerCpu > 0 ? trainerCpu : trainerReplica[trainerProfile].cpu
    memory: empty(trainerMemory) ? trainerReplica[trainerProfile].memory : trainerMemory
    torchJobName: 'caj-torch-${resourceToken}'
    torchProfile: torchTrainerProfile
    torchImage: empty(torchTrainerImage) ? placeholderImage : torchTrainerImage
    torchCpu: torchTrainerCpu > 0 ? torchTrainerCpu : trainerReplica[torchTrainerProfile].cpu
    torchMemory: empty(torchTrainerMemory) ? trainerReplica[torchTrainerProfile].memory : torchTrainerMemory
    replicaTimeoutSeconds: trainerReplicaTimeoutSeconds
    identityId: identity.outputs.trainerIdentityId
    identityClientId: identity.outputs.trainerClientId
    blobEndpoint: storage.outputs.blobEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
  }
}

// Every option the app validates at start-up, as deployed. Names follow the options classes in core/ (section__key).
var appSettings = union(
  {
    MonitoringSchedule: monitoringSchedule
    RolloutSchedule: rolloutSchedule
    Registry__ContainerName: 'models'
    Registry__TableName: 'modelregistry'
    Registry__MaxModelBytes: '104857600'
    Registry__MaxSessionBytes: string(maxSessionBytes)
    Storage__DataContainers: join(dataContainers, ',')
    Serving__MaxRequestBodyBytes: '33554432'
    Serving__IntraOpThreads: '1'
    Serving__InterOpThreads: '1'
    Serving__GraphOptimizationLevel: 'All'
    Serving__MaxLoadedSessions: '16'
    Serving__MaxLoadedBytes: string(sessionCacheBytes)
    Serving__ResolutionCacheSeconds: '5'
    Serving__WarmAliasesOnStartup: 'true'
    Serving__DefaultAlias: 'production'
    Serving__MaxWarmupElements: '1000000'
    Serving__FailedLoadRetrySeconds: '30'
    FeatureStore__CacheSeconds: '5'
    FeatureStore__MaxCachedEntities: '100000'
    FeatureStore__MaxRowsPerWrite: '1000'
    InferenceLog__Enabled: 'true'
    InferenceLog__SampleRate: '1.0'
    InferenceLog__RetentionDays: '90'
    // Mirror (shadow) copies go through this queue (storage.bicep creates it) to the queue-triggered ScoreMirrorCopy.
    MirrorQueueName: mirrorQueueName
    Mirror__Capacity: '1000'
    Mirror__MaxAgeSeconds: '300'
    Mirror__SendConcurrency: '4'
    Mirror__RetryAfterSeconds: '5'
    Mirror__MaxCopiesPerSecond: '100'
    Monitoring__WindowHours: '24'
    Monitoring__MaxSampleRows: '100000'
    Monitoring__MaxCategories: '1000'
    Monitoring__MaxFeedbackRows: '100000'
    Monitoring__FeedbackMatchMaxRequests: '1000000'
    Monitoring__ReferenceWindowHours: '24'
    Monitoring__ErrorRateThreshold: '0.05'
    Monitoring__LatencyP95ThresholdMs: '1000'
    Monitoring__ErrorRateIncrease: '0.05'
    Monitoring__LatencyIncreaseFactor: '2'
    Monitoring__ReportsContainer: 'monitoring'
    Monitoring__ReportsTable: 'monitoringreports'
    Monitoring__WebhookUrl: monitoringWebhookUrl
    Training__Runner: 'container-apps'
    // Each poll is a Durable activity and an ARM read: trials run for minutes, so every 30 s is plenty.
    Training__PollIntervalSeconds: '30'
    Training__TrialTimeoutMinutes: '60'
    Training__MaxTrialTimeoutMinutes: string(trainerReplicaTimeoutSeconds / 60)
    Training__MaxConcurrentSweeps: '4'
    Training__MaxTrialsPerSweep: '200'
    Training__MaxDatasetBytes: '104857600'
    // The closed loop writes its exported training sets to a data container and reads shadows and rollouts every minute.
    Retraining__ExportContainer: 'training'
    Retraining__PollSeconds: '60'
    Training__ContainerApps__SubscriptionId: subscription().subscriptionId
    Training__ContainerApps__ResourceGroup: rg.name
    Training__ContainerApps__JobName: containerApps.outputs.jobName
    Training__ContainerApps__ContainerName: trainerContainerName
    Training__ContainerApps__ApiVersion: containerAppsApiVersion
    Training__ContainerApps__ManagementEndpoint: environment().resourceManager
    Training__ContainerApps__ManagedIdentityClientId: identity.outputs.appClientId
    // Torch algorithms run as executions of the second (GPU) job; its container's name is the built-in one's.
    Training__Torch__JobName: containerApps.outputs.torchJobName
    Training__Torch__ContainerName: trainerContainerName
  },
  appSettingOverrides
)

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    planName: 'plan-${resourceToken}'
    appName: appName
    location: location
    tags: tags
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    identityId: identity.outputs.appIdentityId
    identityClientId: identity.outputs.appClientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    appSettings: appSettings
  }
}

module roleAssignments 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    sweepsContainerName: sweepsContainerName
    dataContainerNames: dataContainers
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    registryName: registry.outputs.name
    jobName: containerApps.outputs.jobName
    torchJobName: containerApps.outputs.torchJobName
    appPrincipalId: identity.outputs.appPrincipalId
    trainerPrincipalId: identity.outputs.trainerPrincipalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output TRAINER_JOB_NAME string = containerApps.outputs.jobName
output TORCH_TRAINER_JOB_NAME string = containerApps.outputs.torchJobName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output OPERATOR_KEY_COMMAND string = 'az functionapp keys list --resource-group ${rg.name} --name ${functionApp.outputs.name} --query masterKey --output tsv'
output CLIENT_KEY_COMMAND string = 'az functionapp keys set --resource-group ${rg.name} --name ${functionApp.outputs.name} --key-type functionKeys --key-name <client-app>'
