using System.Globalization;
using System.Text.Json;
using Serverless.Core.Models;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Monitoring.Variants;

namespace Serverless.Tests.Monitoring.Variants;

/// <summary>Logged rows, outcomes and version windows for the variant tests: one-row requests, numbered per version.</summary>
internal sealed class VariantData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static readonly ModelManifest Binary = ModelManifest.Parse("""{"task":"binary","features":[{"name":"x","type":"numeric"}],"inputs":{"layout":"per_feature"},"outputs":{"label":"label","probability":"p"}}"""u8);

    public static readonly ModelManifest Regression = ModelManifest.Parse("""{"task":"regression","features":[{"name":"x","type":"numeric"}],"inputs":{"layout":"per_feature"},"outputs":{"value":"v"}}"""u8);

    public Dictionary<(string RequestId, int Row), FeedbackRecord> Feedback { get; } = [];

    /// <summary>A served one-row request of <paramref name="version"/> predicting <paramref name="label"/> (binary, probability 0.9 of it) or <paramref name="value"/>.</summary>
    public static InferenceLogRecord Served(string version, string id, string? label = null, double? value = null, double latencyMs = 10, bool mirror = false) => new()
    {
        RequestId = id,
        Row = 0,
        Model = "churn",
        Version = version,
        TimestampUtc = Now.AddMinutes(-30),
        LatencyMs = latencyMs,
        Status = InferenceLogStatus.Ok,
        Source = InferenceLogSource.Predict,
        Label = label,
        Probability = label is null ? null : 0.9,
        Value = value,
        Features = new Dictionary<string, JsonElement> { ["x"] = JsonSerializer.SerializeToElement(1.0) },
        Mirror = mirror,
    };

    public static InferenceLogRecord Failed(string version, string id, bool mirror = false) => new()
    {
        RequestId = id,
        Row = -1,
        Model = "churn",
        Version = version,
        TimestampUtc = Now.AddMinutes(-30),
        LatencyMs = 5,
        Status = InferenceLogStatus.Error,
        Source = InferenceLogSource.Predict,
        Error = "boom",
        StatusCode = 500,
        Features = new Dictionary<string, JsonElement>(),
        Mirror = mirror,
    };

    /// <summary>
    /// <paramref name="rows"/> binary requests of <paramref name="version"/> (ids <c>{version}-{i}</c>), each with an outcome:
    /// the first <paramref name="right"/> predicted right.
    /// </summary>
    public List<InferenceLogRecord> Classified(string version, int rows, int right)
    {
        var records = new List<InferenceLogRecord>();
        for (var i = 0; i < rows; i++)
        {
            var id = $"{version}-{i}";
            records.Add(Served(version, id, label: "1"));
            Feedback[(id, 0)] = new FeedbackRecord(id, 0, i < right ? "1" : "0", Now.AddMinutes(-10));
        }

        return records;
    }

    /// <summary><paramref name="rows"/> regression requests of <paramref name="version"/>, predicting 10 with absolute errors <paramref name="error"/>(i).</summary>
    public List<InferenceLogRecord> Regressed(string version, int rows, Func<int, double> error)
    {
        var records = new List<InferenceLogRecord>();
        for (var i = 0; i < rows; i++)
        {
            var id = $"{version}-{i}";
            records.Add(Served(version, id, value: 10));
            var actual = 10 + (i % 2 == 0 ? error(i) : -error(i));
            Feedback[(id, 0)] = new FeedbackRecord(id, 0, actual.ToString("R", CultureInfo.InvariantCulture), Now.AddMinutes(-10));
        }

        return records;
    }

    /// <summary>A version's window over <paramref name="records"/>, judged with this data's outcomes.</summary>
    public WindowAccumulator Window(ModelManifest manifest, IEnumerable<InferenceLogRecord> records)
    {
        var window = new WindowAccumulator(null, manifest, new FeedbackWindow(Feedback), WindowLimits.From(new MonitoringOptions()), new RowSampler(7));
        foreach (var record in records)
        {
            window.Add(record);
        }

        return window;
    }

    public static AliasVariants Split(string alias, params (string Version, int Weight)[] shares) =>
        new(alias, new AliasTraffic(shares.Select(s => new TrafficShare(s.Version, s.Weight)).ToList(), AliasTraffic.DefaultRoutingKey), []);
}
