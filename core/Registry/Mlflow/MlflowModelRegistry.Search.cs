using System.Globalization;
using Serverless.Core.Errors;
using Serverless.Core.Training.Tracking;

namespace Serverless.Core.Registry.Mlflow;

public sealed partial class MlflowModelRegistry
{
    private static readonly SearchKey NameKey = new(SearchField.Attribute, "name");

    /// <summary>
    /// Registered models matching MLflow's filter (<c>name</c> with =, !=, LIKE, ILIKE; <c>tags.key</c>; timestamps), ordered (default name),
    /// one page. Reads every registered model (the app's and MLflow's) and its versions.
    /// </summary>
    public async Task<SearchPage<RegisteredModelView>> SearchModelsAsync(string? filter, IReadOnlyList<string>? orderBy, int maxResults, string? pageToken,
        CancellationToken cancellationToken)
    {
        var parsed = SearchFilter.Parse(filter, SearchTarget.RegisteredModels);
        var offset = TrackingLimits.Offset(pageToken);
        var metas = (await _metadata.ListModelsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var summaries = (await _registry.ListModelsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.Name, StringComparer.Ordinal);
        var found = new List<RegisteredModelView>();
        foreach (var name in metas.Keys.Union(summaries.Keys).Order(StringComparer.Ordinal))
        {
            if (!parsed.Matches(k => k == NameKey ? name : null) && parsed.Clauses.All(c => c.Key == NameKey))
            {
                continue;
            }

            var aliases = summaries.TryGetValue(name, out var summary) ? summary.Aliases : NoTags;
            if (await ComposeAsync(name, metas.GetValueOrDefault(name), aliases, cancellationToken).ConfigureAwait(false) is { } model
                && parsed.Matches(k => Lookup(model, k)))
            {
                found.Add(model);
            }
        }

        var sorted = SearchOrder.Sort(found, orderBy, SearchTarget.RegisteredModels, Lookup, [(NameKey, true)]);
        return new SearchPage<RegisteredModelView>([.. sorted.Skip(offset).Take(maxResults)], TrackingLimits.NextToken(offset + maxResults, sorted.Count));
    }

    /// <summary>
    /// Model versions matching MLflow's filter (<c>name</c>, <c>run_id</c>, <c>source</c>, <c>version_number</c>, timestamps, <c>tags.key</c>), ordered
    /// (default name, then version_number descending), one page. With <c>name = '...'</c> only that model is read.
    /// </summary>
    public async Task<SearchPage<ModelVersionView>> SearchVersionsAsync(string? filter, IReadOnlyList<string>? orderBy, int maxResults, string? pageToken,
        CancellationToken cancellationToken)
    {
        var parsed = SearchFilter.Parse(filter, SearchTarget.ModelVersions);
        var offset = TrackingLimits.Offset(pageToken);
        var named = parsed.Clauses.FirstOrDefault(c => c.Key == NameKey && c.Comparator == "=")?.Value as string;
        var names = named is not null ? [named] : await ModelNamesAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<ModelVersionView>();
        foreach (var name in names)
        {
            if (!IsModelName(name))
            {
                continue;
            }

            var metas = await _metadata.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
            var aliases = await _registry.ListAliasesAsync(name, cancellationToken).ConfigureAwait(false);
            foreach (var version in await _registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false))
            {
                var view = VersionView(version, metas.GetValueOrDefault(version.Version), [.. aliases.Where(a => a.Version == version.Version).Select(a => a.Alias)]);
                if (parsed.Matches(k => Lookup(view, k)))
                {
                    found.Add(view);
                }
            }
        }

        var sorted = SearchOrder.Sort(found, orderBy, SearchTarget.ModelVersions, Lookup,
            [(NameKey, true), (new SearchKey(SearchField.Attribute, "version_number"), false)]);
        return new SearchPage<ModelVersionView>([.. sorted.Skip(offset).Take(maxResults)], TrackingLimits.NextToken(offset + maxResults, sorted.Count));
    }

    /// <summary>Every registered model's name: MLflow's (with or without versions) and the app's.</summary>
    private async Task<IReadOnlyList<string>> ModelNamesAsync(CancellationToken cancellationToken) =>
        [.. (await _metadata.ListModelsAsync(cancellationToken).ConfigureAwait(false)).Select(m => m.Name)
            .Union((await _registry.ListModelsAsync(cancellationToken).ConfigureAwait(false)).Select(s => s.Name), StringComparer.Ordinal)];

    private static bool IsModelName(string name)
    {
        try
        {
            ModelIdentifiers.ValidateName(name);
            return true;
        }
        catch (ServingException)
        {
            return false;
        }
    }

    private static object? Lookup(RegisteredModelView model, SearchKey key) => key.Field == SearchField.Tag
        ? model.Tags.GetValueOrDefault(key.Key)
        : key.Key switch
        {
            "name" => model.Name,
            "creation_timestamp" => (double)model.CreationTimestamp,
            _ => (double)model.LastUpdatedTimestamp,
        };

    private static object? Lookup(ModelVersionView version, SearchKey key) => key.Field == SearchField.Tag
        ? version.Tags.GetValueOrDefault(key.Key)
        : key.Key switch
        {
            "name" => version.Name,
            "version_number" => double.TryParse(version.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null,
            "run_id" => version.RunId,
            "source" => version.Source,
            "creation_timestamp" => (double)version.CreationTimestamp,
            _ => (double)version.LastUpdatedTimestamp,
        };
}
