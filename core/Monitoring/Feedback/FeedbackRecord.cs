namespace Serverless.Core.Monitoring.Feedback;

/// <summary>
/// A ground-truth outcome that arrived after the prediction: the request id the prediction was answered with,
/// the row within that request (0 for single-row requests), and the actual value as text. Immutable.
/// </summary>
public sealed record FeedbackRecord(string RequestId, int Row, string Actual, DateTimeOffset ReceivedUtc);
