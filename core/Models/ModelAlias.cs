namespace Serverless.Core.Models;

/// <summary>
/// A named pointer (production, staging, ...) from a model to one of its versions, or a traffic split over several
/// (<see cref="Traffic"/>). <paramref name="Version"/> is the one version, or a split's <see cref="AliasTraffic.Primary"/>:
/// what a caller that knows no splits (batch scoring by alias, a sweep's incumbent) takes the alias to mean.
/// </summary>
/// <param name="ETag">The storage ETag of the alias; pass it back as If-Match to move the alias safely.</param>
public sealed record ModelAlias(string ModelName, string Alias, string Version, DateTimeOffset UpdatedUtc, string ETag)
{
    /// <summary>Where the alias sends traffic; the one-version form of <see cref="Version"/> unless it is a split.</summary>
    public AliasTraffic Traffic { get; init; } = AliasTraffic.Single(Version);
}
