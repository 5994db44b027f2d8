namespace Serverless.Core.Training;

/// <summary>
/// Where trials run. <see cref="StartAsync"/> launches one trial whose spec is already stored at a URI and returns
/// at once; the sweep orchestration then polls <see cref="GetStatusAsync"/> on durable timers until the trial
/// ends or times out (then <see cref="CancelAsync"/>). Implementations: a child process on this machine (the local
/// runner and tests) and an Azure Container Apps job execution started through ARM (Azure). Thread-safe.
/// Failures to reach the backend throw; a trial that ran and failed is a <see cref="TrialState.Failed"/> status.
/// </summary>
public interface ITrialRunner
{
    /// <summary>The runner's name as configured: <c>process</c> or <c>container-apps</c>.</summary>
    string Kind { get; }

    Task<TrialExecution> StartAsync(TrialSpec spec, string specUri, CancellationToken cancellationToken);

    Task<TrialExecutionStatus> GetStatusAsync(TrialExecution execution, CancellationToken cancellationToken);

    /// <summary>Stops the execution if it is still running; no error when it already ended.</summary>
    Task CancelAsync(TrialExecution execution, CancellationToken cancellationToken);
}

/// <summary>A started trial: which runner, and that runner's id for it (a process key, a job execution name).</summary>
public sealed record TrialExecution(string Runner, string ExecutionId, string TrialId);

/// <summary>Where a trial's execution stands.</summary>
public enum TrialState
{
    Running,
    Succeeded,
    Failed,
}

/// <summary>The state of an execution and, when it failed, why (exit code, the backend's status, the tail of its log).</summary>
public sealed record TrialExecutionStatus(TrialState State, string? Message = null);
