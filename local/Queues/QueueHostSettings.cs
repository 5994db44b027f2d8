using System.Globalization;
using System.Text.Json;
using Azure.Storage.Queues;

namespace Serverless.Local.Queues;

/// <summary>
/// host.json's <c>extensions.queues</c> as the Functions host reads it (Storage Queues extension 5.x), with its defaults:
/// <c>maxDequeueCount</c> 5, <c>batchSize</c> 16 (at most 32), <c>visibilityTimeout</c> 0 (a failed message is visible again at
/// once), <c>messageEncoding</c> base64. The poll interval backs off from <see cref="MinPollingInterval"/> to
/// <c>maxPollingInterval</c> (the host's default is a minute; locally 2 s, so a test or a user waits little).
/// </summary>
public sealed record QueueHostSettings(int MaxDequeueCount, int BatchSize, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval, QueueMessageEncoding MessageEncoding)
{
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    public static QueueHostSettings Default { get; } = new(5, 16, TimeSpan.Zero, TimeSpan.FromSeconds(2), QueueMessageEncoding.Base64);

    public static QueueHostSettings FromHostJson(string hostJsonPath)
    {
        if (!File.Exists(hostJsonPath))
        {
            return Default;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues)
            || queues.ValueKind != JsonValueKind.Object)
        {
            return Default;
        }

        return new QueueHostSettings(
            Int(queues, "maxDequeueCount") is { } count and >= 1 ? count : Default.MaxDequeueCount,
            Int(queues, "batchSize") is { } batch and >= 1 ? Math.Min(batch, 32) : Default.BatchSize,
            Span(queues, "visibilityTimeout") ?? Default.VisibilityTimeout,
            Span(queues, "maxPollingInterval") is { } poll && poll >= MinPollingInterval ? poll : Default.MaxPollingInterval,
            queues.TryGetProperty("messageEncoding", out var encoding) && string.Equals(encoding.GetString(), "none", StringComparison.OrdinalIgnoreCase)
                ? QueueMessageEncoding.None
                : QueueMessageEncoding.Base64);
    }

    private static int? Int(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;

    private static TimeSpan? Span(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero
            ? span
            : null;
}
