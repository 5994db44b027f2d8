using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// When the monitor first saw traffic of a version that has no baseline, while its reference window is open
/// (<see cref="MonitoringOptions.ReferenceWindowHours"/>): one small blob per version,
/// <c>{model}/{version}/reference-window.json</c> (<c>{"first_traffic_utc": "…"}</c>), in the reports container.
/// Thread-safe.
/// </summary>
public sealed class ReferenceWindowStore
{
    private static readonly JsonSerializerOptions Json = MonitoringReport.Json;

    private readonly BlobContainerClient _container;

    public ReferenceWindowStore(BlobContainerClient container)
    {
        _container = container;
    }

    public static string BlobName(string model, string version) => $"{model}/{version}/reference-window.json";

    /// <summary>When the version's reference window opened; null when none is open.</summary>
    public async Task<DateTimeOffset?> GetStartAsync(string model, string version, CancellationToken cancellationToken)
    {
        try
        {
            var content = await _container.GetBlobClient(BlobName(model, version)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize<ReferenceWindowState>(content.Value.Content.ToMemory().Span, Json)?.FirstTrafficUtc;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task SetStartAsync(string model, string version, DateTimeOffset firstTrafficUtc, CancellationToken cancellationToken)
    {
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await _container.GetBlobClient(BlobName(model, version))
            .UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(new ReferenceWindowState(firstTrafficUtc), Json)), overwrite: true, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Closes the version's window (its reference was captured, or it had nothing to capture).</summary>
    public Task ClearAsync(string model, string version, CancellationToken cancellationToken) =>
        _container.GetBlobClient(BlobName(model, version)).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    private sealed record ReferenceWindowState(DateTimeOffset FirstTrafficUtc);
}
