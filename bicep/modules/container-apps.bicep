// The Container Apps environment with workload profiles (Consumption, plus each serverless GPU profile a trainer runs
// on) and two manual-trigger jobs whose executions run training trials: the built-in (ML.NET) trainer's and the PyTorch
// trainer's (torch algorithms; a GPU profile by default). The function app starts executions through ARM
// (Training__Runner=container-apps), overriding the template with the trial's TRIAL_SPEC_URI and TRIAL_ID; everything
// else an execution needs is in this template.

param environmentName string
param jobName string
param location string
param tags object

@description('Log Analytics workspace the environment\'s logs (the trainer\'s console output) go to, through a diagnostic setting.')
param workspaceId string

@description('The workload profile type the built-in trainer\'s trials run on.')
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

@description('The PyTorch trainer\'s job: its name, workload profile type, image, vCPUs and memory.')
param torchJobName string
@allowed([
  'Consumption'
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param torchProfile string
param torchImage string
param torchCpu int
param torchMemory string

@description('Seconds an execution may run before Container Apps stops it.')
param replicaTimeoutSeconds int

@description('The identity the job pulls its image and reaches storage with.')
param identityId string
param identityClientId string

param blobEndpoint string
param tableEndpoint string

// Each profile type has one name in the environment; the T4 keeps the name 'gpu' it had when it was the only GPU profile.
var profileNames = {
  Consumption: 'Consumption'
  'Consumption-GPU-NC8as-T4': 'gpu'
  'Consumption-GPU-NC24-A100': 'gpu-a100'
}
var gpuProfiles = filter(union([trainerProfile], [torchProfile]), p => p != 'Consumption')
var jobs = [
  { name: jobName, profile: trainerProfile, image: image, cpu: cpu, memory: memory }
  { name: torchJobName, profile: torchProfile, image: torchImage, cpu: torchCpu, memory: torchMemory }
]

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
      map(gpuProfiles, p => {
        name: profileNames[p]
        workloadProfileType: p
      })
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

resource job 'Microsoft.App/jobs@2025-01-01' = [
  for j in jobs: {
    name: j.name
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
      workloadProfileName: profileNames[j.profile]
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
            image: j.image
            resources: {
              cpu: j.cpu
              memory: j.memory
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
]

output environmentName string = environment.name
output jobName string = job[0].name
output jobId string = job[0].id
output torchJobName string = job[1].name
