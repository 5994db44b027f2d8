namespace Serverless.Core.Models;

/// <summary>Whether a registration stored a new version or found the same bytes already registered.</summary>
public enum RegistrationOutcome
{
    Created,
    Unchanged,
}

/// <summary>The outcome of registering a model version and the version as stored.</summary>
public sealed record RegistrationResult(RegistrationOutcome Outcome, ModelVersion Version);
