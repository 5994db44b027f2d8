using System.Runtime.CompilerServices;
using Serverless.Core.Errors;
using Serverless.Core.Tabular;

namespace Serverless.Core.Features;

/// <summary>
/// Assembles a tabular model's rows for a records request when its manifest takes features from feature sets: read the request
/// under the plan's request schema (<see cref="FeatureJoinPlan"/>), look up each set's distinct keys in one batched read through the
/// cache, then fill the model's <see cref="FeatureBatch"/> feature by feature, so the batch the model runs (and the inference log
/// records) holds the values actually served. A value the request sends wins over the store. A value past its set's TTL is
/// missing: NaN (numeric) or empty (categorical) for a feature that allows missing values, else the request is refused (BadRequest
/// naming row and feature, nothing scored), as is a row without the key a lookup needs. Plans are kept beside each bound model.
/// Thread-safe; one instance per process.
/// </summary>
public sealed class FeatureRowAssembler
{
    private const int MaxReportedErrors = 10;

    private readonly ConditionalWeakTable<TabularModel, FeatureJoinPlan> _plans = new();
    private readonly FeatureSetCatalog _catalog;
    private readonly OnlineFeatureCache _cache;
    private readonly TimeProvider _clock;

    public FeatureRowAssembler(FeatureSetCatalog catalog, OnlineFeatureCache cache, TimeProvider clock)
    {
        _catalog = catalog;
        _cache = cache;
        _clock = clock;
    }

    /// <summary>True when the model takes features from feature sets.</summary>
    public static bool Joins(TabularModel tabular) => tabular.Manifest.FeatureSets is { Count: > 0 };

    /// <summary>The model's plan, bound on first use (BadRequest when a set version is no longer declared or no longer fits).</summary>
    public async ValueTask<FeatureJoinPlan> GetPlanAsync(TabularModel tabular, CancellationToken cancellationToken)
    {
        if (_plans.TryGetValue(tabular, out var plan))
        {
            return plan;
        }

        var definitions = await _catalog.CheckManifestAsync(tabular.Manifest, cancellationToken).ConfigureAwait(false);
        plan = FeatureJoinPlan.Bind(tabular, definitions);
        _plans.AddOrUpdate(tabular, plan);
        return plan;
    }

    /// <summary>The model's rows for a records request body, and per row where each set-supplied feature came from.</summary>
    public async ValueTask<(FeatureBatch Batch, FeatureStatusReport Status)> AssembleAsync(TabularModel tabular, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken)
    {
        var plan = await GetPlanAsync(tabular, cancellationToken).ConfigureAwait(false);
        var request = new FeatureBatch(plan.RequestSchema, capacity: 16);
        request.AddRecordsJson(body.Span, MaxReportedErrors);
        var batch = tabular.CreateBatch(request.RowCount);
        var status = await JoinAsync(tabular, request, batch, cancellationToken).ConfigureAwait(false);
        if (batch.RejectedRowCount > 0)
        {
            var errors = batch.Errors;
            var more = errors.Count > MaxReportedErrors ? $"; and {errors.Count - MaxReportedErrors} more" : "";
            throw ServingException.BadRequest($"Invalid rows, nothing was scored: {string.Join("; ", errors.Take(MaxReportedErrors))}{more}.");
        }

        return (batch, status);
    }

    /// <summary>
    /// The join itself, for any reader of rows (the records API above, batch scoring's files): <paramref name="request"/>'s accepted rows,
    /// read under the plan's <see cref="FeatureJoinPlan.RequestSchema"/>, become rows of <paramref name="batch"/> (created by
    /// <paramref name="tabular"/>, keeping each row's index) with the set-supplied features looked up in one batched read per set. A row
    /// the join refuses (no key, or a missing or expired value the feature cannot do without) is left out of <paramref name="batch"/>
    /// and named in its <see cref="FeatureBatch.Errors"/>; nothing is thrown for it. Returns per request row where each set-supplied
    /// feature came from.
    /// </summary>
    public async ValueTask<FeatureStatusReport> JoinAsync(TabularModel tabular, FeatureBatch request, FeatureBatch batch, CancellationToken cancellationToken)
    {
        var plan = await GetPlanAsync(tabular, cancellationToken).ConfigureAwait(false);
        if (!ReferenceEquals(request.Schema, plan.RequestSchema) || !ReferenceEquals(batch.Schema, tabular.Schema))
        {
            throw new ArgumentException("Read the request with the plan's request schema and create the batch with the model's CreateBatch.", nameof(request));
        }

        var rows = request.RowCount;
        var lookups = await LookUpAsync(plan, request, cancellationToken).ConfigureAwait(false);
        var status = new FeatureStatusReport(plan.SourcedFeatures.Select(f => tabular.Schema.Features[f].Name).ToArray(), rows);
        var now = _clock.GetUtcNow().UtcTicks;
        var features = tabular.Schema.Features;
        for (var r = 0; r < rows; r++)
        {
            batch.BeginRow(request.RowIndexes[r]);
            var sourced = 0;
            for (var f = 0; f < features.Count; f++)
            {
                var source = plan.Sources[f];
                if (source.Set < 0)
                {
                    Copy(request, batch, f, r);
                    continue;
                }

                status[r, sourced++] = Serve(plan.Sets[source.Set], lookups[source.Set][r], source.Feature, request, batch, f, r, now);
            }

            batch.EndRow();
        }

        return status;
    }

