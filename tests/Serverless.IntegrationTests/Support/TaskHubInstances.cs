using Azure;
using Azure.Data.Tables;

namespace Serverless.IntegrationTests.Support;

/// <summary>
/// The orchestration instances the task hub holds, read from its Instances table (the Durable Task Azure Storage
/// backend writes a row there as soon as an instance is scheduled), so a test can show that a refused request
/// started nothing.
/// </summary>
public static class TaskHubInstances
{
    /// <summary>The task hub host.json names.</summary>
    public const string HubName = "ServerlessHub";

    /// <summary>How many instances of the orchestrator <paramref name="name"/> the hub holds (0 before the table exists).</summary>
    public static async Task<int> CountAsync(string connectionString, string name)
    {
        var table = new TableServiceClient(connectionString).GetTableClient(HubName + "Instances");
        var count = 0;
        try
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Name eq {name}"), select: ["PartitionKey"]))
            {
                count++;
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }

        return count;
    }
}
