using System.Globalization;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// The service figures of one version's window, taken request by request: exact counts of requests, failures (by HTTP
/// status) and rows, in all and per API (<see cref="ApiCounts.MaxApis"/> at most), and uniform samples of at most
/// <see cref="WindowLimits.MaxSampleRows"/> request latencies in all and per API for the percentiles. A request is
/// counted by its first record (see <see cref="WindowAccumulator"/>). Not thread-safe.
/// </summary>
public sealed class ServiceAccumulator
{
    /// <summary>Where failures logged without a status are counted.</summary>
    public const string UnknownStatus = "unknown";

    private readonly int _maxSample;
    private readonly PrioritySample<double> _latencies;
    private readonly Dictionary<string, Api> _apis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _apiKeys = new(StringComparer.Ordinal);

    public ServiceAccumulator(WindowLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _maxSample = limits.MaxSampleRows;
        _latencies = new PrioritySample<double>(_maxSample);
    }

    public long Requests { get; private set; }

    public long Errors { get; private set; }

    /// <summary>Request latencies held for the percentiles (all APIs).</summary>
    internal int LatenciesHeld => _latencies.Count;

    /// <summary>Request latencies held in all, the per-API samples included.</summary>
    internal int LatencyValuesHeld => _latencies.Count + _apis.Values.Sum(a => a.Latencies.Count);

    /// <summary>A request, given by its first record; <paramref name="priority"/> is the record's (<see cref="RowSampler"/>).</summary>
    public void AddRequest(InferenceLogRecord record, ulong priority)
    {
        ArgumentNullException.ThrowIfNull(record);
        AddRequest(record.Source, record.LatencyMs, record.IsError, record.StatusCode, priority);
    }

    /// <summary>A request through <paramref name="source"/>, given by its first record's latency, whether it failed and with what HTTP status (null: not logged).</summary>
    public void AddRequest(string source, double latencyMs, bool isError, int? statusCode, ulong priority)
    {
        var api = ApiOf(source);
        Requests++;
        api.Requests++;
        _latencies.Add(priority, latencyMs);
        api.Latencies.Add(priority, latencyMs);
        if (isError)
        {
            Errors++;
            api.Errors++;
            var status = statusCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : UnknownStatus;
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
        }
    }

    /// <summary>A row served through <paramref name="source"/>.</summary>
    public void AddRow(string source) => ApiOf(source).Rows++;

    /// <summary><paramref name="rows"/> rows served through <paramref name="source"/>.</summary>
    public void AddRows(string source, long rows) => ApiOf(source).Rows += rows;

    public ServiceHealth Build(PreviousWindow? previous = null)
    {
        var all = Percentiles(_latencies);
        var apis = _apis.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a =>
        {
            var p = Percentiles(a.Value.Latencies);
            return new ApiHealth(a.Key, a.Value.Requests, a.Value.Rows, a.Value.Errors, Rate(a.Value.Errors, a.Value.Requests), p.P50, p.P95, p.P99);
        }).ToList();
        return new ServiceHealth(Requests, Errors, Rate(Errors, Requests), all.P50, all.P95, all.P99,
            new SortedDictionary<string, long>(_statuses, StringComparer.Ordinal), apis, previous);
    }

    /// <summary>Nearest-rank percentile of an ascending array; null when empty.</summary>
    internal static double? Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static (double? P50, double? P95, double? P99) Percentiles(PrioritySample<double> sample)
    {
        var latencies = sample.ToArray();
        Array.Sort(latencies);
        return (Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99));
    }

    private static double Rate(long count, long total) => total == 0 ? 0 : (double)count / total;

    private Api ApiOf(string source)
    {
        var key = ApiCounts.Key(source, _apiKeys);
        if (!_apis.TryGetValue(key, out var api))
        {
            api = new Api(new PrioritySample<double>(_maxSample));
            _apis[key] = api;
            _apiKeys[key] = 0;
        }

        return api;
    }

    private sealed class Api(PrioritySample<double> latencies)
    {
        public PrioritySample<double> Latencies { get; } = latencies;

        public long Requests { get; set; }

        public long Errors { get; set; }

        public long Rows { get; set; }
    }
}
