using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Serverless.IntegrationTests.Attacks.Support;

/// <summary>
/// Everything the app has stored that an attack could change: every blob (name and ETag) and every table row (keys
/// and ETag), except what changes on its own while the app runs (the Durable task hub, the host's own containers
/// and the inference log, which records the attacks themselves).
/// </summary>
public sealed record StoredState(IReadOnlyList<string> Items)
{
    public static async Task<StoredState> ReadAsync(string connectionString)
    {
        var items = new List<string>();
        var blobs = new BlobServiceClient(connectionString);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            if (IsVolatile(container.Name))
            {
                continue;
            }

            items.Add($"container {container.Name}");
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync())
            {
                items.Add($"blob {container.Name}/{blob.Name} {blob.Properties.ETag}");
            }
        }

        var tables = new TableServiceClient(connectionString);
        await foreach (var table in tables.QueryAsync())
        {
            if (IsVolatile(table.Name))
            {
                continue;
            }

            items.Add($"table {table.Name}");
            await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                items.Add($"row {table.Name}/{row.PartitionKey}/{row.RowKey} {row.ETag}");
            }
        }

        items.Sort(StringComparer.Ordinal);
        return new StoredState(items);
    }

    /// <summary>Asserts nothing was added, removed or rewritten since <paramref name="before"/>, listing what was.</summary>
    public void AssertUnchangedSince(StoredState before)
    {
        var added = Items.Except(before.Items).ToList();
        var removed = before.Items.Except(Items).ToList();
        Assert.True(added.Count == 0 && removed.Count == 0,
            $"stored state changed:\n+ {string.Join("\n+ ", added)}\n- {string.Join("\n- ", removed)}");
    }

    private static bool IsVolatile(string name) =>
        name.StartsWith("inferencelog", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("azure-webjobs-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("serverlesshub", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("monitoring", StringComparison.OrdinalIgnoreCase);
}
