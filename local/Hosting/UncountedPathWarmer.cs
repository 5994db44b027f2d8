using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Telemetry;

namespace Serverless.Local.Hosting;

/// <summary>
/// Warms, in process, what a real request runs and the warm-up's own requests skip because they are not traffic: the
/// app's metrics (their instruments are created on first use, and recording compiles on first call), the inference
/// log's per-model sample rate, and the log writer's wake-up. Records nothing: the metrics are recorded on a private
/// meter outside <see cref="AppMetrics.MeterWildcard"/>, and the writer is asked to flush while it holds no records.
/// Without it, the first real request after ready compiled these (tier 0) and ran the metrics' static set-up. What the
/// writer does with a record (packing it into a block) is compiled by the warm-up requests themselves
/// (<see cref="InferenceLogger"/> packs their captures and throws the blocks away).
/// </summary>
internal static class UncountedPathWarmer
{
    private const string MeterName = "Local.Warmup";

    public static async Task WarmAsync(IServiceProvider services, IEnumerable<string> models, CancellationToken cancellationToken)
    {
        RuntimeHelpers.RunClassConstructor(typeof(AppMetrics).TypeHandle);
        RuntimeHelpers.PrepareMethod(typeof(AppMetrics).GetMethod(nameof(AppMetrics.RecordInference))!.MethodHandle);
        using (var meter = new Meter(MeterName))
        {
            var requests = meter.CreateCounter<long>("requests");
            var duration = meter.CreateHistogram<double>("duration");
            var tags = new TagList { { "model", "" }, { "version", "" }, { "api", "" }, { "outcome", "" } };
            requests.Add(1, tags);
            duration.Record(0, tags);
        }

        // The log buffer wakes its writer so.
        new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously).TrySetResult(true);

        var options = services.GetRequiredService<IOptions<InferenceLogOptions>>().Value;
        foreach (var model in models)
        {
            _ = options.SampleRateFor(model);
        }

        if (options.Enabled)
        {
            await services.GetRequiredService<InferenceLogWriter>().TryFlushAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }
}
