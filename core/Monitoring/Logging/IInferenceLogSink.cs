namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// Where <see cref="InferenceLogWriter"/> puts batches: one call per <see cref="InferenceLogBatch"/>, written as one entity
/// group transaction (all or nothing). Throws when the batch was not written. Called concurrently for different batches.
/// </summary>
public interface IInferenceLogSink
{
    Task WriteAsync(InferenceLogBatch batch, CancellationToken cancellationToken);
}
