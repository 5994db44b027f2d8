using Serverless.Core.Models;

namespace Serverless.Core.Tabular.Steps;

/// <summary>
/// A C# step a manifest names as <c>{"kind": "code", "step": "<see cref="Name"/>"}</c>, for logic that does not fit an
/// expression. Register it with <see cref="TabularStepServiceCollectionExtensions.AddTabularStep{TStep}"/>; names are
/// unique in the app. One instance serves every model and request at once, so it must be thread-safe (keep no per-row state).
/// </summary>
public interface ITabularStep
{
    /// <summary>The name manifests use (lower snake_case by convention).</summary>
    string Name { get; }

    /// <summary>
    /// Called when a manifest naming the step is registered or loaded: throw a <see cref="Errors.ServingException"/>
    /// (BadRequest) naming <paramref name="field"/> when the manifest lacks what the step needs (a feature, a task).
    /// </summary>
    void Check(ModelManifest manifest, string field)
    {
    }
}

/// <summary>A code step in a manifest's <c>pre</c>: runs on each row after it is read, before the model sees it.</summary>
public interface ITabularPreStep : ITabularStep
{
    /// <summary>Features the step sets, which a request or file may therefore leave out.</summary>
    IReadOnlyList<string> Sets => [];

    /// <summary>Reads and sets the row's features. Returns null, or why the row is refused (a row error naming the step).</summary>
    string? Apply(TabularRow row);
}

/// <summary>A code step in a manifest's <c>post</c>: runs on each row's prediction; must not fail (annotate instead).</summary>
public interface ITabularPostStep : ITabularStep
{
    /// <summary>Reads the row's features and changes or annotates <paramref name="decision"/>.</summary>
    void Apply(TabularRow row, PredictionDecision decision);
}
