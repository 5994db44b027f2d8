using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// Writes blocks to Table storage, one upsert each (so a retried block does not conflict with itself). Monthly tables
/// are created on first use and remembered; a table that has gone (deleted by retention, or by hand) is created again
/// once. Thread-safe.
/// </summary>
public sealed class TableInferenceLogSink : IInferenceLogSink
{
    private readonly TableServiceClient _service;
    private readonly ConcurrentDictionary<string, Task<TableClient>> _tables = new(StringComparer.Ordinal);

    public TableInferenceLogSink(TableServiceClient service)
    {
        _service = service;
    }

    public async Task WriteAsync(InferenceLogBlock block, CancellationToken cancellationToken)
    {
        var table = await GetTableAsync(block.Table, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpsertEntityAsync(block.Entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            _tables.TryRemove(block.Table, out _);
            table = await GetTableAsync(block.Table, cancellationToken).ConfigureAwait(false);
            await table.UpsertEntityAsync(block.Entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TableClient> GetTableAsync(string name, CancellationToken cancellationToken)
    {
        var task = _tables.GetOrAdd(name, CreateAsync);
        try
        {
            return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (task.IsFaulted || task.IsCanceled)
        {
            _tables.TryRemove(new KeyValuePair<string, Task<TableClient>>(name, task));
            throw;
        }
    }

    private async Task<TableClient> CreateAsync(string name)
    {
        var table = _service.GetTableClient(name);
        await table.CreateIfNotExistsAsync(CancellationToken.None).ConfigureAwait(false);
        return table;
    }
}
