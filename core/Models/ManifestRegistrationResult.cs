namespace Serverless.Core.Models;

/// <summary>
/// The outcome of registering a manifest for a model version (Created, or Unchanged when the same canonical
/// manifest was already registered), the version as now stored and the manifest's canonical JSON.
/// </summary>
public sealed record ManifestRegistrationResult(RegistrationOutcome Outcome, ModelVersion Version, ModelManifest Manifest, byte[] CanonicalJson);
