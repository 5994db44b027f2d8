using System.Globalization;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Tabular;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>Completed records-API captures without a model: a two-feature batch (age, city) and made-up predictions.</summary>
internal static class Captures
{
    public static ModelVersion Version(string model, string version = "3") =>
        new(model, version, "sha", 1, DateTimeOffset.UtcNow, null, [], [], $"{model}/{version}/model.onnx");

    public static FeatureSchema Schema { get; } = new(
    [
        new FeatureSpec("age", FeatureType.Numeric, AllowMissing: true),
        new FeatureSpec("city", FeatureType.Categorical, AllowMissing: true),
    ]);

    /// <summary>Begins, records <paramref name="rows"/> rows and returns the capture (not yet completed).</summary>
    public static InferenceLogCapture Tabular(InferenceLogger logger, string model, int rows, string? requestId = null, string? city = "Oslo")
    {
        var capture = logger.Begin(InferenceLogSource.Predict, model, null, requestId);
        capture.EnsureRequestId();
        capture.RecordTabular(Version(model), Batch(rows, city), Predictions(rows));
        return capture;
    }

    /// <summary><paramref name="rows"/> rows of (age, city); row 1's age missing.</summary>
    public static FeatureBatch Batch(int rows, string? city = "Oslo")
    {
        var batch = new FeatureBatch(Schema, rows);
        for (var r = 0; r < rows; r++)
        {
            Assert.True(batch.AddRow(new Dictionary<string, string?>
            {
                ["age"] = r == 1 ? null : (20 + r).ToString(CultureInfo.InvariantCulture),
                ["city"] = city,
            }));
        }

        return batch;
    }

    public static TabularPrediction[] Predictions(int rows) => Enumerable.Range(0, rows)
        .Select(r => new TabularPrediction { Label = r % 2 == 0 ? "yes" : "no", Probability = 0.5 + (r / 1000.0), Scores = [0.5 - (r / 1000.0), 0.5 + (r / 1000.0)] })
        .ToArray();

    /// <summary>Logs a completed request of <paramref name="rows"/> rows.</summary>
    public static InferenceLogCapture Complete(InferenceLogger logger, string model, int rows, string? requestId = null)
    {
        var capture = Tabular(logger, model, rows, requestId);
        logger.Complete(capture);
        return capture;
    }
}
