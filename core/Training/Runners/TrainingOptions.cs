using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Training.Runners;

/// <summary>
/// Settings of training (configuration section <c>Training</c>): which <see cref="ITrialRunner"/> runs trials,
/// how often the sweep polls a trial and how long a trial may run. Checked at startup by
/// <see cref="TrainingOptionsValidator"/> (the runner's own settings) and data annotations (the ranges).
/// </summary>
public sealed class TrainingOptions
{
    public const string SectionName = "Training";

    /// <summary>Runs each trial as a child process of this host (<see cref="ProcessTrialRunner"/>).</summary>
    public const string ProcessRunner = "process";

    /// <summary>Runs each trial as an Azure Container Apps job execution (<see cref="ContainerAppsJobTrialRunner"/>).</summary>
    public const string ContainerAppsRunner = "container-apps";

    /// <summary>The runner names <see cref="Runner"/> accepts (compared case-insensitively).</summary>
    public static IReadOnlyList<string> Runners { get; } = [ProcessRunner, ContainerAppsRunner];

    /// <summary><c>process</c> (default) or <c>container-apps</c>.</summary>
    public string Runner { get; set; } = ProcessRunner;

    /// <summary>Seconds between two status polls of a running trial.</summary>
    [Range(1, 600)]
    public int PollIntervalSeconds { get; set; } = 2;

    /// <summary>Minutes a trial may run before the sweep cancels it and records it as failed.</summary>
    [Range(1, 1440)]
    public int TrialTimeoutMinutes { get; set; } = 60;

    /// <summary>Settings of the <c>process</c> runner (section <c>Training:Process</c>).</summary>
    public ProcessRunnerOptions Process { get; set; } = new();

    /// <summary>Settings of the <c>container-apps</c> runner (section <c>Training:ContainerApps</c>).</summary>
    public ContainerAppsJobOptions ContainerApps { get; set; } = new();

    public TimeSpan PollInterval => TimeSpan.FromSeconds(PollIntervalSeconds);

    public TimeSpan TrialTimeout => TimeSpan.FromMinutes(TrialTimeoutMinutes);

    /// <summary>True when <see cref="Runner"/> names <paramref name="runner"/> (case-insensitive, surrounding blanks ignored).</summary>
    public bool Uses(string runner) => string.Equals(Runner?.Trim(), runner, StringComparison.OrdinalIgnoreCase);
}
