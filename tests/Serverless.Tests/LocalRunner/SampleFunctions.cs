using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Tests.LocalRunner;

/// <summary>Functions declared the way the app declares them, for the runner's catalog, invoker and scheduler.</summary>
public sealed class SampleFunctions
{
    private static int s_timerRuns;
    private static TimerInfo? s_lastTimer;

    private readonly SampleDependency _dependency;

    public SampleFunctions(SampleDependency dependency)
    {
        _dependency = dependency;
    }

    public static int TimerRuns => Volatile.Read(ref s_timerRuns);

    public static TimerInfo? LastTimer => Volatile.Read(ref s_lastTimer);

    [Function("SampleTimer")]
    public void OnTimer([TimerTrigger("*/1 * * * * *", RunOnStartup = true)] TimerInfo timer)
    {
        Volatile.Write(ref s_lastTimer, timer);
        Interlocked.Increment(ref s_timerRuns);
    }

    [Function("SampleDouble")]
    public Task<IActionResult> Double(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = "items/{id:int}/double")] HttpRequest request, int id, CancellationToken cancellationToken) =>
        Task.FromResult<IActionResult>(new OkObjectResult(new { id, doubled = id * _dependency.Factor, cancellable = cancellationToken.CanBeCanceled }));
}

public sealed class SampleDependency
{
    public int Factor { get; init; } = 2;
}
