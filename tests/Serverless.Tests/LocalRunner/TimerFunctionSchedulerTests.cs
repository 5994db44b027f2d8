using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Serverless.Local.Catalog;
using Serverless.Local.Console;
using Serverless.Local.Timers;

namespace Serverless.Tests.LocalRunner;

public sealed class TimerFunctionSchedulerTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Scheduler_RunsOnStartupThenOnSchedule_WithScheduleStatus()
    {
        var start = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var services = new ServiceCollection().AddSingleton(new SampleDependency()).BuildServiceProvider();
        var scheduler = new TimerFunctionScheduler(FunctionCatalog.FromAssembly(typeof(SampleFunctions).Assembly),
            services.GetRequiredService<IServiceScopeFactory>(), new ConfigurationBuilder().Build(), clock,
            NullLogger<TimerFunctionScheduler>.Instance);
        var before = SampleFunctions.TimerRuns;

        await scheduler.StartAsync(CancellationToken.None);
        await WaitForRunsAsync(before + 1, clock, advance: TimeSpan.Zero);
        var onStartup = SampleFunctions.LastTimer!.ScheduleStatus!;
        await WaitForRunsAsync(before + 3, clock, advance: TimeSpan.FromMilliseconds(250));
        await scheduler.StopAsync(CancellationToken.None);

        Assert.Equal(start.UtcDateTime, onStartup.LastUpdated);
        var status = SampleFunctions.LastTimer!.ScheduleStatus!;
        Assert.True(status.LastUpdated > start.UtcDateTime, $"last fired at {status.LastUpdated:O}");
        Assert.Equal(0, status.LastUpdated.Ticks % TimeSpan.TicksPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(1), status.Next - status.LastUpdated);
    }

    [Fact]
    public async Task Scheduler_WhileStorageIsUnreachable_SkipsDueRuns_ThenRunsOnceItIsBack()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection().AddSingleton(new SampleDependency()).BuildServiceProvider();
        var storage = new StorageReachability([new Uri("http://127.0.0.1:1")], "start Azurite");
        storage.Set(down: true);
        var scheduler = new TimerFunctionScheduler(FunctionCatalog.FromAssembly(typeof(SampleFunctions).Assembly),
            services.GetRequiredService<IServiceScopeFactory>(), new ConfigurationBuilder().Build(), clock,
            NullLogger<TimerFunctionScheduler>.Instance, storage);
        var before = SampleFunctions.TimerRuns;

        await scheduler.StartAsync(CancellationToken.None);
        for (var i = 0; i < 20; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(5);
        }

        var whileDown = SampleFunctions.TimerRuns - before;
        storage.Set(down: false);
        await WaitForRunsAsync(before + 1, clock, advance: TimeSpan.FromMilliseconds(250));
        await scheduler.StopAsync(CancellationToken.None);

        Assert.Equal(0, whileDown);
    }

    /// <summary>Moves the fake clock on by <paramref name="advance"/> at a time until the timer has run <paramref name="runs"/> times in all.</summary>
    private static async Task WaitForRunsAsync(int runs, FakeTimeProvider clock, TimeSpan advance)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (SampleFunctions.TimerRuns < runs)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the timer ran {SampleFunctions.TimerRuns} times, not {runs}, by {clock.GetUtcNow():O}");
            if (advance > TimeSpan.Zero)
            {
                clock.Advance(advance);
            }

            await Task.Delay(5);
        }
    }
}
