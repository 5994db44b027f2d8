using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;
using CsvHelper;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using Serverless.Core.Baselines;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// Validates the dataset once and prepares everything trials share: joins the request's feature sets point in time
/// (<see cref="SweepFeatureJoin"/>), resolves the features, checks the target for
/// the task (two classes for binary, 2–100 for multiclass, numbers for regression; rows without a target are
/// dropped and counted), splits rows into train and validation (seeded, stratified by class), writes both as CSV
/// (target first, then every other column), the training split's baseline (per-feature distribution, later the drift
/// reference) and a profile of the whole dataset, and fingerprints the dataset's bytes. Reads at most
/// <see cref="TrainingOptions.MaxDatasetBytes"/> (the size is checked again here, and the download is bounded, in
/// case the blob grew since the start). Its errors name rows, columns and counts, never the dataset's cells. Safe to
/// retry: it overwrites its own outputs.
/// </summary>
[DurableTask(Name)]
public sealed class PrepareSweepDataActivity : TaskActivity<SweepInput, SweepData>
{
    public const string Name = "TrainingPrepareData";
    public const string Container = AppStorageNames.SweepsContainer;
    public const int MaxClasses = 100;

    private readonly InputBlobReader _blobs;
    private readonly TrialStorage _storage;
    private readonly TrainingOptions _options;
    private readonly SweepFeatureJoin _features;

    public PrepareSweepDataActivity(InputBlobReader blobs, TrialStorage storage, IOptions<TrainingOptions> options, SweepFeatureJoin features)
    {
        _blobs = blobs;
        _storage = storage;
        _options = options.Value;
        _features = features;
    }

    public override async Task<SweepData> RunAsync(TaskActivityContext context, SweepInput input)
    {
        var request = input.Request;
        var bytes = await DownloadAsync(request.Dataset).ConfigureAwait(false);
        var dataset = await _features.JoinAsync(SweepDataset.Parse(bytes), request, CancellationToken.None).ConfigureAwait(false);
        var target = dataset.IndexOf(request.Target);
        if (target < 0)
        {
            throw ServingException.BadRequest($"The target column {DataText.Quote(request.Target)} is not in the dataset ({DataText.List(dataset.Header)}).");
        }

        var features = dataset.ResolveFeatures(request);
        dataset.CheckNumeric(features);
        var withTarget = dataset.Rows.Select((r, i) => (Row: r, Number: i + 1)).Where(x => !string.IsNullOrWhiteSpace(x.Row[target])).ToList();
        var rows = withTarget.Select(x => x.Row).ToList();
        var dropped = dataset.Rows.Count - rows.Count;
        var (classes, positive) = CheckTarget(request, rows.Select(r => r[target].Trim()).ToList(), withTarget.Select(x => x.Number).ToList());
        var (train, validation) = Split(rows, target, request);

        var folder = $"{input.SweepId}/data";
        // Every column of the dataset, target first: trials read the features they were given, and an incumbent
        // with other features can still be evaluated on exactly these rows.
        var columns = new[] { target }.Concat(Enumerable.Range(0, dataset.Header.Length).Where(c => c != target)).ToArray();
        var header = columns.Select(c => dataset.Header[c]).ToArray();
        var trainUri = _storage.BlobUri(Container, $"{folder}/train.csv");
        var validationUri = _storage.BlobUri(Container, $"{folder}/validation.csv");
        var baselineUri = _storage.BlobUri(Container, $"{folder}/baseline.json");
        var profileUri = _storage.BlobUri(Container, $"{folder}/profile.json");
        await _storage.WriteAsync(trainUri, Csv(header, train, columns), CancellationToken.None).ConfigureAwait(false);
        await _storage.WriteAsync(validationUri, Csv(header, validation, columns), CancellationToken.None).ConfigureAwait(false);
        await _storage.WriteAsync(baselineUri, Baseline(features, dataset, train, target, request, $"sweep {input.SweepId}, training split").ToJson(), CancellationToken.None)
            .ConfigureAwait(false);
        await _storage.WriteAsync(profileUri, Baseline(features, dataset, rows, target, request, $"sweep {input.SweepId}, whole dataset").ToJson(), CancellationToken.None)
            .ConfigureAwait(false);

        // The joined features the model takes (a request's 'features' may leave some out), per set, for the registered manifest.
        var modelFeatures = features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var featureSets = dataset.JoinedSets.Select(j => j with { Features = j.Features!.Where(modelFeatures.Contains).ToList() }).Where(j => j.Features!.Count > 0).ToList();
        return new SweepData(trainUri, validationUri, baselineUri, profileUri, features, positive, classes, train.Count, validation.Count, dropped,
            Convert.ToHexStringLower(SHA256.HashData(bytes)), featureSets.Count > 0 ? featureSets : null);
    }

