using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Counts per API a row or request came through (the log's <see cref="InferenceLogRecord.Source"/>: <c>predict</c>, the
/// records API, or <c>infer</c>, the Open Inference Protocol): at most <see cref="MaxApis"/> names are counted one by
/// one, further ones together under <see cref="Other"/>. Not thread-safe.
/// </summary>
public sealed class ApiCounts
{
    /// <summary>Names counted one by one (the log writes two).</summary>
    public const int MaxApis = 4;

    /// <summary>Where names past <see cref="MaxApis"/> (or empty ones) are counted.</summary>
    public const string Other = "other";

    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public long Total { get; private set; }

    /// <summary>The name <paramref name="api"/> is counted under: itself while there is room, else <see cref="Other"/>.</summary>
    public static string Key(string api, IReadOnlyDictionary<string, long> counted) =>
        string.IsNullOrEmpty(api) ? Other : counted.ContainsKey(api) || counted.Count < MaxApis ? api : Other;

    public void Add(string api, long count = 1)
    {
        var key = Key(api, _counts);
        _counts[key] = _counts.GetValueOrDefault(key) + count;
        Total += count;
    }

    /// <summary>The counts by name (ordinal order); empty when nothing was counted.</summary>
    public IReadOnlyDictionary<string, long> Build() => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);
}

/// <summary>How many rows one test of the report judged, in all and per API.</summary>
public sealed record JudgedRows(string Test, long Rows, IReadOnlyDictionary<string, long> ByApi)
{
    public const string DataDrift = "data_drift";
    public const string PredictionDrift = "prediction_drift";
    public const string Performance = "performance";
    public const string Service = "service";

    internal static JudgedRows From(string test, ApiCounts counts) => new(test, counts.Total, counts.Build());
}
