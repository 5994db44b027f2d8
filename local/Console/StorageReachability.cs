using System.Net.Sockets;
using Serverless.Core.Storage;

namespace Serverless.Local.Console;

/// <summary>
/// Whether the storage the runner relies on answers at all (a TCP connection to each of its blob, queue and table
/// endpoints). While it does not, the console hears it once, in one line, and the storage SDK's and the Durable Task
/// engine's own retry errors stay at debug level (<see cref="IsQuietCategory"/>). Thread-safe.
/// </summary>
public sealed class StorageReachability
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);
    private volatile bool _down;

    public StorageReachability(IReadOnlyList<Uri> endpoints, string hint)
    {
        Endpoints = endpoints;
        Hint = hint;
    }

    /// <summary>The endpoints probed (blob, queue, table).</summary>
    public IReadOnlyList<Uri> Endpoints { get; }

    /// <summary>What a person should do when storage is unreachable, for the one console line.</summary>
    public string Hint { get; }

    public bool IsDown => _down;

    internal void Set(bool down) => _down = down;

    /// <summary>Categories whose errors are the echo of an outage (retries against storage that is gone), kept off the console while it lasts.</summary>
    public bool IsQuietCategory(string? category) =>
        _down && category is not null &&
        (category.StartsWith("DurableTask", StringComparison.Ordinal) || category.StartsWith("Azure", StringComparison.Ordinal));

    public static StorageReachability For(StorageAccount account, string hint)
    {
        var endpoints = new List<Uri> { account.CreateBlobServiceClient().Uri, account.CreateTableServiceClient().Uri };
        try
        {
            endpoints.Insert(1, account.CreateQueueServiceClient().Uri);
        }
        catch (InvalidOperationException)
        {
            // No queue endpoint configured: nothing to probe.
        }

        return new StorageReachability(endpoints, hint);
    }

    /// <summary>The endpoints that do not accept a TCP connection now.</summary>
    public async Task<IReadOnlyList<Uri>> UnreachableAsync(CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(Endpoints.Select(async e => (Endpoint: e, Up: await AcceptsAsync(e, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        return results.Where(r => !r.Up).Select(r => r.Endpoint).ToList();
    }

    /// <summary>The one line said when storage is unreachable.</summary>
    public string Describe(IReadOnlyList<Uri> unreachable) =>
        $"Storage is unreachable: nothing answers at {string.Join(", ", unreachable.Select(u => u.GetLeftPart(UriPartial.Authority)))}. {Hint}";

    private static async Task<bool> AcceptsAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
