using DurableTask.Core;
using DurableTask.Core.Command;
using DurableTask.Core.Middleware;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Shims;
using Serverless.Local.Catalog;
using Serverless.Local.Console;

namespace Serverless.Local.Durable;

/// <summary>
/// Runs the app's <c>[OrchestrationTrigger]</c> and <c>[ActivityTrigger]</c> functions on the Durable Task
/// engine (<see cref="TaskHubWorker"/>) through durabletask-dotnet's shims, the same orchestration context
/// and replay rules the isolated worker gives them in Azure.
/// </summary>
internal sealed class DurableTaskWorkerHost : IHostedService, IAsyncDisposable
{
    private readonly FunctionCatalog _catalog;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private TaskHubWorker? _worker;

    public DurableTaskWorkerHost(FunctionCatalog catalog, IServiceProvider services, ILoggerFactory loggers)
    {
        _catalog = catalog;
        _services = services;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Durable");
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var orchestrators = _catalog.OfKind(TriggerKind.Orchestration).ToList();
        var activities = _catalog.OfKind(TriggerKind.Activity).ToList();
        if (orchestrators.Count == 0 && activities.Count == 0)
        {
            return;
        }

        var hub = _services.GetRequiredService<DurableTaskHub>();
        await hub.Service.CreateIfNotExistsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var shims = new DurableTaskShimFactory(null, _loggers);
        var scopes = _services.GetRequiredService<IServiceScopeFactory>();
        _worker = new TaskHubWorker(hub.Service, _loggers) { ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails };
        var ends = _services.GetRequiredService<OrchestrationEndSignals>();
        _worker.AddOrchestrationDispatcherMiddleware(async (context, next) =>
        {
            await next().ConfigureAwait(false);
            if (EndsInstance(context) && context.GetProperty<OrchestrationInstance>()?.InstanceId is { } instanceId)
            {
                ends.Signal(instanceId);
            }
        });
        _worker.AddTaskOrchestrations(orchestrators.Select(f =>
        {
            var invoker = FunctionInvoker.Create(f);
            return (ObjectCreator<TaskOrchestration>)new FactoryObjectCreator<TaskOrchestration>(
                f.Name, () => shims.CreateOrchestration(new TaskName(f.Name), new FunctionOrchestrator(invoker, _services), null));
        }).ToArray());
        _worker.AddTaskActivities(activities.Select(f =>
        {
            var invoker = FunctionInvoker.Create(f);
            return (ObjectCreator<TaskActivity>)new FactoryObjectCreator<TaskActivity>(
                f.Name, () => shims.CreateActivity(new TaskName(f.Name), new FunctionActivity(invoker, scopes)));
        }).ToArray());
        await _worker.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Durable Task worker started on task hub {Hub}: {Orchestrators} orchestrator(s), {Activities} activit(ies)",
            hub.HubName, orchestrators.Count, activities.Count);
    }

    /// <summary>True when the episode just run decided to end its instance (the engine commits that after this middleware returns).</summary>
    internal static bool EndsInstance(DispatchMiddlewareContext context) =>
        context.GetProperty<OrchestratorExecutionResult>()?.Actions?.Any(a => a is OrchestrationCompleteOrchestratorAction) == true;

    /// <summary>
    /// Stops the worker, releasing its partition leases. Bounded by <paramref name="cancellationToken"/> (the host's
    /// shutdown grace): with storage gone the engine would retry the releases for a minute, and the leases expire anyway.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var worker = Interlocked.Exchange(ref _worker, null);
        if (worker is null)
        {
            return;
        }

        // With storage known to be gone there is nothing to release: do not wait the whole grace for the engine's retries.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_services.GetService<StorageReachability>()?.IsDown == true)
        {
            bound.CancelAfter(TimeSpan.FromMilliseconds(500));
        }

        try
        {
            await worker.StopAsync(isForced: true).WaitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            _logger.LogDebug("The Durable Task worker did not stop within the shutdown grace; its partition leases expire on their own.");
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
