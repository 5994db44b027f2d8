using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// Where <see cref="InferenceLogWriter"/> puts blocks: one call per <see cref="InferenceLogBlock"/>, written as one entity
/// (all or nothing). Throws when the block was not written. Called concurrently for different blocks.
/// </summary>
public interface IInferenceLogSink
{
    Task WriteAsync(InferenceLogBlock block, CancellationToken cancellationToken);
}
