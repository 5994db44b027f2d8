using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Bench.Tabular;
using Serverless.Core.Buffers;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Onnx;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;

namespace Serverless.Bench.Logging;

/// <summary>
/// The cost of logging without HTTP or storage: core's serving path (records API and OIP) called in-process, off vs
/// on, where "on" is the request-path hook (begin, record, enqueue) with the real <see cref="InferenceLogWriter"/>
/// building and compressing every block in the background and handing them to a sink that discards them.
/// Single-thread latency shows the hook and the writer's interference with the request thread; the all-core
/// throughput also pays for the background serialisation.
/// </summary>
public static class InProcessLogging
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    public static async Task<IReadOnlyList<InProcessResult>> RunAsync()
    {
        var session = new InferenceSession(TabularBenchData.Onnx);
        var signature = SignatureReader.Read(session);
        var version = new ModelVersion(TabularBenchData.Model, "1", Convert.ToHexStringLower(SHA256.HashData(TabularBenchData.Onnx)), TabularBenchData.Onnx.Length,
            DateTimeOffset.UtcNow, null, signature.Inputs, signature.Outputs, $"{TabularBenchData.Model}/1/model.onnx");
        var model = new LoadedModel(version, session, new ColdStartTimings(0, 0, 0, DateTimeOffset.UtcNow));
        var tabular = TabularModel.Bind(ModelManifest.Parse(Encoding.UTF8.GetBytes(TabularBenchData.Manifest)), version);
        var row = Enumerable.Range(0, TabularBenchData.Features).Select(i => (float)Math.Round(Math.Sin(i + 1), 4)).ToArray();
        var predictBody = TabularBenchData.PredictBody(row);
        var inferBody = TabularBenchData.InferBody(row);

        var options = Options.Create(new InferenceLogOptions());
        using var buffer = new InferenceLogBuffer(options);
        var logger = new InferenceLogger(options, buffer, TimeProvider.System);
        var sink = new DiscardingSink();
        using var writer = new InferenceLogWriter(options, buffer, sink, TimeProvider.System, NullLogger<InferenceLogWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);

        int PredictOff()
        {
            using var output = new PooledBufferWriter(1024);
            TabularPredictionService.Predict(tabular, model, predictBody, output);
            return output.WrittenCount;
        }

        int PredictOn()
        {
            var log = logger.Begin(InferenceLogSource.Predict, TabularBenchData.Model, null, null);
            log.EnsureRequestId();
            using var output = new PooledBufferWriter(1024);
            TabularPredictionService.Predict(tabular, model, predictBody, output, log);
            logger.Complete(log);
            return output.WrittenCount;
        }

        int InferOff()
        {
            using var output = new PooledBufferWriter(1024);
            InferenceService.Infer(model, inferBody, output);
            return output.WrittenCount;
        }

        int InferOn()
        {
            var log = logger.Begin(InferenceLogSource.Infer, TabularBenchData.Model, null, null);
            using var output = new PooledBufferWriter(1024);
            InferenceService.Infer(model, inferBody, output, log);
            logger.Complete(log);
            return output.WrittenCount;
        }

        var results = new List<InProcessResult>();
        foreach (var (api, off, on) in new (string, Func<int>, Func<int>)[] { ("records predict", PredictOff, PredictOn), ("OIP infer", InferOff, InferOn) })
        {
            var offLatency = InProcessLoop.Measure($"{api} off", off, Warmup, Budget, 2_000_000);
            var onLatency = InProcessLoop.Measure($"{api} on", on, Warmup, Budget, 2_000_000);
            var offThroughput = InProcessLoop.Throughput(off, Environment.ProcessorCount, Budget);
            var onThroughput = InProcessLoop.Throughput(on, Environment.ProcessorCount, Budget);
            await DrainAsync(buffer);
            results.Add(new InProcessResult(api, offLatency, onLatency, offThroughput, onThroughput));
            Progress.Write($"in-process {api}: mean {offLatency.MeanMs * 1000:F2} → {onLatency.MeanMs * 1000:F2} µs; " +
                           $"{Environment.ProcessorCount} threads {offThroughput:F0} → {onThroughput:F0} ops/s; counters {buffer.Counters}");
        }

        await writer.StopAsync(CancellationToken.None);
        session.Dispose();
        return results;
    }

    private static async Task DrainAsync(InferenceLogBuffer buffer)
    {
        while (buffer.Counters.Pending > 0)
        {
            await Task.Delay(5);
        }
    }

    private sealed class DiscardingSink : IInferenceLogSink
    {
        public Task WriteAsync(InferenceLogBlock block, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>One API's in-process figures: single-thread latency and all-core throughput, logging off and on.</summary>
public sealed record InProcessResult(string Api, Measurement OffLatency, Measurement OnLatency, double OffThroughput, double OnThroughput)
{
    public double ThroughputRatio => OnThroughput / OffThroughput;
}
