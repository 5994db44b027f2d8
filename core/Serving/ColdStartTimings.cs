namespace Serverless.Core.Serving;

/// <summary>How long each stage of loading a model took, in milliseconds, and when it finished (UTC).</summary>
public sealed record ColdStartTimings(double BlobFetchMs, double SessionCreateMs, double WarmupMs, DateTimeOffset LoadedUtc)
{
    public double TotalMs => BlobFetchMs + SessionCreateMs + WarmupMs;
}
