namespace Serverless.Tests.Training.Runners;

/// <summary>A clock stopped at one instant (for Retry-After dates).</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
