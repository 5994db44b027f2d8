using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Features;
using Serverless.Tests.Support;
using Serverless.TestModels;

namespace Serverless.Tests.Features;

/// <summary>An online store in memory that counts the calls and keys it is asked for. Thread-safe.</summary>
internal sealed class MemoryOnlineStore : IOnlineFeatureStore
{
    private readonly Dictionary<(string, string), FeatureRecord> _records = [];
    private readonly Lock _lock = new();

    public int Reads { get; private set; }

    public List<string> KeysRead { get; } = [];

    public Task<FeatureRecord?[]> ReadAsync(FeatureSetDefinition set, IReadOnlyList<string> entityKeys, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Reads++;
            KeysRead.AddRange(entityKeys);
            return Task.FromResult(entityKeys.Select(k => _records.TryGetValue((set.Id, k), out var r) ? r.Clone() : null).ToArray());
        }
    }

    public Task<OnlineWriteResult> WriteAsync(FeatureSetDefinition set, IReadOnlyList<FeatureRecord> rows, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            int updated = 0, kept = 0;
            foreach (var row in rows)
            {
                if (!_records.TryGetValue((set.Id, row.EntityKey), out var stored))
                {
                    _records[(set.Id, row.EntityKey)] = stored = new FeatureRecord(row.EntityKey, row.KeyValues, set.Features.Count);
                }

                var (u, k) = stored.Merge(row);
                updated += u;
                kept += k;
            }

            return Task.FromResult(new OnlineWriteResult(rows.Select(r => r.EntityKey).Distinct().Count(), rows.Count, updated, kept));
        }
    }
}

/// <summary>A history that keeps what it is given: one blob per append and event date, named as <see cref="BlobFeatureHistory"/> names them.</summary>
internal sealed class MemoryHistory : IFeatureHistory
{
    private readonly SortedDictionary<string, List<FeatureRecord>> _blobs = new(StringComparer.Ordinal);
    private int _appends;

    public List<FeatureRecord> Rows { get; } = [];

    public int Reads { get; private set; }

    public Task<IReadOnlyList<string>> AppendAsync(FeatureSetDefinition set, IReadOnlyList<FeatureRecord> rows, DateTimeOffset ingestedAt, CancellationToken cancellationToken)
    {
        lock (_blobs)
        {
            Rows.AddRange(rows);
            var names = new List<string>();
            foreach (var day in rows.GroupBy(r => DateOnly.FromDateTime(new DateTime(r.Ticks.Max(), DateTimeKind.Utc))))
            {
                var name = BlobFeatureHistory.DatePrefix(set, day.Key) + (_appends++).ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + ".jsonl";
                _blobs[name] = day.ToList();
                names.Add(name);
            }

            return Task.FromResult<IReadOnlyList<string>>(names);
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(FeatureSetDefinition set, DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        lock (_blobs)
        {
            return Task.FromResult<IReadOnlyList<string>>(_blobs.Keys.Where(n => n.StartsWith($"{set.Name}/{set.Version}/", StringComparison.Ordinal)
                && BlobFeatureHistory.TryParseName(n, out var date, out _) && (from is null || date >= from) && (to is null || date <= to)).ToList());
        }
    }

    public Task<IReadOnlyList<FeatureRecord>> ReadAsync(FeatureSetDefinition set, string blob, CancellationToken cancellationToken)
    {
        lock (_blobs)
        {
            Reads++;
            return Task.FromResult<IReadOnlyList<FeatureRecord>>(_blobs[blob].Select(r => r.Clone()).ToList());
        }
    }
}

/// <summary>The feature store over fakes: catalog on a <see cref="FakeTable"/>, online store and history in memory, a fake clock.</summary>
internal sealed class FeatureStoreStack
{
    public const string CustomerSet = """{"entity_keys": ["customer_id"], "features": [{"name": "f1", "type": "numeric"}, {"name": "f2", "type": "numeric"}], "ttl_seconds": 3600}""";

    public FeatureStoreStack(int cacheSeconds = 0)
    {
        var options = Options.Create(new FeatureStoreOptions { CacheSeconds = cacheSeconds, MaxRowsPerWrite = 100 });
        Catalog = new FeatureSetCatalog(Table.Client, Clock);
        Cache = new OnlineFeatureCache(Online, options, Clock);
        Ingestion = new FeatureIngestion(Catalog, Online, History, Cache, options, Clock);
        Assembler = new FeatureRowAssembler(Catalog, Cache, Clock);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    public FakeTable Table { get; } = new();

    public MemoryOnlineStore Online { get; } = new();

    public MemoryHistory History { get; } = new();

    public FeatureSetCatalog Catalog { get; }

    public OnlineFeatureCache Cache { get; }

    public FeatureIngestion Ingestion { get; }

    public FeatureRowAssembler Assembler { get; }

    public Task DeclareAsync(string json = CustomerSet, string name = "cust", string version = "1") =>
        Catalog.RegisterAsync(name, version, Encoding.UTF8.GetBytes(json), CancellationToken.None);

    public Task<FeatureWriteResult> WriteAsync(string json, string name = "cust", string version = "1") =>
        Ingestion.WriteAsync(name, version, Encoding.UTF8.GetBytes(json), csv: false, CancellationToken.None);

    /// <summary>The 3-feature logistic regression's manifest with f1 and f2 from set cust@1; <paramref name="allowMissing"/> marks f2 so.</summary>
    public static string Manifest(bool allowMissing = false)
    {
        var manifest = JsonNode.Parse(ReferenceManifests.LogisticRegression(features: 3))!.AsObject();
        if (allowMissing)
        {
            manifest["features"]![2]!["allow_missing"] = true;
        }

        manifest["feature_sets"] = JsonNode.Parse("""[{"name": "cust", "version": "1", "features": ["f1", "f2"]}]""");
        return manifest.ToJsonString();
    }
}
