using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// Deletes monthly log tables (<c>{prefix}{yyyyMM}</c>) whose every record is older than
/// <see cref="InferenceLogOptions.RetentionDays"/>, i.e. whose month ended before now minus the retention. Whole tables
/// go, so retention costs one call per month rather than per record. Meant to be called by a timer (daily is plenty);
/// idempotent; thread-safe.
/// </summary>
public sealed class InferenceLogRetention
{
    private readonly TableServiceClient _service;
    private readonly InferenceLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<InferenceLogRetention> _logger;

    public InferenceLogRetention(TableServiceClient service, IOptions<InferenceLogOptions> options, TimeProvider time, ILogger<InferenceLogRetention> logger)
    {
        _service = service;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Deletes the expired tables and returns their names.</summary>
    public async Task<IReadOnlyList<string>> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow().AddDays(-_options.RetentionDays);
        var prefix = _options.TablePrefix;
        // Table names compare case-insensitively in the service; the range covers the prefix followed by digits.
        var filter = TableServiceClient.CreateQueryFilter($"TableName ge {prefix} and TableName lt {prefix + "{"}");
        var expired = new List<string>();
        await foreach (var table in _service.QueryAsync(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (InferenceLogKeys.TryParseTableMonth(prefix, table.Name, out var month) && month.AddMonths(1) <= cutoff)
            {
                expired.Add(table.Name);
            }
        }

        foreach (var name in expired)
        {
            await _service.DeleteTableAsync(name, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Inference log: deleted table {Table} (older than {RetentionDays} days)", name, _options.RetentionDays);
        }

        return expired;
    }
}
