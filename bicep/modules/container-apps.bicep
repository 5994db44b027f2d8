// The Container Apps environment with workload profiles (Consumption, plus a serverless GPU profile unless the
// trainer runs on plain Consumption) and the manual-trigger job whose executions run training trials. The function
// app starts executions through ARM (Training__Runner=container-apps), overriding the template with the trial's
// TRIAL_SPEC_URI and TRIAL_ID; everything else an execution needs is in this template.

param environmentName string
param jobName string
param location string
param tags object

@description('Log Analytics workspace the environment\'s logs (the trainer\'s console output) go to, through a diagnostic setting.')
param workspaceId string

@description('The workload profile type trials run on.')
@allowed([
  'Consumption'
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param trainerProfile string

@description('The trainer container: its name is the one the function app\'s Training__ContainerApps__ContainerName names.')
param containerName string

param image string
param registryServer string

@description('vCPUs of the trainer container.')
param cpu int

@description('Memory of the trainer container, such as 56Gi.')
param memory string

@description('Seconds an execution may run before Container Apps stops it.')
param replicaTimeoutSeconds int

@description('The identity the job pulls its image and reaches storage with.')
param identityId string
param identityClientId string

param blobEndpoint string
param tableEndpoint string

var usesGpu = trainerProfile != 'Consumption'
var trainerProfileName = usesGpu ? 'gpu' : 'Consumption'

resource environment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      // Logs go to Azure Monitor, and from there to the workspace by the diagnostic setting below: no workspace key.
      destination: 'azure-monitor'
    }
    workloadProfiles: concat(
      [
        {
          name: 'Consumption'
          workloadProfileType: 'Consumption'
        }
      ],
      usesGpu
        ? [
            {
              name: trainerProfileName
              workloadProfileType: trainerProfile
            }
          ]
        : []
    )
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs-to-workspace'
  scope: environment
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

resource job 'Microsoft.App/jobs@2025-01-01' = {
  name: jobName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: trainerProfileName
    configuration: {
      triggerType: 'Manual'
      replicaTimeout: replicaTimeoutSeconds
      replicaRetryLimit: 0
      manualTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: containerName
          image: image
          resources: {
            cpu: cpu
            memory: memory
          }
          env: [
            {
              name: 'AzureWebJobsStorage__blobServiceUri'
              value: blobEndpoint
            }
            {
              name: 'AzureWebJobsStorage__tableServiceUri'
              value: tableEndpoint
            }
            {
              name: 'AzureWebJobsStorage__clientId'
              value: identityClientId
            }
            {
              name: 'AZURE_CLIENT_ID'
              value: identityClientId
            }
          ]
        }
      ]
    }
  }
}

output environmentName string = environment.name
output jobName string = job.name
output jobId string = job.id
