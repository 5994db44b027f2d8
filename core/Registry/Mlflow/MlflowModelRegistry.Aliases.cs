using Serverless.Core.Errors;
using Serverless.Core.Training.Tracking;

namespace Serverless.Core.Registry.Mlflow;

public sealed partial class MlflowModelRegistry
{
    /// <summary>
    /// Points the app's alias at the version, recorded in its history as <paramref name="note"/> says (so the app's rollback undoes it).
    /// MLflow's rules first: not <c>latest</c>, not shaped like a version (<c>v3</c>); then the app's alias syntax.
    /// </summary>
    public async Task SetAliasAsync(string? name, string? alias, string? version, AliasMoveNote note, CancellationToken cancellationToken)
    {
        alias = Alias(alias);
        var (found, _) = await FindVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        await _registry.SetAliasAsync(found.Name, alias, found.Version, null, note, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the app's alias (recorded in its history); an alias that does not exist is not an error, as in MLflow.</summary>
    public async Task DeleteAliasAsync(string? name, string? alias, AliasMoveNote note, CancellationToken cancellationToken)
    {
        alias = Alias(alias);
        var model = await GetModelAsync(name, cancellationToken).ConfigureAwait(false);
        if (model.Aliases.ContainsKey(alias))
        {
            await _registry.DeleteAliasAsync(model.Name, alias, null, note, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The version the alias points at (a traffic split's primary version).</summary>
    public async Task<ModelVersionView> GetVersionByAliasAsync(string? name, string? alias, CancellationToken cancellationToken)
    {
        name = Name(name);
        alias = Alias(alias);
        var found = await _registry.GetAliasAsync(name, alias, cancellationToken).ConfigureAwait(false)
            ?? throw ServingException.NotFound($"Registered model alias {alias} not found.");
        return await GetVersionAsync(name, found.Version, cancellationToken).ConfigureAwait(false);
    }

    private static string Alias(string? alias)
    {
        alias = TrackingLimits.Required(alias, "alias");
        if (alias.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            throw ServingException.BadRequest("'latest' alias name (case insensitive) is reserved.");
        }

        if (VersionLikeAlias().IsMatch(alias))
        {
            throw ServingException.BadRequest($"Version alias name '{alias}' is reserved: an alias may not look like a version (v1, V2, ...).");
        }

        ModelIdentifiers.ValidateAlias(alias, "alias");
        return alias;
    }
}
