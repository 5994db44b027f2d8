using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Registry;

/// <summary>
/// Graph versions in the registry: a version row like a model's, marked as a graph, its spec at <c>{name}/{version}/{sha256}/graph.json</c>;
/// a pin row per pinned member version in the member's partition (written before the graph's row, removed after it), so a pinned
/// version cannot be deleted. A name holds models or graphs, never both.
/// </summary>
public sealed partial class ModelRegistry
{
    public async Task<RegistrationResult> RegisterGraphAsync(string name, string version, byte[] spec, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs,
        IReadOnlyList<ModelVersion> pinned, string? description, CancellationToken cancellationToken)
    {
        ModelIdentifiers.ValidateName(name);
        ModelIdentifiers.ValidateVersion(version);
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(spec));
        var existing = await GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing.IsGraph ? SameBytesOrConflict(existing, sha256) : throw NameHoldsOtherKind(name, graph: true);
        }

        await CheckNameHoldsAsync(name, graph: true, cancellationToken).ConfigureAwait(false);
        var registered = new ModelVersion(name, version, sha256, spec.Length, _clock.GetUtcNow(), description, inputs, outputs, $"{name}/{version}/{sha256}/graph.json")
        {
            SessionBytes = 0,
            IsGraph = true,
        };
        var pins = pinned.DistinctBy(p => (p.Name, p.Version)).ToList();
        foreach (var member in pins)
        {
            await _table.UpsertEntityAsync(new TableEntity(member.Name, RegistryEntities.GraphPinRowKey(member.Version, name, version))
            {
                [RegistryEntities.KindProperty] = RegistryEntities.GraphPinKind,
                ["Graph"] = name,
                ["GraphVersion"] = version,
            }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }

        var blob = _container.GetBlobClient(registered.BlobName);
        await blob.UploadAsync(BinaryData.FromBytes(spec), overwrite: true, cancellationToken).ConfigureAwait(false);
        var entity = RegistryEntities.ToEntity(registered);
        entity[RegistryEntities.GraphPinsProperty] = JsonSerializer.Serialize(pins.Select(p => new[] { p.Name, p.Version }));
        try
        {
            await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var winner = await GetVersionAsync(name, version, cancellationToken).ConfigureAwait(false)
                ?? throw ServingException.Conflict($"Graph '{name}' version '{version}' is being registered concurrently; retry.");
            return SameBytesOrConflict(winner, sha256);
        }

        ModelChanged?.Invoke(name);
        return new RegistrationResult(RegistrationOutcome.Created, registered);
    }

    /// <summary>Refuses a registration of one kind under a name that holds versions of the other.</summary>
    private async Task CheckNameHoldsAsync(string name, bool graph, CancellationToken cancellationToken)
    {
        var versions = await ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
        if (versions.Any(v => v.IsGraph != graph))
        {
            throw NameHoldsOtherKind(name, graph);
        }
    }

    private static ServingException NameHoldsOtherKind(string name, bool graph) => ServingException.Conflict(graph
        ? $"'{name}' is a model: a name is a model or a graph, never both. Register the graph under another name."
        : $"'{name}' is an inference graph: a name is a model or a graph, never both. Register the model under another name.");

    /// <summary>The graph versions that pin <paramref name="version"/> of <paramref name="name"/>; pins whose graph version is gone are removed.</summary>
    private async Task<IReadOnlyList<string>> PinningGraphsAsync(string name, string version, CancellationToken cancellationToken)
    {
        var pinning = new List<string>();
        var filter = RegistryEntities.PrefixFilter(name, RegistryEntities.GraphPinPrefixOf(version));
        await foreach (var pin in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var graph = pin.GetString("Graph");
            var graphVersion = pin.GetString("GraphVersion");
            if (await GetVersionAsync(graph, graphVersion, cancellationToken).ConfigureAwait(false) is { IsGraph: true })
            {
                pinning.Add($"{graph}@{graphVersion}");
            }
            else
            {
                await _table.DeleteEntityAsync(name, pin.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
            }
        }

        return pinning;
    }

    /// <summary>Removes the pins a deleted graph version held (its row's <c>GraphPins</c>).</summary>
    private async Task RemoveGraphPinsAsync(TableEntity graph, CancellationToken cancellationToken)
    {
        var pins = JsonSerializer.Deserialize<string[][]>(graph.GetString(RegistryEntities.GraphPinsProperty) ?? "[]") ?? [];
        foreach (var pin in pins)
        {
            await _table.DeleteEntityAsync(pin[0], RegistryEntities.GraphPinRowKey(pin[1], graph.PartitionKey, graph.GetString("Version")), ETag.All, cancellationToken)
                .ConfigureAwait(false);
        }
    }
}
