using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Storage;

namespace Serverless.Core.Mirroring;

/// <summary>
/// The Storage queue mirror copies go through (app setting <see cref="MirrorOptions.QueueSetting"/>, default
/// <see cref="MirrorOptions.DefaultQueueName"/>) on the app's storage account, messages base64-encoded as the Functions host's
/// queue trigger reads them, created when missing. The client is made on first use, so an account without a queue endpoint
/// only fails the sends (counted as <c>unavailable</c>). Thread-safe; one per process.
/// </summary>
public sealed class MirrorQueue
{
    private readonly Lazy<QueueClient> _client;
    private readonly StorageInitializer _initializer;

    public MirrorQueue(StorageAccount account, IConfiguration configuration)
        : this(() => account.CreateQueueServiceClient(ClientOptions()).GetQueueClient(QueueName(configuration)))
    {
    }

    /// <summary>A queue over a client made by <paramref name="create"/> (tests: a client of their own).</summary>
    public MirrorQueue(Func<QueueClient> create)
    {
        _client = new Lazy<QueueClient>(create);
        _initializer = new StorageInitializer(ct => _client.Value.CreateIfNotExistsAsync(cancellationToken: ct));
    }

    /// <summary>The queue's name as configured.</summary>
    public static string QueueName(IConfiguration configuration) =>
        configuration[MirrorOptions.QueueSetting] is { Length: > 0 } name ? name : MirrorOptions.DefaultQueueName;

    /// <summary>The options of the mirror's queue clients: base64 messages, as the Functions host reads them, and few, short retries.</summary>
    public static QueueClientOptions ClientOptions()
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        options.Retry.MaxRetries = 1;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }

    /// <summary>Sends one message (the queue is created first if missing); storage failures are thrown as the SDK throws them.</summary>
    public async Task SendAsync(byte[] message, CancellationToken cancellationToken)
    {
        await _initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _client.Value.SendMessageAsync(BinaryData.FromBytes(message), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
