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

/// <summary>A history that keeps what it is given.</summary>
internal sealed class MemoryHistory : IFeatureHistory
{
    public List<FeatureRecord> Rows { get; } = [];

    public Task<IReadOnlyList<string>> AppendAsync(FeatureSetDefinition set, IReadOnlyList<FeatureRecord> rows, DateTimeOffset ingestedAt, CancellationToken cancellationToken)
    {
        Rows.AddRange(rows);
        return Task.FromResult<IReadOnlyList<string>>([$"{set.Name}/{set.Version}/memory.jsonl"]);
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
