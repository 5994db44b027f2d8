using System.Text.RegularExpressions;
using Microsoft.DurableTask;
using Serverless.Core.Registry;
using Serverless.Core.Training;
using Serverless.Core.Training.Tracking;

namespace Serverless.Orchestrations.Training;

/// <summary>The registered version a sweep asked to warm-start from.</summary>
public sealed record WarmStartInput(string Model, string Version);

/// <summary>
/// Finds the trained pipeline behind a registered version from the app's own lineage, never from a location a caller sent:
/// the version's description names the sweep and trial that registered it (<see cref="RegisterBestModelActivity"/>); the sweep's
/// record must say it registered exactly that version of that model from that trial, the trial's <c>model.onnx</c> must be the
/// version's bytes (SHA-256), and the trial must have left a <see cref="TrialOutputs.MlnetModel"/>. Anything else (an uploaded
/// version, one trained before the trainer saved its pipeline or by another trainer) is no source, with the reason in words.
/// </summary>
[DurableTask(Name)]
public sealed partial class ResolveWarmStartActivity : TaskActivity<WarmStartInput, WarmStartSource>
{
    public const string Name = "TrainingResolveWarmStart";

    private readonly IModelRegistry _registry;
    private readonly ExperimentStore _experiments;
    private readonly TrialStorage _storage;

    public ResolveWarmStartActivity(IModelRegistry registry, ExperimentStore experiments, TrialStorage storage)
    {
        _registry = registry;
        _experiments = experiments;
        _storage = storage;
    }

    public override async Task<WarmStartSource> RunAsync(TaskActivityContext context, WarmStartInput input)
    {
        var from = $"version {input.Version} of {input.Model}";
        var version = await _registry.GetVersionAsync(input.Model, input.Version, CancellationToken.None).ConfigureAwait(false);
        if (version is null)
        {
            return new WarmStartSource(null, $"{from} does not exist");
        }

        if (RegisteredBy().Match(version.Description ?? "") is not { Success: true } match)
        {
            return new WarmStartSource(null, $"{from} was not registered by a training sweep (uploaded, or made elsewhere), so there is no trained pipeline to continue from");
        }

        var (sweepId, trialId) = (match.Groups["sweep"].Value, match.Groups["trial"].Value);
        var sweep = await _experiments.GetSweepAsync(sweepId, CancellationToken.None).ConfigureAwait(false);
        var trial = sweep is { } s && s.ModelName == input.Model && s.RegisteredVersion == input.Version && s.BestTrialId == trialId
            ? (await _experiments.ListTrialsAsync(sweepId, CancellationToken.None).ConfigureAwait(false)).FirstOrDefault(t => t.TrialId == trialId)
            : null;
        if (trial?.OutputUri is not { } folder)
        {
            return new WarmStartSource(null, $"{from}'s lineage does not lead to a recorded trial (sweep {sweepId}, trial {trialId})");
        }

        var onnx = TrialOutputs.Combine(folder, TrialOutputs.Model);
        if (!await _storage.ExistsAsync(onnx, CancellationToken.None).ConfigureAwait(false)
            || Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await _storage.ReadAsync(onnx, CancellationToken.None).ConfigureAwait(false))) != version.Sha256)
        {
            return new WarmStartSource(null, $"{from}'s bytes are not the model.onnx of its trial {trialId} in sweep {sweepId}");
        }

        var pipeline = TrialOutputs.Combine(folder, TrialOutputs.MlnetModel);
        return await _storage.ExistsAsync(pipeline, CancellationToken.None).ConfigureAwait(false)
            ? new WarmStartSource(new TrialWarmStart(pipeline, trial.Algorithm, from), null)
            : new WarmStartSource(null, $"{from}'s trial {trialId} ({trial.Algorithm}) left no {TrialOutputs.MlnetModel} (trained before the trainer saved its pipeline, or by another trainer)");
    }

    /// <summary>The description <see cref="RegisterBestModelActivity"/> gives a version: <c>sweep {id}, trial {id} (algorithm), metric=value</c>.</summary>
    [GeneratedRegex(@"^sweep (?<sweep>[^\s,]+), trial (?<trial>[^\s,]+) \(", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RegisteredBy();
}
