using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;
using Serverless.Core.Retraining;
using Serverless.Core.Training.Runners;
using Serverless.Orchestrations.BatchScoring;
using Serverless.Orchestrations.Training;

namespace Serverless.Orchestrations.Retraining;

/// <summary>
/// Exports a run's training set as one CSV (the features, then the target): the newest labelled traffic rows of the window
/// (every version's served rows, mirror copies left out, each joined with its feedback by request id and row, features as
/// served and the feedback as the target; at most <c>max_traffic_rows</c>), and the reference dataset's first
/// <c>max_reference_rows</c> rows (columns by name). The features are the sweep's when it lists them (they must be the champion's:
/// <see cref="ChallengerFeatures"/>), else the champion's
/// manifest's. Records the window, the rows of each kind, those left unlabelled and the SHA-256 of the bytes written. Memory
/// is bounded by the row caps and the feedback read (<c>max_traffic_rows</c> outcomes kept). Safe to retry: it overwrites its own blob.
/// </summary>
[DurableTask(Name)]
public sealed class ExportRetrainingDataActivity : TaskActivity<ExportInput, RetrainingDataset>
{
    public const string Name = "RetrainingExport";

    private readonly InferenceLogReader _logs;
    private readonly FeedbackStore _feedback;
    private readonly IModelRegistry _registry;
    private readonly InputBlobReader _blobs;
    private readonly TrainingOptions _training;

    public ExportRetrainingDataActivity(InferenceLogReader logs, FeedbackStore feedback, IModelRegistry registry, InputBlobReader blobs, IOptions<TrainingOptions> training)
    {
        _logs = logs;
        _feedback = feedback;
        _registry = registry;
        _blobs = blobs;
        _training = training.Value;
    }

    public override async Task<RetrainingDataset> RunAsync(TaskActivityContext context, ExportInput input)
    {
        var data = input.Data;
        var championFeatures = await ManifestFeaturesAsync(input).ConfigureAwait(false);
        ChallengerFeatures.Check(input.Features, championFeatures, input.Champion);
        SweepDataset? reference = null;
        if (RetrainingSources.UsesReference(data.Source))
        {
            var size = (await _blobs.Blob(data.ReferenceDataset!).GetPropertiesAsync().ConfigureAwait(false)).Value.ContentLength;
            TrainingSweepStarter.CheckSize(size, _training.MaxDatasetBytes);
            var bytes = await _blobs.ReadAsync(data.ReferenceDataset!, 0, (int)size, CancellationToken.None).ConfigureAwait(false);
            reference = SweepDataset.Parse(bytes);
        }

        var features = input.Features ?? championFeatures
            ?? reference?.Header.Where(h => h != input.Target).ToList()
            ?? throw ServingException.BadRequest($"The champion '{input.Champion}' has no manifest and the sweep lists no features, so the loop cannot tell the features.");
        var columns = features.Append(input.Target).ToList();
        var csv = new StringBuilder();
        csv.AppendJoin(',', columns.Select(Escape)).Append('\n');

        DateTimeOffset? from = null;
        long trafficRows = 0, unlabelled = 0, referenceRows = 0;
        if (RetrainingSources.UsesTraffic(data.Source))
        {
            from = input.NowUtc.AddHours(-data.WindowHours);
            (trafficRows, unlabelled) = await TrafficAsync(input, from.Value, features, csv).ConfigureAwait(false);
        }

        if (reference is not null)
        {
            var indexes = columns.Select(reference.IndexOf).ToArray();
            foreach (var row in reference.Rows.Take(data.MaxReferenceRows))
            {
                csv.AppendJoin(',', indexes.Select(i => i < 0 || i >= row.Length ? "" : Escape(row[i]))).Append('\n');
                referenceRows++;
            }
        }

        var content = Encoding.UTF8.GetBytes(csv.ToString());
        var blob = await _blobs.OutputBlobAsync(input.Dataset).ConfigureAwait(false);
        await blob.UploadAsync(BinaryData.FromBytes(content), overwrite: true, CancellationToken.None).ConfigureAwait(false);
        return new RetrainingDataset(input.Dataset, data.Source, from, from is null ? null : input.NowUtc, trafficRows, referenceRows, unlabelled,
            Convert.ToHexStringLower(SHA256.HashData(content)), columns);
    }

    private async Task<(long Rows, long Unlabelled)> TrafficAsync(ExportInput input, DateTimeOffset from, IReadOnlyList<string> features, StringBuilder csv)
    {
        var outcomes = new Dictionary<(string, int), string>();
        await foreach (var outcome in _feedback.ReadReceivedAsync(input.Model, from, CancellationToken.None).ConfigureAwait(false))
        {
            if (outcomes.Count < input.Data.MaxTrafficRows * 4 || outcomes.ContainsKey((outcome.RequestId, outcome.Row)))
            {
                outcomes[(outcome.RequestId, outcome.Row)] = outcome.Actual;
            }
        }

        var newest = new Queue<string>();
        long unlabelled = 0;
        await foreach (var record in _logs.ReadAsync(input.Model, from, input.NowUtc, CancellationToken.None).ConfigureAwait(false))
        {
            if (record.Mirror || record.IsError || record.Row < 0)
            {
                continue;
            }

            if (!outcomes.TryGetValue((record.RequestId, record.Row), out var actual))
            {
                unlabelled++;
                continue;
            }

            newest.Enqueue(string.Join(',', features.Select(f => Escape(record.Features.TryGetValue(f, out var v) ? Text(v) : "")).Append(Escape(actual))));
            if (newest.Count > input.Data.MaxTrafficRows)
            {
                newest.Dequeue();
            }
        }

        foreach (var line in newest)
        {
            csv.Append(line).Append('\n');
        }

        return (newest.Count, unlabelled);
    }

    private async Task<IReadOnlyList<string>?> ManifestFeaturesAsync(ExportInput input)
    {
        var version = await _registry.GetVersionAsync(input.Model, input.Champion, CancellationToken.None).ConfigureAwait(false);
        var manifest = version is null ? null : await _registry.GetManifestAsync(version, CancellationToken.None).ConfigureAwait(false);
        return manifest?.Features.Select(f => f.Name).ToList();
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "",
    };

    private static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
