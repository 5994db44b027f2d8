using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Core.Buffers;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Serving;
using Serverless.Core.Tabular;

namespace Serverless.Bench.Allocations;

/// <summary>
/// Bytes allocated per call by core's serving path in process, without HTTP: the request thread's own allocations
/// (<c>GC.GetAllocatedBytesForCurrentThread</c>) with logging off and on, and the inference log writer's (the process's
/// allocations while it drains, less nothing else running), over the records API and OIP infer on each bench model with its manifest.
/// </summary>
public static class InProcessAllocations
{
    private const int Calls = 20_000;

    public static async Task<string> RunAsync(IReadOnlyList<BenchModel> models)
    {
        var page = new StringBuilder();
        page.AppendLine("| model | call | request thread, logging off B/call | request thread, logging on B/call | writer B/call |");
        page.AppendLine("|---|---|---:|---:|---:|");
        var options = Options.Create(new InferenceLogOptions());
        using var buffer = new InferenceLogBuffer(options);
        var logger = new InferenceLogger(options, buffer, TimeProvider.System);
        using var writer = new InferenceLogWriter(options, buffer, new DiscardingSink(), TimeProvider.System, NullLogger<InferenceLogWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        foreach (var bench in models)
        {
            var model = ServingSessions.CreateLoadedModel(bench);
            var tabular = TabularModel.Bind(ModelManifest.Parse(Encoding.UTF8.GetBytes(bench.Manifest)), model.Version);
            var calls = new (string Name, Action<InferenceLogCapture?> Call, string Source)[]
            {
                ("records predict", log =>
                {
                    using var output = new PooledBufferWriter(1024);
                    log?.EnsureRequestId();
                    TabularPredictionService.Predict(tabular, model, bench.PredictBody, output, log);
                }, InferenceLogSource.Predict),
                ("OIP infer", log =>
                {
                    using var output = new PooledBufferWriter(1024);
                    InferenceService.Infer(model, bench.Body, output, log, tabular);
                }, InferenceLogSource.Infer),
            };
            foreach (var (name, call, source) in calls)
            {
                var off = PerCall(() => call(null));
                var on = PerCall(() =>
                {
                    var log = logger.Begin(source, bench.Name, null, null);
                    call(log);
                    logger.Complete(log);
                });
                await writer.FlushAsync();
                var writerBefore = GC.GetTotalAllocatedBytes(precise: true);
                var threadBefore = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < Calls; i++)
                {
                    var log = logger.Begin(source, bench.Name, null, null);
                    call(log);
                    logger.Complete(log);
                }

                var requestThread = GC.GetAllocatedBytesForCurrentThread() - threadBefore;
                await writer.FlushAsync();
                var writerBytes = (GC.GetTotalAllocatedBytes(precise: true) - writerBefore - requestThread) / (double)Calls;
                var line = $"| {bench.Name} | {name} | {off:F0} | {on:F0} | {writerBytes:F0} |";
                Progress.Write(line);
                page.AppendLine(line);
            }

            model.Session.Dispose();
        }

        await writer.StopAsync(CancellationToken.None);
        return page.ToString();
    }

    private static double PerCall(Action call)
    {
        for (var i = 0; i < 2000; i++)
        {
            call();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            call();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
    }

    private sealed class DiscardingSink : IInferenceLogSink
    {
        public Task WriteAsync(InferenceLogBlock block, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
