using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Local.Catalog;
using Serverless.Local.Timers;

namespace Serverless.Tests.LocalRunner;

public sealed class TimerFunctionSchedulerTests
{
    [Fact]
    public async Task Scheduler_RunsOnStartupThenOnSchedule_WithScheduleStatus()
    {
        var services = new ServiceCollection().AddSingleton(new SampleDependency()).BuildServiceProvider();
        var scheduler = new TimerFunctionScheduler(FunctionCatalog.FromAssembly(typeof(SampleFunctions).Assembly),
            services.GetRequiredService<IServiceScopeFactory>(), new ConfigurationBuilder().Build(), TimeProvider.System,
            NullLogger<TimerFunctionScheduler>.Instance);
        var before = SampleFunctions.TimerRuns;

        await scheduler.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (SampleFunctions.TimerRuns < before + 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await scheduler.StopAsync(CancellationToken.None);

        Assert.True(SampleFunctions.TimerRuns >= before + 3, $"timer ran {SampleFunctions.TimerRuns - before} times in 10 s");
        var status = SampleFunctions.LastTimer!.ScheduleStatus!;
        Assert.Equal(TimeSpan.FromSeconds(1), status.Next - status.LastUpdated);
    }
}
