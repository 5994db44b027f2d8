using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Mirroring;

namespace Serverless.Functions.Mirroring;

/// <summary>
/// Scores mirror (shadow) copies off the request path: each message of the mirror queue (app setting <c>MirrorQueueName</c>) is
/// one copy, scored on the mirror version by <see cref="MirrorScorer"/>. The mirror's own failures complete the message (logged
/// as mirror error records); infrastructure failures throw, so the host retries the message and, after its maxDequeueCount,
/// moves it to the poison queue.
/// </summary>
public sealed class MirrorFunctions
{
    private readonly MirrorScorer _scorer;

    public MirrorFunctions(MirrorScorer scorer)
    {
        _scorer = scorer;
    }

    [Function("ScoreMirrorCopy")]
    public Task Score(
        [QueueTrigger("%" + MirrorOptions.QueueSetting + "%", Connection = "AzureWebJobsStorage")] BinaryData message, CancellationToken cancellationToken) =>
        _scorer.ScoreAsync(message.ToMemory(), cancellationToken);
}