    /// <summary>Per set, per request row: the looked-up record, null when absent, or <see cref="NoKey"/> when the row lacks its key.</summary>
    private async ValueTask<FeatureRecord?[][]> LookUpAsync(FeatureJoinPlan plan, FeatureBatch request, CancellationToken cancellationToken)
    {
        var results = new FeatureRecord?[plan.Sets.Length][];
        var reads = new Task[plan.Sets.Length];
        for (var s = 0; s < plan.Sets.Length; s++)
        {
            reads[s] = LookUpSetAsync(plan.Sets[s], request, results, s, cancellationToken);
        }

        await Task.WhenAll(reads).ConfigureAwait(false);
        return results;
    }

    private async Task LookUpSetAsync(FeatureJoinPlan.SetPlan set, FeatureBatch request, FeatureRecord?[][] results, int s, CancellationToken cancellationToken)
    {
        var rows = request.RowCount;
        var rowKeys = new string?[rows];
        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<string>();
        var values = new string[set.KeyColumns.Length];
        for (var r = 0; r < rows; r++)
        {
            if (!NeedsLookup(set, request, r) || !TryKeyValues(set, request, r, values))
            {
                continue;
            }

            var key = EntityKey.Encode(values);
            rowKeys[r] = key;
            if (distinct.TryAdd(key, keys.Count))
            {
                keys.Add(key);
            }
        }

        var found = keys.Count == 0 ? [] : await _cache.ReadAsync(set.Definition, keys, cancellationToken).ConfigureAwait(false);
        var perRow = new FeatureRecord?[rows];
        for (var r = 0; r < rows; r++)
        {
            perRow[r] = rowKeys[r] is { } key ? found[distinct[key]] : NeedsLookup(set, request, r) ? NoKey : null;
        }

        results[s] = perRow;
    }

    /// <summary>Marks a row that needed a lookup but lacked a key value.</summary>
    private static readonly FeatureRecord NoKey = new("", [], 0);

    private static bool NeedsLookup(FeatureJoinPlan.SetPlan set, FeatureBatch request, int row)
    {
        foreach (var f in set.ModelFeatures)
        {
            if (!Given(request, f, row))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryKeyValues(FeatureJoinPlan.SetPlan set, FeatureBatch request, int row, string[] values)
    {
        for (var k = 0; k < set.KeyColumns.Length; k++)
        {
            var column = set.KeyColumns[k];
            if (request.Schema.Rules[column].IsNumeric)
            {
                var number = request.GetNumeric(column)[row];
                if (double.IsNaN(number))
                {
                    return false;
                }

                values[k] = FeatureRule.Format(number);
            }
            else
            {
                var text = request.GetCategorical(column)[row];
                if (string.IsNullOrWhiteSpace(text))
                {
                    return false;
                }

                values[k] = text;
            }
        }

        return true;
    }

    private static FeatureStatus Serve(FeatureJoinPlan.SetPlan set, FeatureRecord? record, int declared, FeatureBatch request, FeatureBatch batch, int feature, int row,
        long nowTicks)
    {
        if (Given(request, feature, row))
        {
            Copy(request, batch, feature, row);
            return FeatureStatus.Request;
        }

        var definition = set.Definition;
        if (ReferenceEquals(record, NoKey))
        {
            var keys = string.Join(", ", definition.EntityKeys.Select(k => $"'{k}'"));
            batch.Reject(feature, $"not sent, and the row has no entity key ({keys}) to look it up in feature set '{definition.Id}'");
            return FeatureStatus.Missing;
        }

        FeatureStatus status;
        if (record is null || !record.Has(declared))
        {
            status = FeatureStatus.Missing;
        }
        else if (nowTicks - record.Ticks[declared] > definition.Ttl.Ticks)
        {
            status = FeatureStatus.Expired;
        }
        else
        {
            if (batch.Schema.Rules[feature].IsNumeric)
            {
                batch.SetNumber(feature, record.Numbers[declared]);
            }
            else
            {
                batch.SetJsonText(feature, record.Texts[declared], isString: true);
            }

            return FeatureStatus.Present;
        }

        if (batch.Schema.Rules[feature].Spec.AllowMissing)
        {
            batch.SetMissing(feature);
        }
        else
        {
            var key = record is null ? "" : $" for key {EntityKey.Describe(record.KeyValues)}";
            batch.Reject(feature, status == FeatureStatus.Expired
                ? $"expired in feature set '{definition.Id}'{key}: its value is from {record!.EventTime(declared):O}, older than the set's TTL of {definition.TtlSeconds} s"
                : $"feature set '{definition.Id}' holds no value for this row's key");
        }

        return status;
    }

    private static bool Given(FeatureBatch request, int feature, int row) => request.Schema.Rules[feature].IsNumeric
        ? !double.IsNaN(request.GetNumeric(feature)[row])
        : request.GetCategorical(feature)[row].Length > 0;

    /// <summary>Copies a request value into the model's batch, where the model's own checks apply.</summary>
    private static void Copy(FeatureBatch request, FeatureBatch batch, int feature, int row)
    {
        if (request.Schema.Rules[feature].IsNumeric)
        {
            var number = request.GetNumeric(feature)[row];
            if (double.IsNaN(number))
            {
                batch.SetMissing(feature);
            }
            else
            {
                batch.SetNumber(feature, number);
            }

            return;
        }

        var text = request.GetCategorical(feature)[row];
        if (text.Length == 0 && batch.Schema.Rules[feature].Spec.AllowMissing)
        {
            batch.SetMissing(feature);
        }
        else
        {
            batch.SetJsonText(feature, text, isString: true);
        }
    }
}
