using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Models;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Tabular;
using Serverless.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Feedback matching against an inference log written to Azurite by the real writer: which ids and rows match, the
/// window, blocks written before the index existed, the search budget, and what a search reads compared with decoding
/// the window (figures in the test output).
/// </summary>
[Collection(StackCollection.Name)]
public sealed class FeedbackMatchingStorageTests
{
    private const string Model = "matched";
    private const int RowsPerRequest = 10;

    private static readonly FeatureSchema Schema = new(
        [.. Enumerable.Range(0, 7).Select(i => new FeatureSpec($"n{i}", FeatureType.Numeric)), .. Enumerable.Range(0, 3).Select(i => new FeatureSpec($"c{i}", FeatureType.Categorical))]);

    private readonly StackFixture _stack;
    private readonly ITestOutputHelper _output;

    public FeedbackMatchingStorageTests(StackFixture stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
    }

    [Fact]
    public async Task Match_LoggedIdsAndRows_MatchAndTheRestAreListed()
    {
        var log = await LogAsync(requests: 50, failed: ["failed-request"]);
        var matcher = Matcher(log);

        var match = await matcher.MatchAsync(Model, [
            Item("req-3", 0), Item("req-3", 9), Item("req-49", 4), Item("req-3", 10), Item("never-sent", 0), Item("failed-request", 0), Item("never-sent", 1),
        ], CancellationToken.None);

        Assert.Equal(3, match.Matched);
        Assert.Equal(["req-3", "never-sent", "failed-request"], match.UnmatchedIds);
        Assert.Equal(0, match.MoreUnmatchedIds);
        Assert.Equal(0, match.BlocksDecoded);
    }

    [Fact]
    public async Task Match_ManyUnknownIds_ListsAHundredAndCountsTheRest()
    {
        var log = await LogAsync(requests: 5);

        var match = await Matcher(log).MatchAsync(Model, [.. Enumerable.Range(0, 250).Select(i => Item($"unknown-{i}", 0)), Item("req-1", 1)], CancellationToken.None);

        Assert.Equal(1, match.Matched);
        Assert.Equal(FeedbackMatcher.MaxListedIds, match.UnmatchedIds!.Count);
        Assert.Equal(150, match.MoreUnmatchedIds);
    }

    [Fact]
    public async Task Match_PredictionLoggedBeforeTheWindow_DoesNotMatch()
    {
        var log = await LogAsync(requests: 3, loggedAt: new FixedClock(DateTimeOffset.UtcNow.AddHours(-3)));

        var match = await Matcher(log, windowHours: 1).MatchAsync(Model, [Item("req-1", 0)], CancellationToken.None);

        Assert.Equal(0, match.Matched);
        Assert.Equal(["req-1"], match.UnmatchedIds);
    }

    [Fact]
    public async Task Match_BlockWrittenWithoutAnIndex_IsDecodedInstead()
    {
        var log = await LogAsync(requests: 20);
        var table = log.Service.GetTableClient(InferenceLogKeys.TableName(log.Options.TablePrefix, DateTimeOffset.UtcNow));
        var stripped = 0;
        await foreach (var block in table.QueryAsync<TableEntity>())
        {
            foreach (var name in Enumerable.Range(0, InferenceLogBlockFormat.MaxIdsParts).Select(InferenceLogBlockFormat.IdsPartName))
            {
                block.Remove(name);
            }

            await table.UpdateEntityAsync(block, block.ETag, TableUpdateMode.Replace);
            stripped++;
        }

        var match = await Matcher(log).MatchAsync(Model, [Item("req-7", 3), Item("req-7", 12)], CancellationToken.None);

        Assert.Equal(1, match.Matched);
        Assert.Equal(["req-7"], match.UnmatchedIds);
        Assert.InRange(match.BlocksDecoded, 1, stripped);
    }

    [Fact]
    public async Task Match_WindowHoldsMoreRequestsThanTheBudget_IsUnknownUnlessEverythingMatched()
    {
        var log = await LogAsync(requests: 40);

        var unknown = await Matcher(log, maxRequests: 5).MatchAsync(Model, [Item("req-1", 0), Item("never-sent", 0)], CancellationToken.None);
        var allFound = await Matcher(log, maxRequests: 5).MatchAsync(Model, [Item("req-1", 0), Item("req-2", 9)], CancellationToken.None);
        var off = await Matcher(log, maxRequests: 0).MatchAsync(Model, [Item("req-1", 0)], CancellationToken.None);

        Assert.Null(unknown.Matched);
        Assert.Null(unknown.UnmatchedIds);
        Assert.Equal(2, allFound.Matched);
        Assert.Null(off.Matched);
    }

