using System.Collections.Concurrent;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Storage;

namespace Serverless.Core.Features;

/// <summary>
/// Feature set declarations on Azure Tables: partition = set name, row <c>v_{version}</c> holding the canonical declaration and its
/// SHA-256. Versions are immutable like model versions and manifests: the same declaration again is <see cref="RegistrationOutcome.Unchanged"/>,
/// another one a Conflict. Found declarations are kept in process (they never change); a missing one is read again next time.
/// The table is created on the first registration, never by a read. Thread-safe.
/// </summary>
public sealed class FeatureSetCatalog
{
    private const string VersionPrefix = "v_";

    private readonly TableClient _table;
    private readonly TimeProvider _clock;
    private readonly StorageInitializer _initializer;
    private readonly ConcurrentDictionary<(string, string), FeatureSetDefinition> _known = new();

    public FeatureSetCatalog(TableClient table, TimeProvider clock)
    {
        _table = table;
        _clock = clock;
        _initializer = new StorageInitializer(async ct => await _table.CreateIfNotExistsAsync(ct).ConfigureAwait(false));
    }

    /// <summary>Registers a declaration (BadRequest naming the field when it is malformed; Conflict when the version holds another one).</summary>
    public async Task<(RegistrationOutcome Outcome, FeatureSetDefinition Definition)> RegisterAsync(string name, string version, ReadOnlyMemory<byte> json,
        CancellationToken cancellationToken)
    {
        ValidateIds(name, version);
        var parsed = FeatureSetJson.Read(name, version, json.Span) with { CreatedUtc = _clock.GetUtcNow() };
        var existing = await FindAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return (SameOrConflict(existing, parsed), existing);
        }

        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(name, VersionPrefix + version)
        {
            ["Version"] = version,
            ["Sha256"] = parsed.Sha256,
            ["Definition"] = Encoding.UTF8.GetString(FeatureSetJson.Write(parsed)),
            ["CreatedUtc"] = parsed.CreatedUtc,
        };
        try
        {
            await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var winner = await FindAsync(name, version, cancellationToken).ConfigureAwait(false)
                ?? throw ServingException.Conflict($"Feature set '{name}' version '{version}' is being registered concurrently; retry.");
            return (SameOrConflict(winner, parsed), winner);
        }

        _known[(name, version)] = parsed;
        return (RegistrationOutcome.Created, parsed);
    }

    /// <summary>The declaration, or null when the version was never registered.</summary>
    public async Task<FeatureSetDefinition?> FindAsync(string name, string version, CancellationToken cancellationToken)
    {
        ValidateIds(name, version);
        if (_known.TryGetValue((name, version), out var known))
        {
            return known;
        }

        NullableResponse<TableEntity> response;
        try
        {
            response = await _table.GetEntityIfExistsAsync<TableEntity>(name, VersionPrefix + version, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }

        if (!response.HasValue)
        {
            return null;
        }

        var definition = ToDefinition(response.Value!);
        _known[(name, version)] = definition;
        return definition;
    }

    /// <summary>The declaration; NotFound naming the set and version when it was never registered.</summary>
    public async Task<FeatureSetDefinition> GetAsync(string name, string version, CancellationToken cancellationToken) =>
        await FindAsync(name, version, cancellationToken).ConfigureAwait(false)
        ?? throw ServingException.NotFound($"Feature set '{name}' has no version '{version}'; declare it with PUT /api/feature-sets/{name}/versions/{version}.");

    /// <summary>Every version of a set, in version order; NotFound when there is none.</summary>
    public async Task<IReadOnlyList<FeatureSetDefinition>> ListVersionsAsync(string name, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name, "name");
        var versions = new List<FeatureSetDefinition>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {name} and RowKey ge {VersionPrefix} and RowKey lt {"v`"}");
        try
        {
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                versions.Add(ToDefinition(entity));
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // no table yet: no set was ever declared
        }

        versions.Sort((a, b) => VersionOrder.Instance.Compare(a.Version, b.Version));
        return versions.Count > 0 ? versions : throw ServingException.NotFound($"No feature set '{name}' is declared.");
    }

    /// <summary>
    /// Checks a manifest's <c>feature_sets</c> against the declarations: each set version exists and declares each named feature with
    /// the manifest feature's type, and no model feature names a set's key column. BadRequest naming the field otherwise.
    /// </summary>
    public async Task<IReadOnlyList<FeatureSetDefinition>> CheckManifestAsync(ModelManifest manifest, CancellationToken cancellationToken)
    {
        var sets = manifest.FeatureSets;
        if (sets is null)
        {
            return [];
        }

        var definitions = new FeatureSetDefinition[sets.Count];
        for (var s = 0; s < sets.Count; s++)
        {
            var field = $"feature_sets[{s}]";
            ModelIdentifiers.ValidateName(sets[s].Name, $"{field}.name");
            ModelIdentifiers.ValidateVersion(sets[s].Version, $"{field}.version");
            definitions[s] = await FindAsync(sets[s].Name, sets[s].Version, cancellationToken).ConfigureAwait(false)
                ?? throw ServingException.BadRequest($"Manifest field '{field}': feature set '{sets[s].Name}' has no version '{sets[s].Version}'; declare it first.");
            FeatureJoinPlan.CheckSet(manifest, s, definitions[s]);
        }

        return definitions;
    }

    private static void ValidateIds(string name, string version)
    {
        ModelIdentifiers.ValidateName(name, "name");
        ModelIdentifiers.ValidateVersion(version, "version");
    }

    private static RegistrationOutcome SameOrConflict(FeatureSetDefinition existing, FeatureSetDefinition parsed) =>
        existing.Sha256 == parsed.Sha256
            ? RegistrationOutcome.Unchanged
            : throw ServingException.Conflict(
                $"Feature set '{existing.Name}' version '{existing.Version}' is already declared otherwise (sha256 {existing.Sha256}, this one {parsed.Sha256}). " +
                "Versions are immutable: declare a new version.");

    private static FeatureSetDefinition ToDefinition(TableEntity entity)
    {
        var name = entity.PartitionKey;
        var version = entity.GetString("Version");
        var definition = FeatureSetJson.Read(name, version, Encoding.UTF8.GetBytes(entity.GetString("Definition") ?? "{}"));
        return definition with { CreatedUtc = entity.GetDateTimeOffset("CreatedUtc") ?? DateTimeOffset.MinValue };
    }
}
