using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// The cross-instance monitoring run lock: a lease on the empty blob <see cref="BlobName"/> in the reports container
/// (model folders start with a letter or digit, so the name cannot collide with a report). The lease lasts
/// <see cref="LeaseDuration"/> and is renewed every <see cref="RenewEvery"/> while held, so an instance that dies
/// frees the lock within a minute; disposing releases it. Thread-safe.
/// </summary>
public sealed class BlobLeaseRunLock : IMonitoringRunLock
{
    public const string BlobName = "_locks/monitoring-run";

    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    private readonly BlobContainerClient _container;
    private readonly ILogger<BlobLeaseRunLock> _logger;
    private readonly string _blobName;

    /// <param name="blobName">The lease blob: <see cref="BlobName"/> for monitoring runs; another name makes another lock (rollout runs use their own).</param>
    public BlobLeaseRunLock(BlobContainerClient container, ILogger<BlobLeaseRunLock> logger, string blobName = BlobName)
    {
        _container = container;
        _logger = logger;
        _blobName = blobName;
    }

    /// <summary>How often a held lease is renewed.</summary>
    public static TimeSpan RenewEvery { get; } = TimeSpan.FromSeconds(20);

    public async Task<IAsyncDisposable?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var blob = _container.GetBlobClient(_blobName);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // The lock blob exists already (and may be leased).
        }

        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }

        return new Held(lease, _logger);
    }

    private sealed class Held : IAsyncDisposable
    {
        private readonly BlobLeaseClient _lease;
        private readonly ILogger _logger;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public Held(BlobLeaseClient lease, ILogger logger)
        {
            _lease = lease;
            _logger = logger;
            _renewing = RenewAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
            try
            {
                await _lease.ReleaseAsync().ConfigureAwait(false);
            }
            catch (RequestFailedException e)
            {
                _logger.LogWarning("Could not release the monitoring run lock ({Status} {Code}); it expires within {Seconds} s.", e.Status, e.ErrorCode, LeaseDuration.TotalSeconds);
            }
        }

        private async Task RenewAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(RenewEvery, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                try
                {
                    await _lease.RenewAsync(cancellationToken: _stop.Token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    if (!_stop.IsCancellationRequested)
                    {
                        _logger.LogWarning(e, "Could not renew the monitoring run lock; another instance may start a run once it expires.");
                    }
                }
            }
        }
    }
}
