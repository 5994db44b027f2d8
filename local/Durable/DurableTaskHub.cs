using DurableTask.AzureStorage;
using Serverless.Core.Storage;

namespace Serverless.Local.Durable;

/// <summary>
/// The Durable Task engine's Azure Storage backend (the same provider, table and queue layout the Durable
/// Functions extension uses in Azure), on the app's storage account, with the task hub named in host.json.
/// Orchestration state lives in storage, so started orchestrations survive a restart of the runner.
/// </summary>
internal sealed class DurableTaskHub : IDisposable
{
    public DurableTaskHub(IConfiguration configuration, string hubName, ILoggerFactory loggers)
    {
        var connectionString = configuration[StorageAccount.SettingName];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Durable orchestrations in the local runner need '{StorageAccount.SettingName}' as a connection string.");
        }

        HubName = hubName;
        Service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = hubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            LoggerFactory = loggers,
            PartitionCount = 4,
            // One developer machine: latency over storage transactions (Azure's default is 30 s of idle back-off).
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(100),
            // Messages a stopped runner had dequeued reappear after this long (5 minutes by default), so work
            // resumes soon after a restart; episodes and activities here are short, and activity locks are renewed.
            ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
            WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
            MaxConcurrentTaskActivityWorkItems = Environment.ProcessorCount * 4,
            // Episodes are light; an instance in an extended session holds a slot while it waits, so allow many.
            MaxConcurrentTaskOrchestrationWorkItems = Environment.ProcessorCount * 16,
            // An instance stays in memory between episodes for a few seconds, so its next episode (an activity's result
            // arriving) runs without reloading its history from the table: one storage round trip fewer per episode.
            ExtendedSessionsEnabled = true,
            ExtendedSessionIdleTimeout = TimeSpan.FromSeconds(5),
            UseTablePartitionManagement = false,
        });
    }

    public string HubName { get; }

    public AzureStorageOrchestrationService Service { get; }

    public void Dispose() => Service.Dispose();
}
