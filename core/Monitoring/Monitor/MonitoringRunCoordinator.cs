using Microsoft.Extensions.Logging;
using Serverless.Core.Errors;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>The monitoring run itself, as <see cref="MonitoringRunCoordinator"/> starts it (<see cref="MonitoringRunner"/>).</summary>
public interface IMonitoringRunner
{
    /// <summary>Runs the monitor for one model (or every model when <paramref name="onlyModel"/> is null) under <paramref name="runId"/>.</summary>
    Task<MonitoringRunResult> RunAsync(string? onlyModel, string runId, CancellationToken cancellationToken);
}

/// <summary>A lock that keeps monitoring runs of several instances apart (<see cref="BlobLeaseRunLock"/>).</summary>
public interface IMonitoringRunLock
{
    /// <summary>The held lock (dispose to release), or null when another instance holds it.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(CancellationToken cancellationToken);
}

/// <summary>A run's result, and whether this caller joined a run already under way rather than starting one.</summary>
public sealed record MonitoringRunOutcome(MonitoringRunResult Result, bool Joined);

/// <summary>
/// Single-flight for monitoring runs, whoever asks (the timer, <c>POST api/monitoring/runs</c>): at most one run per
/// instance at a time, and across instances at most one holding <see cref="IMonitoringRunLock"/>. A request for the
/// same scope as the run under way (the same model, or every model) joins it: it awaits the same run and gets its
/// result (<see cref="MonitoringRunOutcome.Joined"/>), whose window ended when that run began. A request for another
/// scope is refused with a <see cref="ServingException"/> 409 naming the run under way (running it beside the other
/// would double the memory a run may take and report the shared models twice), as is any request while another
/// instance holds the lock. The run itself is not tied to any caller's cancellation (a caller that goes away stops
/// waiting; the run carries on for the others and stops when the coordinator is disposed). Thread-safe; one per process.
/// </summary>
public sealed class MonitoringRunCoordinator : IDisposable
{
    private readonly IMonitoringRunner _runner;
    private readonly IMonitoringRunLock _runLock;
    private readonly TimeProvider _clock;
    private readonly ILogger<MonitoringRunCoordinator> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Running? _running;

    public MonitoringRunCoordinator(IMonitoringRunner runner, IMonitoringRunLock runLock, TimeProvider clock, ILogger<MonitoringRunCoordinator> logger)
    {
        _runner = runner;
        _runLock = runLock;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>The run under way in this instance: its id and model (null: every model); null when none is.</summary>
    public (string RunId, string? Model)? Current
    {
        get
        {
            lock (_gate)
            {
                return _running is { } running ? (running.RunId, running.Model) : null;
            }
        }
    }

    /// <summary>Starts a run for <paramref name="model"/> (null: every model) or joins the one under way for the same scope.</summary>
    /// <exception cref="ServingException">409: a run for another scope is under way here, or another instance is running one.</exception>
    public async Task<MonitoringRunOutcome> RunAsync(string? model, CancellationToken cancellationToken)
    {
        Running running;
        bool joined;
        lock (_gate)
        {
            if (_running is { } current)
            {
                if (!string.Equals(current.Model, model, StringComparison.Ordinal))
                {
                    throw ServingException.Conflict(
                        $"Monitoring run {current.RunId} ({Scope(current.Model)}) is under way; a run for {Scope(model)} was not started. Retry when it has finished.");
                }

                running = current;
                joined = true;
            }
            else
            {
                var runId = MonitoringRunner.NewRunId(_clock.GetUtcNow());
                running = new Running(model, runId, Task.Run(() => ExecuteAsync(model, runId)));
                _running = running;
                joined = false;
            }
        }

        if (joined)
        {
            _logger.LogInformation("Monitoring request for {Scope} joined run {RunId}, already under way.", Scope(model), running.RunId);
        }

        return new MonitoringRunOutcome(await running.Task.WaitAsync(cancellationToken).ConfigureAwait(false), joined);
    }

    /// <summary>The timer's run of every model: joins one under way for every model; skips (null) when a run of one model, or another instance's run, is under way.</summary>
    public async Task<MonitoringRunOutcome?> RunScheduledAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (ServingException e) when (e.Kind == ServingErrorKind.Conflict)
        {
            _logger.LogInformation("Scheduled monitoring run skipped: {Reason}", e.Message);
            return null;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task<MonitoringRunResult> ExecuteAsync(string? model, string runId)
    {
        try
        {
            var held = await _runLock.TryAcquireAsync(_stopping.Token).ConfigureAwait(false)
                ?? throw ServingException.Conflict(
                    $"A monitoring run is under way on another instance (it holds the run lock); run {runId} for {Scope(model)} was not started. Retry when it has finished.");
            await using (held.ConfigureAwait(false))
            {
                return await _runner.RunAsync(model, runId, _stopping.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_gate)
            {
                if (_running?.RunId == runId)
                {
                    _running = null;
                }
            }
        }
    }

    private static string Scope(string? model) => model is null ? "every model" : $"model '{model}'";

    private sealed record Running(string? Model, string RunId, Task<MonitoringRunResult> Task);
}
