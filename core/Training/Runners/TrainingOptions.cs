using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Training.Runners;

/// <summary>
/// Settings of training (configuration section <c>Training</c>): which <see cref="ITrialRunner"/> runs trials,
/// how often the sweep polls a trial and how long a trial may run, and the quotas an operator sets on what a sweep
/// request may ask for (concurrent sweeps, trials per sweep, trial timeout ceiling, dataset size). Checked at startup
/// by <see cref="TrainingOptionsValidator"/> (the runner's own settings, the timeout within its ceiling) and data
/// annotations (the ranges).
/// </summary>
public sealed class TrainingOptions
{
    public const string SectionName = "Training";

    /// <summary>Runs each trial as a child process of this host (<see cref="ProcessTrialRunner"/>).</summary>
    public const string ProcessRunner = "process";

    /// <summary>Runs each trial as an Azure Container Apps job execution (<see cref="ContainerAppsJobTrialRunner"/>).</summary>
    public const string ContainerAppsRunner = "container-apps";

    /// <summary>The kind of a torch trial's execution under the <c>process</c> runner (<see cref="TrialExecution.Runner"/>).</summary>
    public const string TorchProcessRunner = "process-torch";

    /// <summary>The kind of a torch trial's execution under the <c>container-apps</c> runner.</summary>
    public const string TorchContainerAppsRunner = "container-apps-torch";

    /// <summary>The runner names <see cref="Runner"/> accepts (compared case-insensitively).</summary>
    public static IReadOnlyList<string> Runners { get; } = [ProcessRunner, ContainerAppsRunner];

    /// <summary><c>process</c> (default) or <c>container-apps</c>.</summary>
    public string Runner { get; set; } = ProcessRunner;

    /// <summary>Seconds between two status polls of a running trial.</summary>
    [Range(1, 600)]
    public int PollIntervalSeconds { get; set; } = 2;

    /// <summary>Minutes a trial may run before the sweep cancels it and records it as failed, unless the request sets <c>trial_timeout_minutes</c>.</summary>
    [Range(1, 1440)]
    public int TrialTimeoutMinutes { get; set; } = 60;

    /// <summary>The most <c>trial_timeout_minutes</c> a request may set (at least <see cref="TrialTimeoutMinutes"/>).</summary>
    [Range(1, 10_080)]
    public int MaxTrialTimeoutMinutes { get; set; } = 1440;

    /// <summary>Sweeps that may run at once; a start beyond it is refused (409) until one ends.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentSweeps { get; set; } = 4;

    /// <summary>The most trials one sweep may plan (grid combinations, random draws and default trials together).</summary>
    [Range(1, 10_000)]
    public int MaxTrialsPerSweep { get; set; } = 200;

    /// <summary>
    /// The largest dataset blob a sweep may use, in bytes, checked when the sweep starts and again when its data is
    /// prepared (preparation holds the dataset in memory, several times its size once parsed).
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxDatasetBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Settings of the <c>process</c> runner (section <c>Training:Process</c>).</summary>
    public ProcessRunnerOptions Process { get; set; } = new();

    /// <summary>Settings of the <c>container-apps</c> runner (section <c>Training:ContainerApps</c>).</summary>
    public ContainerAppsJobOptions ContainerApps { get; set; } = new();

    /// <summary>Settings of the PyTorch trainer, which runs the torch algorithms under either runner (section <c>Training:Torch</c>).</summary>
    public TorchTrainerOptions Torch { get; set; } = new();

    public TimeSpan PollInterval => TimeSpan.FromSeconds(PollIntervalSeconds);

    public TimeSpan TrialTimeout => TimeSpan.FromMinutes(TrialTimeoutMinutes);

    /// <summary>True when <see cref="Runner"/> names <paramref name="runner"/> (case-insensitive, surrounding blanks ignored).</summary>
    public bool Uses(string runner) => string.Equals(Runner?.Trim(), runner, StringComparison.OrdinalIgnoreCase);
}
