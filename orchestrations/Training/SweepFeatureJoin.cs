using System.Globalization;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Storage;
using Serverless.Core.Training;

namespace Serverless.Orchestrations.Training;

/// <summary>
/// Builds a sweep's training rows by a point-in-time join: for each set of <see cref="TrainingSweepRequest.FeatureSets"/>, each dataset
/// row gets the set's features as they were at the row's event time (<see cref="PointInTimeIndex"/>: the latest value at or before it,
/// none after it, empty when older than the set's TTL then or never written), found by the set's entity key column(s). Numbers are
/// written in invariant round-trip form, categories as stored; an empty cell is a missing value. The event time and key columns are
/// kept out of inferred features. Errors name the field, column and data row, never a cell. Thread-safe.
/// </summary>
public sealed class SweepFeatureJoin
{
    /// <summary>Feature sets one sweep may join.</summary>
    public const int MaxSets = 8;

    private readonly PointInTimeJoiner _joiner;

    public SweepFeatureJoin(PointInTimeJoiner joiner)
    {
        _joiner = joiner;
    }

    /// <summary>The dataset with the joined feature columns appended (unchanged when the request joins no set).</summary>
    internal async Task<SweepDataset> JoinAsync(SweepDataset dataset, TrainingSweepRequest request, CancellationToken cancellationToken)
    {
        if (request.FeatureSets is not { Count: > 0 } sets)
        {
            return dataset;
        }

        var timeColumn = dataset.IndexOf(request.EventTimeColumn);
        if (timeColumn < 0)
        {
            throw ServingException.BadRequest(
                $"'event_time_column' names column {DataText.Quote(request.EventTimeColumn)}, which is not in the dataset ({DataText.List(dataset.Header)}); a point-in-time join needs each row's event time.");
        }

        var times = EventTimes(dataset, timeColumn, request.EventTimeColumn);
        var from = new DateTimeOffset(times.Min(), TimeSpan.Zero);
        var to = new DateTimeOffset(times.Max(), TimeSpan.Zero);
        var columns = new List<(string Name, string[] Cells, string? Type)>();
        var notFeatures = new List<string> { request.EventTimeColumn };
        var names = dataset.Header.ToHashSet(StringComparer.Ordinal);
        var joined = new List<SweepFeatureSet>(sets.Count);
        for (var s = 0; s < sets.Count; s++)
        {
            var field = $"feature_sets[{s}]";
            var set = await GetSetAsync(sets[s], field, cancellationToken).ConfigureAwait(false);
            var keyColumns = set.EntityKeys.Select(k => dataset.IndexOf(k) is var c and >= 0
                ? c
                : throw ServingException.BadRequest($"'{field}': the dataset has no column {DataText.Quote(k)}, the entity key of feature set '{set.Id}' that rows are joined by.")).ToArray();
            notFeatures.AddRange(set.EntityKeys);
            var features = Features(set, sets[s], field, names);
            joined.Add(new SweepFeatureSet(set.Name, set.Version, features));
            var rowKeys = RowKeys(dataset, keyColumns);
            var index = await _joiner.LoadAsync(set, rowKeys.OfType<string>().ToHashSet(StringComparer.Ordinal), from, to, cancellationToken).ConfigureAwait(false);
            foreach (var feature in features)
            {
                var declared = set.IndexOf(feature);
                var cells = new string[dataset.Rows.Count];
                for (var r = 0; r < cells.Length; r++)
                {
                    cells[r] = rowKeys[r] is { } key && index.AsOf(key, times[r], declared, out var number, out var text) == FeatureStatus.Present
                        ? set.Features[declared].IsNumeric ? number.ToString("R", CultureInfo.InvariantCulture) : text ?? ""
                        : "";
                }

                columns.Add((feature, cells, set.Features[declared].IsNumeric ? TrialFeature.Numeric : TrialFeature.Categorical));
            }
        }

        return dataset.WithColumns(columns, notFeatures, joined);
    }

    private async Task<FeatureSetDefinition> GetSetAsync(SweepFeatureSet wanted, string field, CancellationToken cancellationToken)
    {
        try
        {
            return await _joiner.GetSetAsync(wanted.Name, wanted.Version, cancellationToken).ConfigureAwait(false);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.NotFound)
        {
            throw ServingException.BadRequest($"'{field}': {e.Message}");
        }
    }

    /// <summary>The features to add: as listed (each declared, none named like a column already there), else all the set declares.</summary>
    private static IReadOnlyList<string> Features(FeatureSetDefinition set, SweepFeatureSet wanted, string field, HashSet<string> names)
    {
        var features = wanted.Features ?? set.Features.Select(f => f.Name).ToArray();
        foreach (var feature in features)
        {
            if (set.IndexOf(feature) < 0)
            {
                throw ServingException.BadRequest(
                    $"'{field}.features': feature set '{set.Id}' declares no feature {DataText.Quote(feature)}; it declares {DataText.List(set.Features.Select(f => f.Name))}.");
            }

            if (!names.Add(feature))
            {
                throw ServingException.BadRequest(
                    $"'{field}': feature {DataText.Quote(feature)} of feature set '{set.Id}' is already a column of the dataset or of another joined set; list the features to join in '{field}.features'.");
            }
        }

        return features;
    }

    /// <summary>Each row's event time in UTC ticks; BadRequest naming the first data row whose cell is not an ISO 8601 time.</summary>
    private static long[] EventTimes(SweepDataset dataset, int column, string name)
    {
        var times = new long[dataset.Rows.Count];
        for (var r = 0; r < times.Length; r++)
        {
            var cell = dataset.Rows[r][column];
            if (string.IsNullOrWhiteSpace(cell) || !DateTimeOffset.TryParse(cell.Trim(), CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            {
                throw ServingException.BadRequest(
                    $"Column {DataText.Quote(name)} (the event time of the point-in-time join) is not an ISO 8601 time such as 2026-01-31T12:00:00Z in data row {r + 1}.");
            }

            times[r] = time.UtcTicks;
        }

        return times;
    }

    /// <summary>Each row's encoded entity key, null where a key cell is empty (the row then gets no joined values).</summary>
    private static string?[] RowKeys(SweepDataset dataset, int[] keyColumns)
    {
        var keys = new string?[dataset.Rows.Count];
        var values = new string[keyColumns.Length];
        for (var r = 0; r < keys.Length; r++)
        {
            var complete = true;
            for (var k = 0; k < keyColumns.Length && complete; k++)
            {
                values[k] = dataset.Rows[r][keyColumns[k]].Trim();
                complete = values[k].Length is > 0 and <= EntityKey.MaxValueLength;
            }

            keys[r] = complete ? EntityKey.Encode(values) : null;
        }

        return keys;
    }
}
