using Serverless.Core.Models;

namespace Serverless.Core.Registry;

/// <summary>
/// The model registry: immutable model versions (bytes in Blob storage, one Table entity each), their
/// immutable tabular manifests (a blob beside the model, recorded on the version's entity) and movable aliases. Thread-safe; every method is one or a few storage round trips. Failures the caller caused throw
/// <see cref="Errors.ServingException"/>; storage outages surface as Azure.RequestFailedException.
/// </summary>
public interface IModelRegistry
{
    /// <summary>Raised with the model name after any version or alias of that model changed in this process.</summary>
    event Action<string>? ModelChanged;

    /// <summary>
    /// Registers bytes as name/version after they passed <see cref="Onnx.OnnxModelInspector"/> (no external data, within
    /// the memory and warm-up budgets, loaded by ONNX Runtime; BadRequest otherwise). Same bytes again: Unchanged.
    /// Other bytes for an existing version: Conflict. Nothing is stored when validation fails.
    /// </summary>
    Task<RegistrationResult> RegisterAsync(string name, string version, byte[] modelBytes, string? description, CancellationToken cancellationToken);

    /// <summary>
    /// Registers an inference graph's version: its canonical spec, the signature it was compiled to, and the member versions it pins
    /// (deleting one of those is then refused). Created, Unchanged for the same spec, Conflict for another spec or a name that holds models.
    /// </summary>
    Task<RegistrationResult> RegisterGraphAsync(string name, string version, byte[] spec, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs,
        IReadOnlyList<ModelVersion> pinned, string? description, CancellationToken cancellationToken);

    Task<ModelVersion?> GetVersionAsync(string name, string version, CancellationToken cancellationToken);

    /// <summary>Versions of a model, oldest first in <see cref="VersionOrder"/>; empty when the model is unknown.</summary>
    Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a version; NotFound when absent, Conflict while an alias points at it (or splits traffic to it, at any weight, or mirrors to it).</summary>
    Task DeleteVersionAsync(string name, string version, CancellationToken cancellationToken);

    /// <summary>
    /// Points an alias at an existing version. With <paramref name="ifMatch"/> the move only happens when the
    /// alias still has that ETag (PreconditionFailed otherwise); without it, a concurrent move between this
    /// call's read and write is reported as Conflict rather than silently overwritten. The move is recorded in the
    /// alias's history (<paramref name="note"/>: who, why) in the same transaction as the change.
    /// </summary>
    Task<ModelAlias> SetAliasAsync(string name, string alias, string version, string? ifMatch, AliasMoveNote note, CancellationToken cancellationToken);

    /// <summary>
    /// As above for a traffic split (or one version), with its mirror if any: every version of <paramref name="traffic"/>, the
    /// mirror's included, must exist (NotFound naming the first that does not). Loading the versions is the caller's part, before this call; the registry only stores.
    /// </summary>
    Task<ModelAlias> SetAliasAsync(string name, string alias, AliasTraffic traffic, string? ifMatch, AliasMoveNote note, CancellationToken cancellationToken);

    Task<ModelAlias?> GetAliasAsync(string name, string alias, CancellationToken cancellationToken);

    /// <summary>Aliases of one model, or of every model when <paramref name="name"/> is null.</summary>
    Task<IReadOnlyList<ModelAlias>> ListAliasesAsync(string? name, CancellationToken cancellationToken);

    /// <summary>Deletes an alias (AliasNotFound when absent), recording the move; its history stays. If-Match as for a set.</summary>
    Task DeleteAliasAsync(string name, string alias, string? ifMatch, AliasMoveNote note, CancellationToken cancellationToken);

    /// <summary>
    /// Points the alias back at the version (or split) the most recent set not yet undone moved it from (see <see cref="AliasRollback"/>),
    /// recording a rollback move. Conflict when there is none, or when the alias is deleted; AliasNotFound when it never
    /// existed. Conditional like a set: with <paramref name="ifMatch"/> PreconditionFailed when the alias moved, without it
    /// Conflict when a concurrent move (another rollback, say) landed first, so two concurrent rollbacks never both land.
    /// </summary>
    Task<ModelAlias> RollbackAliasAsync(string name, string alias, string? ifMatch, AliasMoveNote note, CancellationToken cancellationToken);

    /// <summary>
    /// As above, awaiting <paramref name="prepare"/> with the traffic the alias will return to before storing it (to load and
    /// warm a split's versions); when it throws, nothing is stored.
    /// </summary>
    Task<ModelAlias> RollbackAliasAsync(string name, string alias, string? ifMatch, AliasMoveNote note, Func<AliasTraffic, CancellationToken, Task> prepare,
        CancellationToken cancellationToken);

    /// <summary>
    /// The alias's newest <paramref name="limit"/> moves (1 to <see cref="AliasHistory.MaxLimit"/>, BadRequest otherwise),
    /// newest first; a deleted alias keeps its history. AliasNotFound only when the alias has neither a move nor an entity.
    /// </summary>
    Task<AliasHistory> GetAliasHistoryAsync(string name, string alias, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Registers the manifest of an existing version after validating it against the version's signature
    /// (BadRequest naming the field). Manifests are immutable: the same canonical manifest again is Unchanged,
    /// a different one Conflict. NotFound when the version does not exist.
    /// </summary>
    Task<ManifestRegistrationResult> SetManifestAsync(string name, string version, ModelManifest manifest, CancellationToken cancellationToken);

    /// <summary>
    /// The version's manifest, or null when it has none (see <see cref="ModelVersion.ManifestSha256"/>).
    /// IntegrityFailure when the stored blob does not hash to <see cref="ModelVersion.ManifestSha256"/>.
    /// </summary>
    Task<ModelManifest?> GetManifestAsync(ModelVersion version, CancellationToken cancellationToken);

    /// <summary>Downloads the model's bytes; IntegrityFailure when they do not hash to <see cref="ModelVersion.Sha256"/>.</summary>
    Task<byte[]> DownloadAsync(ModelVersion version, CancellationToken cancellationToken);
}
