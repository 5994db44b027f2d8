using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Serverless.Bench;

/// <summary>
/// How long a load test runs per target: a warm-up, then a measured phase bounded by a duration and a request count,
/// split into <paramref name="Rounds"/> rounds that alternate between the targets compared.
/// </summary>
public sealed record LoadSettings(TimeSpan Warmup, TimeSpan MeasureDuration, int MeasureMaxRequests, int Rounds);

/// <summary>
/// One endpoint to load: the client to send with, the URI, the request body and the exact response expected (or any of
/// <paramref name="AlsoAccepted"/>, for a split whose versions answer differently); <paramref name="HeaderName"/>, when set,
/// is sent with the values of <paramref name="HeaderValues"/> in turn (request i carries value i mod count).
/// </summary>
public sealed record LoadTarget(string Label, HttpClient Client, Uri Uri, byte[] Body, byte[] Expected,
    IReadOnlyList<byte[]>? AlsoAccepted = null, string? HeaderName = null, IReadOnlyList<string>? HeaderValues = null)
{
    internal bool Accepts(ReadOnlySpan<byte> received)
    {
        if (received.SequenceEqual(Expected))
        {
            return true;
        }

        foreach (var other in AlsoAccepted ?? [])
        {
            if (received.SequenceEqual(other))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Closed-loop HTTP load: <c>concurrency</c> workers each send the same POST back to back over a shared
/// <see cref="HttpClient"/> (HTTP/1.1 keep-alive). Every response must be 200 with exactly the expected body;
/// any other outcome fails the phase with the count and the first failure.
/// </summary>
public static class LoadGenerator
{
    public static HttpClient CreateClient(int maxConnections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>
    /// Warms every target up, then measures them in alternating rounds (A, B, A, B, ...) so that background load and
    /// drift on a small machine hit all of them alike; each target's rounds are pooled into one measurement.
    /// </summary>
    public static async Task<IReadOnlyList<Measurement>> RunInterleavedAsync(IReadOnlyList<LoadTarget> targets, int concurrency, LoadSettings settings)
    {
        foreach (var target in targets)
        {
            var warmup = await RunPhaseAsync(target, concurrency, settings.Warmup, int.MaxValue / 2, record: false);
            warmup.ThrowIfFailed($"{target.Label} c={concurrency} (warm-up)");
        }

        var roundDuration = settings.MeasureDuration / settings.Rounds;
        var roundRequests = Math.Max(1, settings.MeasureMaxRequests / settings.Rounds);
        var rounds = targets.Select(_ => new List<Phase>()).ToList();
        for (var round = 0; round < settings.Rounds; round++)
        {
            for (var t = 0; t < targets.Count; t++)
            {
                var phase = await RunPhaseAsync(targets[t], concurrency, roundDuration, roundRequests, record: true);
                phase.ThrowIfFailed($"{targets[t].Label} c={concurrency}");
                rounds[t].Add(phase);
            }
        }

        return targets.Select((target, t) =>
        {
            var measurement = Measurement.FromTicks($"{target.Label} c={concurrency}",
                rounds[t].SelectMany(p => p.Durations.Take(p.Completed)).ToArray(),
                TimeSpan.FromTicks(rounds[t].Sum(p => p.Elapsed.Ticks)));
            return measurement with { AllocatedBytesPerRequest = (double)rounds[t].Sum(p => p.AllocatedBytes) / rounds[t].Sum(p => p.Completed) };
        }).ToList();
    }

    /// <summary>Sends one request and returns its latency in milliseconds; throws unless it is 200 with the expected body.</summary>
    public static async Task<double> SendOnceAsync(HttpClient client, Uri uri, byte[] body, byte[] expected)
    {
        var start = Stopwatch.GetTimestamp();
        var failure = await SendAsync(new LoadTarget("", client, uri, body, expected), 0);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return failure is null ? elapsed : throw new InvalidOperationException($"POST {uri} failed: {failure}");
    }

    private static async Task<Phase> RunPhaseAsync(LoadTarget target, int concurrency, TimeSpan duration, int maxRequests, bool record)
    {
        var phase = new Phase(record ? maxRequests : 0);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency)
            .Select(_ => Task.Run(() => WorkerAsync(target, phase, deadline, maxRequests)))
            .ToArray();
        await Task.WhenAll(workers);
        phase.Elapsed = Stopwatch.GetElapsedTime(start);
        phase.AllocatedBytes = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        phase.Completed = (int)Math.Min(Interlocked.Read(ref phase.Issued), maxRequests);
        return phase;
    }

    private static async Task WorkerAsync(LoadTarget target, Phase phase, long deadline, int maxRequests)
    {
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var slot = Interlocked.Increment(ref phase.Issued) - 1;
            if (slot >= maxRequests)
            {
                return;
            }

            var begin = Stopwatch.GetTimestamp();
            var failure = await SendAsync(target, slot).ConfigureAwait(false);
            var took = Stopwatch.GetTimestamp() - begin;
            if (phase.Durations.Length > 0)
            {
                phase.Durations[slot] = took;
            }

            if (failure is not null)
            {
                phase.RecordFailure(failure);
            }
        }
    }

    /// <summary>Null on success, else what went wrong.</summary>
    private static async Task<string?> SendAsync(LoadTarget target, long slot)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target.Uri) { Content = new ByteArrayContent(target.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (target.HeaderName is { } header && target.HeaderValues is { Count: > 0 } values)
            {
                request.Headers.TryAddWithoutValidation(header, values[(int)(slot % values.Count)]);
            }

            using var response = await target.Client.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
            var received = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return $"HTTP {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(received.AsSpan(0, Math.Min(received.Length, 300)))}";
            }

            return target.Accepts(received)
                ? null
                : $"unexpected response body: {System.Text.Encoding.UTF8.GetString(received.AsSpan(0, Math.Min(received.Length, 300)))}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private sealed class Phase
    {
        private readonly Lock _gate = new();
        private string? _firstFailure;
        private int _failures;

        public Phase(int capacity)
        {
            Durations = new long[capacity];
        }

        public long Issued;

        public long[] Durations { get; }

        public int Completed { get; set; }

        public TimeSpan Elapsed { get; set; }

        public long AllocatedBytes { get; set; }

        public void RecordFailure(string failure)
        {
            lock (_gate)
            {
                _failures++;
                _firstFailure ??= failure;
            }
        }

        public void ThrowIfFailed(string label)
        {
            lock (_gate)
            {
                if (_failures > 0)
                {
                    throw new InvalidOperationException($"{label}: {_failures} request(s) failed; first failure: {_firstFailure}");
                }
            }
        }
    }
}
