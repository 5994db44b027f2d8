using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Graphs;
using Serverless.Core.Registry;

namespace Serverless.Core.Serving;

/// <summary>
/// At start-up, loads and warms every version an alias points to (for an inference graph, every member it resolves to), then marks
/// the process ready. Storage
/// outages are retried with backoff (the process stays not-ready meanwhile); a version that fails to load is
/// logged and skipped, so one bad model cannot keep every other one from serving.
/// </summary>
public sealed class ModelWarmupService : BackgroundService
{
    private readonly IModelRegistry _registry;
    private readonly ModelResolver _resolver;
    private readonly ModelSessionCache _sessions;
    private readonly GraphService _graphs;
    private readonly ServingReadiness _readiness;
    private readonly ServingOptions _options;
    private readonly ILogger<ModelWarmupService> _logger;

    public ModelWarmupService(IModelRegistry registry, ModelResolver resolver, ModelSessionCache sessions, GraphService graphs, ServingReadiness readiness,
        IOptions<ServingOptions> options, ILogger<ModelWarmupService> logger)
    {
        _graphs = graphs;
        _registry = registry;
        _resolver = resolver;
        _sessions = sessions;
        _readiness = readiness;
        _options = options.Value;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (_options.WarmAliasesOnStartup)
        {
            await WarmAliasedVersionsAsync(stoppingToken).ConfigureAwait(false);
        }

        _readiness.Complete(ServingReadiness.ModelsGate);
        _logger.LogInformation("Models warmed after {ElapsedMs:F0} ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task WarmAliasedVersionsAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                _readiness.Report("reading aliases from the registry");
                var aliases = await _registry.ListAliasesAsync(null, stoppingToken).ConfigureAwait(false);
                // Each aliased version, and what each aliased model's unversioned route serves.
                var targets = aliases.SelectMany(a => a.Traffic.Shares.Select(s => (a.ModelName, (string?)s.Version)))
                    .Concat(aliases.Select(a => (a.ModelName, (string?)null)))
                    .Distinct()
                    .ToList();
                var done = 0;
                foreach (var (name, version) in targets)
                {
                    _readiness.Report($"warming {name} version {version ?? "(default)"} ({++done}/{targets.Count})");
                    try
                    {
                        var resolved = await _resolver.ResolveAsync(name, version, stoppingToken).ConfigureAwait(false);
                        if (resolved.IsGraph)
                        {
                            await _graphs.WarmAsync(resolved, _sessions, stoppingToken).ConfigureAwait(false);
                        }
                        else
                        {
                            using var lease = await _sessions.AcquireAsync(resolved, stoppingToken).ConfigureAwait(false);
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _logger.LogError(e, "Could not warm model {Model} version {Version}; it stays unloaded", name, version);
                    }
                }

                return;
            }
            catch (Azure.RequestFailedException e)
            {
                _logger.LogWarning("Registry not reachable during warm-up ({Reason}); retrying in {Delay}", e.Message, delay);
            }
            catch (AggregateException e) when (e.InnerException is Azure.RequestFailedException)
            {
                _logger.LogWarning("Registry not reachable during warm-up ({Reason}); retrying in {Delay}", e.InnerException.Message, delay);
            }

            await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 10_000));
        }
    }
}
