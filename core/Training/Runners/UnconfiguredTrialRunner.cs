namespace Serverless.Core.Training.Runners;

/// <summary>
/// A runner whose trainer is not configured (the torch trainer's job under <c>container-apps</c> without
/// <c>Training:Torch:JobName</c>): every start throws the reason, naming the setting; it has no executions. Stateless.
/// </summary>
internal sealed class UnconfiguredTrialRunner(string kind, string reason) : ITrialRunner
{
    public string Kind => kind;

    public Task<TrialExecution> StartAsync(TrialSpec spec, string specUri, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(reason);

    public Task<TrialExecutionStatus> GetStatusAsync(TrialExecution execution, CancellationToken cancellationToken) =>
        Task.FromResult(new TrialExecutionStatus(TrialState.Failed, reason));

    public Task CancelAsync(TrialExecution execution, CancellationToken cancellationToken) => Task.CompletedTask;
}
