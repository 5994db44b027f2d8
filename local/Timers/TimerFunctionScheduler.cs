using Microsoft.Azure.Functions.Worker;
using Serverless.Local.Catalog;
using Serverless.Local.Console;

namespace Serverless.Local.Timers;

/// <summary>
/// Fires timer-triggered functions on their schedules (and once at start-up when RunOnStartup is set), each
/// invocation in its own DI scope with a <see cref="TimerInfo"/>. A failing invocation is logged; the
/// schedule goes on. One loop per function, so a slow function delays only its own next run. While storage is
/// unreachable (<see cref="StorageReachability"/>, which has said so on the console once) a due run is skipped and a
/// run that fails because storage went away is logged at debug level: every timer function needs storage.
/// </summary>
internal sealed class TimerFunctionScheduler : BackgroundService
{
    private readonly FunctionCatalog _catalog;
    private readonly IServiceScopeFactory _scopes;
    private readonly IConfiguration _configuration;
    private readonly TimeProvider _clock;
    private readonly ILogger<TimerFunctionScheduler> _logger;
    private readonly StorageReachability? _storage;

    public TimerFunctionScheduler(FunctionCatalog catalog, IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock,
        ILogger<TimerFunctionScheduler> logger, StorageReachability? storage = null)
    {
        _catalog = catalog;
        _scopes = scopes;
        _configuration = configuration;
        _clock = clock;
        _logger = logger;
        _storage = storage;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_catalog.OfKind(TriggerKind.Timer).Select(f => RunScheduleAsync(f, stoppingToken)));

    private async Task RunScheduleAsync(FunctionDescriptor function, CancellationToken stoppingToken)
    {
        var trigger = (TimerTriggerAttribute)function.TriggerAttribute!;
        var schedule = TimerSchedule.Parse(trigger.Schedule, _configuration);
        var invoker = FunctionInvoker.Create(function);
        var last = _clock.GetUtcNow().UtcDateTime;
        if (trigger.RunOnStartup)
        {
            await InvokeAsync(invoker, last, schedule.Next(last), last, stoppingToken).ConfigureAwait(false);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var next = schedule.Next(_clock.GetUtcNow().UtcDateTime);
            var delay = next - _clock.GetUtcNow().UtcDateTime;
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _clock, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await InvokeAsync(invoker, last, schedule.Next(next), next, stoppingToken).ConfigureAwait(false);
            last = next;
        }
    }

    private async Task InvokeAsync(FunctionInvoker invoker, DateTime last, DateTime next, DateTime firedAt, CancellationToken stoppingToken)
    {
        var timer = new TimerInfo
        {
            IsPastDue = _clock.GetUtcNow().UtcDateTime - firedAt > TimeSpan.FromSeconds(30),
            ScheduleStatus = new ScheduleStatus { Last = last, Next = next, LastUpdated = firedAt },
        };
        if (_storage?.IsDown == true)
        {
            _logger.LogDebug("Skipped '{Function}' (timer fired at {FiredAt:O}): storage is unreachable", invoker.Function.Name, firedAt);
            return;
        }

        _logger.LogInformation("Executing '{Function}' (Reason='Timer fired at {FiredAt:O}')", invoker.Function.Name, firedAt);
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await invoker.InvokeAsync(new InvocationContext(scope.ServiceProvider, null, timer, stoppingToken)).ConfigureAwait(false);
            _logger.LogInformation("Executed '{Function}' (Succeeded)", invoker.Function.Name);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            if (_storage is not null && (_storage.IsDown || (await _storage.UnreachableAsync(stoppingToken).ConfigureAwait(false)).Count > 0))
            {
                _logger.LogDebug(e, "Executed '{Function}' (Failed while storage is unreachable)", invoker.Function.Name);
                return;
            }

            _logger.LogError(e, "Executed '{Function}' (Failed)", invoker.Function.Name);
        }
    }
}
