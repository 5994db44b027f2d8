namespace Serverless.Core.Models;

/// <summary>A named pointer (production, staging, ...) from a model to one of its versions.</summary>
/// <param name="ETag">The storage ETag of the alias; pass it back as If-Match to move the alias safely.</param>
public sealed record ModelAlias(string ModelName, string Alias, string Version, DateTimeOffset UpdatedUtc, string ETag);