    /// <summary>The figure for the notes: 100 ids against ~100k logged rows, index search vs decoding every block of the window.</summary>
    [Fact]
    public async Task Measure_HundredIdsAgainstAHundredThousandRows_ReadsAFractionOfDecodingTheWindow()
    {
        const int requests = 10_000;
        var log = await LogAsync(requests);
        var random = new Random(5);
        var logged = Enumerable.Range(0, 100).Select(_ => Item($"req-{random.Next(requests)}", random.Next(RowsPerRequest))).ToList();
        var mixed = logged.Take(90).Concat(Enumerable.Range(0, 10).Select(i => Item($"never-sent-{i}", 0))).ToList();

        var (allMatched, allBytes, allSeconds) = await MeasureAsync(log, matcher => matcher.MatchAsync(Model, logged, CancellationToken.None));
        var (someUnmatched, searchBytes, searchSeconds) = await MeasureAsync(log, matcher => matcher.MatchAsync(Model, mixed, CancellationToken.None));
        var (decoded, decodeBytes, decodeSeconds) = await MeasureAsync(log, async _ =>
        {
            var reader = new InferenceLogReader(log.CountingService, Options.Create(log.Options));
            var rows = 0;
            await foreach (var record in reader.ReadUnorderedAsync(Model, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddMinutes(1)))
            {
                rows++;
            }

            return rows;
        });

        _output.WriteLine($"{requests * RowsPerRequest:N0} rows logged ({requests:N0} requests of {RowsPerRequest} rows, {Schema.Count} features)");
        _output.WriteLine($"100 ids, 90 logged + 10 unknown (full index search): {searchBytes / 1e3:N0} kB read, {searchSeconds * 1e3:N0} ms, matched {someUnmatched.Matched}, {someUnmatched.RequestsSearched:N0} requests searched");
        _output.WriteLine($"100 ids, all logged (stops once all matched): {allBytes / 1e3:N0} kB read, {allSeconds * 1e3:N0} ms, matched {allMatched.Matched}, {allMatched.RequestsSearched:N0} requests searched");
        _output.WriteLine($"decoding every block of the window: {decodeBytes / 1e3:N0} kB read, {decodeSeconds * 1e3:N0} ms, {decoded:N0} rows");
        Assert.Equal(requests * RowsPerRequest, decoded);
        Assert.Equal(100, allMatched.Matched);
        Assert.Equal(90, someUnmatched.Matched);
        Assert.Equal(10, someUnmatched.UnmatchedIds!.Count);
        Assert.Equal(0, someUnmatched.BlocksDecoded);
        Assert.True(searchBytes * 20 < decodeBytes, $"the index search read {searchBytes:N0} bytes, decoding {decodeBytes:N0}");
    }

    private static FeedbackRecord Item(string id, int row) => new(id, row, "1", DateTimeOffset.UtcNow);

    private static FeedbackMatcher Matcher(LoggedWindow log, int windowHours = 2, long maxRequests = 1_000_000) =>
        new(log.CountingService, Options.Create(log.Options), Options.Create(new MonitoringOptions { WindowHours = windowHours, FeedbackMatchMaxRequests = maxRequests }),
            TimeProvider.System);

    private static async Task<(T Result, long Bytes, double Seconds)> MeasureAsync<T>(LoggedWindow log, Func<FeedbackMatcher, Task<T>> run)
    {
        log.Counter.Reset();
        var started = Stopwatch.GetTimestamp();
        var result = await run(Matcher(log));
        return (result, log.Counter.Bytes, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Logs requests <c>req-0</c>… of <see cref="RowsPerRequest"/> rows each (and failed ones) through the real writer into fresh tables.</summary>
    private async Task<LoggedWindow> LogAsync(int requests, IReadOnlyList<string>? failed = null, TimeProvider? loggedAt = null)
    {
        var options = new InferenceLogOptions { TablePrefix = "fb" + Guid.NewGuid().ToString("N")[..10], BufferCapacity = Math.Max(1_000, requests * RowsPerRequest) };
        var service = new TableServiceClient(_stack.ConnectionString);
        var wrapped = Options.Create(options);
        using var buffer = new InferenceLogBuffer(wrapped);
        var logger = new InferenceLogger(wrapped, buffer, loggedAt ?? TimeProvider.System);
        using var writer = new InferenceLogWriter(wrapped, buffer, new TableInferenceLogSink(service), TimeProvider.System, NullLogger<InferenceLogWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var version = new ModelVersion(Model, "1", "test", 1, DateTimeOffset.UtcNow, null, [], [], $"{Model}/1/model.onnx");
        var random = new Random(3);
        for (var r = 0; r < requests; r++)
        {
            var capture = logger.Begin(InferenceLogSource.Predict, Model, null, $"req-{r}");
            var (batch, predictions) = Request(random);
            capture.RecordTabular(version, batch, predictions);
            logger.Complete(capture);
        }

        foreach (var id in failed ?? [])
        {
            logger.Fail(logger.Begin(InferenceLogSource.Predict, Model, null, id), new InvalidOperationException("refused"));
        }

        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(requests * RowsPerRequest + (failed?.Count ?? 0), buffer.Counters.Written);
        var counter = new ByteCounter();
        var counting = new TableClientOptions();
        counting.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        return new LoggedWindow(options, service, new TableServiceClient(_stack.ConnectionString, counting), counter);
    }

    private static (FeatureBatch Batch, TabularPrediction[] Predictions) Request(Random random)
    {
        var batch = new FeatureBatch(Schema, RowsPerRequest);
        var predictions = new TabularPrediction[RowsPerRequest];
        for (var row = 0; row < RowsPerRequest; row++)
        {
            var cells = new Dictionary<string, string?>();
            for (var i = 0; i < 7; i++)
            {
                cells[$"n{i}"] = Math.Round(random.NextDouble() * 100, 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            for (var i = 0; i < 3; i++)
            {
                cells[$"c{i}"] = "abcdef"[random.Next(6)].ToString();
            }

            Assert.True(batch.AddRow(cells));
            var probability = Math.Round(random.NextDouble(), 4);
            predictions[row] = new TabularPrediction { Label = probability >= 0.5 ? "1" : "0", Probability = probability, Scores = [1 - probability, probability] };
        }

        return (batch, predictions);
    }

    private sealed record LoggedWindow(InferenceLogOptions Options, TableServiceClient Service, TableServiceClient CountingService, ByteCounter Counter);

    /// <summary>Counts the bytes of every response body the table client receives.</summary>
    private sealed class ByteCounter : HttpPipelineSynchronousPolicy
    {
        private long _bytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        public void Reset() => Interlocked.Exchange(ref _bytes, 0);

        public override void OnReceivedResponse(HttpMessage message)
        {
            if (message.Response.ContentStream is { CanSeek: true } content)
            {
                Interlocked.Add(ref _bytes, content.Length);
            }
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
