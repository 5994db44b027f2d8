namespace Serverless.Core.Training.Runners;

/// <summary>
/// The <see cref="ITrialRunner"/> sweeps use: each trial goes to its algorithm's trainer
/// (<see cref="HyperparameterCatalog.TrainerOf"/>), the built-in trainer's runner or the torch trainer's, and each
/// execution's status and cancel go back to the runner that started it, told by <see cref="TrialExecution.Runner"/>
/// (executions recorded before the torch trainer existed name the built-in runner's kind). Owns both runners and disposes
/// them. Thread-safe as the runners are.
/// </summary>
public sealed class TrialRunnerRouter : ITrialRunner, IDisposable
{
    private readonly ITrialRunner _builtIn;
    private readonly ITrialRunner _torch;

    public TrialRunnerRouter(ITrialRunner builtIn, ITrialRunner torch)
    {
        ArgumentNullException.ThrowIfNull(builtIn);
        ArgumentNullException.ThrowIfNull(torch);
        if (string.Equals(builtIn.Kind, torch.Kind, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The built-in and torch runners must differ in kind (both are '{torch.Kind}').", nameof(torch));
        }

        _builtIn = builtIn;
        _torch = torch;
    }

    /// <summary>The built-in runner's kind, as configured (<c>process</c> or <c>container-apps</c>).</summary>
    public string Kind => _builtIn.Kind;

    public Task<TrialExecution> StartAsync(TrialSpec spec, string specUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var runner = HyperparameterCatalog.TrainerOf(spec.Algorithm) == TrainerKind.Torch ? _torch : _builtIn;
        return runner.StartAsync(spec, specUri, cancellationToken);
    }

    public Task<TrialExecutionStatus> GetStatusAsync(TrialExecution execution, CancellationToken cancellationToken) =>
        RunnerOf(execution).GetStatusAsync(execution, cancellationToken);

    public Task CancelAsync(TrialExecution execution, CancellationToken cancellationToken) =>
        RunnerOf(execution).CancelAsync(execution, cancellationToken);

    public void Dispose()
    {
        (_builtIn as IDisposable)?.Dispose();
        (_torch as IDisposable)?.Dispose();
    }

    private ITrialRunner RunnerOf(TrialExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return string.Equals(execution.Runner, _torch.Kind, StringComparison.Ordinal) ? _torch : _builtIn;
    }
}
