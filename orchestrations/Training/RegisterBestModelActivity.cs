using Microsoft.DurableTask;
using Serverless.Core.Baselines;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Registry;
using Serverless.Core.Training;

namespace Serverless.Orchestrations.Training;

/// <summary>What to register: the winning trial's outputs, the sweep's baseline and the feature sets its data was joined with (null: none).</summary>
public sealed record RegistrationInput(string ModelName, string SweepId, TrialResult Best, string Metric, string BaselineUri,
    IReadOnlyList<SweepFeatureSet>? FeatureSets = null);

/// <summary>
/// Registers the winning trial's model as the next numeric version of the model (1 when it has none) with the
/// trial's manifest and the sweep's baseline (carrying the trial's validation metrics, the yardstick for live
/// performance), described by sweep, trial and score. A sweep trained on a point-in-time join registers the manifest with
/// <c>feature_sets</c> naming the sets and the features it took from them (<see cref="WithFeatureSets"/>), so the version serves
/// from entity keys with online lookups as it was trained. Safe to retry: a version
/// with the same bytes and description is reused; a version number taken meanwhile moves on to the next.
/// </summary>
[DurableTask(Name)]
public sealed class RegisterBestModelActivity : TaskActivity<RegistrationInput, string>
{
    public const string Name = "TrainingRegisterBest";

    private readonly TrialStorage _storage;
    private readonly IModelRegistry _registry;
    private readonly BaselineStore _baselines;

    public RegisterBestModelActivity(TrialStorage storage, IModelRegistry registry, BaselineStore baselines)
    {
        _storage = storage;
        _registry = registry;
        _baselines = baselines;
    }

    public override async Task<string> RunAsync(TaskActivityContext context, RegistrationInput input)
    {
        var best = input.Best;
        var model = await _storage.ReadAsync(TrialOutputs.Combine(best.OutputUri, TrialOutputs.Model), CancellationToken.None).ConfigureAwait(false);
        var manifest = WithFeatureSets(ModelManifest.Parse(await _storage.ReadAsync(TrialOutputs.Combine(best.OutputUri, TrialOutputs.Manifest), CancellationToken.None)
            .ConfigureAwait(false)), input.FeatureSets);
        var description = $"sweep {input.SweepId}, trial {best.TrialId} ({best.Algorithm}), {input.Metric}={best.Metrics[input.Metric]:G6}";
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(model));

        var versions = await _registry.ListVersionsAsync(input.ModelName, CancellationToken.None).ConfigureAwait(false);
        var version = versions.FirstOrDefault(v => v.Sha256 == sha256 && v.Description == description)?.Version;
        if (version is null)
        {
            var next = versions.Select(v => long.TryParse(v.Version, out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1;
            for (var attempt = 0; version is null; attempt++, next++)
            {
                try
                {
                    var result = await _registry.RegisterAsync(input.ModelName, next.ToString(System.Globalization.CultureInfo.InvariantCulture), model,
                        description, CancellationToken.None).ConfigureAwait(false);
                    version = result.Version.Version;
                }
                catch (ServingException e) when (e.Kind == ServingErrorKind.Conflict && attempt < 10)
                {
                    // The number was taken meanwhile (another sweep or a pipeline): try the next one.
                }
            }
        }

        await _registry.SetManifestAsync(input.ModelName, version, manifest, CancellationToken.None).ConfigureAwait(false);
        var baseline = DatasetBaseline.FromJson(await _storage.ReadAsync(input.BaselineUri, CancellationToken.None).ConfigureAwait(false)) with
        {
            ValidationMetrics = best.Metrics,
        };
        await _baselines.SaveAsync(input.ModelName, version, baseline, CancellationToken.None).ConfigureAwait(false);
        return version;
    }

    /// <summary>
    /// The trial's manifest with <c>feature_sets</c> for the joined sets: per set, the joined features the manifest has (a trainer
    /// may drop one), sets left with none left out; unchanged when the sweep joined none.
    /// </summary>
    public static ModelManifest WithFeatureSets(ModelManifest manifest, IReadOnlyList<SweepFeatureSet>? sets)
    {
        var names = manifest.Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var joined = (sets ?? []).Select(s => new ManifestFeatureSet(s.Name, s.Version, (s.Features ?? []).Where(names.Contains).ToList()))
            .Where(s => s.Features.Count > 0).ToList();
        if (joined.Count == 0)
        {
            return manifest;
        }

        var result = manifest with { FeatureSets = joined };
        ManifestFeatureSet.ValidateAll(result);
        return result;
    }
}
