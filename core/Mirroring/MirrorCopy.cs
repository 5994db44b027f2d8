namespace Serverless.Core.Mirroring;

/// <summary>
/// A copy of a request an alias's mirror is to score: the model, the mirror's version, the API it came in by
/// (<c>predict</c> or <c>infer</c>), the primary's request id, when it was copied (UTC) and the request body as it came. Immutable
/// by convention (the body array is owned by the copy).
/// </summary>
public sealed record MirrorCopy(string Model, string Version, string Source, string RequestId, DateTimeOffset EnqueuedUtc, byte[] Body);