    /// <summary>The dataset's bytes, at most <see cref="TrainingOptions.MaxDatasetBytes"/> of them (BadRequest beyond).</summary>
    private async Task<byte[]> DownloadAsync(string dataset)
    {
        var blob = _blobs.Blob(dataset);
        try
        {
            var size = (await blob.GetPropertiesAsync().ConfigureAwait(false)).Value.ContentLength;
            TrainingSweepStarter.CheckSize(size, _options.MaxDatasetBytes);
            if (size == 0)
            {
                return [];
            }

            var range = new HttpRange(0, Math.Min(size, _options.MaxDatasetBytes) + 1);
            var bytes = (await blob.DownloadContentAsync(new BlobDownloadOptions { Range = range }).ConfigureAwait(false)).Value.Content.ToArray();
            TrainingSweepStarter.CheckSize(bytes.Length, _options.MaxDatasetBytes);
            return bytes;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw ServingException.NotFound($"Dataset blob '{dataset}' not found.");
        }
    }

    /// <summary>The target's classes and positive class; the errors give counts and row numbers, not the target's values.</summary>
    private static (IReadOnlyList<string>? Classes, string? Positive) CheckTarget(TrainingSweepRequest request, List<string> values, List<int> rowNumbers)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var target = DataText.Quote(request.Target);
        switch (request.Task)
        {
            case "regression":
                var bad = values.FindIndex(v => !double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x));
                return bad < 0
                    ? (null, null)
                    : throw ServingException.BadRequest(
                        $"Regression needs a numeric target; {target} is not a finite number in data row {rowNumbers[bad]}.");
            case "binary":
                if (distinct.Count != 2)
                {
                    throw ServingException.BadRequest(
                        $"Binary classification needs exactly two target values; {target} holds {distinct.Count} distinct values (use task multiclass for more).");
                }

                var positive = request.PositiveClass ?? distinct.FirstOrDefault(v => v is "1" or "true" or "True" or "yes")
                    ?? throw ServingException.BadRequest($"Set 'positive_class' to the one of the two values of {target} that is the positive class.");
                if (!distinct.Contains(positive))
                {
                    throw ServingException.BadRequest($"'positive_class' {DataText.Quote(positive)} is not one of the two values of {target}.");
                }

                return ([distinct.Single(v => v != positive), positive], positive);
            default:
                return distinct.Count is < 2 or > MaxClasses
                    ? throw ServingException.BadRequest($"Multiclass classification needs 2 to {MaxClasses} target values; {target} holds {distinct.Count}.")
                    : (distinct, null);
        }
    }

    /// <summary>Seeded shuffle; classification holds out the same share of every class (at least one row of each class with two or more rows).</summary>
    private static (List<string[]> Train, List<string[]> Validation) Split(List<string[]> rows, int target, TrainingSweepRequest request)
    {
        var random = new Random(request.Seed);
        var groups = request.Task == "regression"
            ? [Enumerable.Range(0, rows.Count).ToList()]
            : rows.Select((r, i) => (r, i)).GroupBy(x => x.r[target].Trim(), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Select(x => x.i).ToList()).ToList();
        var validation = new HashSet<int>();
        foreach (var group in groups)
        {
            var shuffled = group.OrderBy(_ => random.Next()).ToList();
            var take = (int)Math.Round(shuffled.Count * request.ValidationSplit, MidpointRounding.AwayFromZero);
            take = shuffled.Count >= 2 ? Math.Clamp(take, 1, shuffled.Count - 1) : 0;
            validation.UnionWith(shuffled.Take(take));
        }

        var train = rows.Where((_, i) => !validation.Contains(i)).ToList();
        var held = rows.Where((_, i) => validation.Contains(i)).ToList();
        return held.Count == 0 || train.Count == 0
            ? throw ServingException.BadRequest($"{rows.Count} row(s) are too few to split into training and validation.")
            : (train, held);
    }

    private static byte[] Csv(string[] header, List<string[]> rows, int[] columns)
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, new CsvWriterOptions { NewLine = "\n", WriteByteOrderMark = false }, leaveOpen: true))
        {
            foreach (var name in header)
            {
                csv.WriteField(name);
            }

            csv.EndRecord();
            foreach (var row in rows)
            {
                foreach (var column in columns)
                {
                    csv.WriteField(row[column].Trim());
                }

                csv.EndRecord();
            }
        }

        return buffer.ToArray();
    }

    private static DatasetBaseline Baseline(IReadOnlyList<TrialFeature> features, SweepDataset dataset, List<string[]> rows, int target,
        TrainingSweepRequest request, string source)
    {
        var builders = features.Select(f => (Column: dataset.IndexOf(f.Name), Builder: new BaselineBuilder(f.Name, f.Type == TrialFeature.Numeric, request.Seed))).ToList();
        var targetBuilder = new BaselineBuilder(request.Target, request.Task == "regression", request.Seed);
        foreach (var row in rows)
        {
            foreach (var (column, builder) in builders)
            {
                builder.AddText(row[column]);
            }

            targetBuilder.AddText(row[target].Trim());
        }

        return new DatasetBaseline
        {
            Rows = rows.Count,
            Features = builders.Select(b => b.Builder.Build()).ToList(),
            Target = targetBuilder.Build(),
            Source = source,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
    }
}
