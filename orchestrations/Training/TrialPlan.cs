using System.Text.Json;

namespace Serverless.Orchestrations.Training;

/// <summary>One planned trial: its id (t001, t002, ...), algorithm and hyperparameters. Immutable.</summary>
public sealed record TrialPlan(string TrialId, string Algorithm, IReadOnlyDictionary<string, JsonElement> Hyperparameters);
