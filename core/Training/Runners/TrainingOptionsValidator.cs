using Microsoft.Extensions.Options;

namespace Serverless.Core.Training.Runners;

/// <summary>
/// Checks the chosen runner's own settings: a known <see cref="TrainingOptions.Runner"/>, the trainer path of the
/// <c>process</c> runner and the torch trainer's python and concurrency, the job coordinates of the <c>container-apps</c> runner; and that the default trial timeout
/// is within its ceiling. Each failure names the setting
/// (as a configuration path, e.g. <c>Training:ContainerApps:JobName</c>). Stateless, thread-safe.
/// </summary>
public sealed class TrainingOptionsValidator : IValidateOptions<TrainingOptions>
{
    private const string Section = TrainingOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        var failures = new List<string>();
        if (options.Uses(TrainingOptions.ProcessRunner))
        {
            ValidateProcess(options.Process, failures);
            ValidateTorchProcess(options.Torch, failures);
        }
        else if (options.Uses(TrainingOptions.ContainerAppsRunner))
        {
            ValidateContainerApps(options.ContainerApps, failures);
        }
        else
        {
            failures.Add($"{Section}:Runner is '{options.Runner}'; it must be one of: {string.Join(", ", TrainingOptions.Runners)}.");
        }

        if (options.TrialTimeoutMinutes > options.MaxTrialTimeoutMinutes)
        {
            failures.Add($"{Section}:TrialTimeoutMinutes is {options.TrialTimeoutMinutes}; " +
                         $"it must not exceed {Section}:MaxTrialTimeoutMinutes ({options.MaxTrialTimeoutMinutes}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateProcess(ProcessRunnerOptions process, List<string> failures)
    {
        const string prefix = Section + ":Process:";
        // No TrainerPath is fine at start-up: an app that only serves must not need a trainer. Starting a trial
        // without one fails that trial, naming the setting (see ProcessTrialRunner).
        if (process.TrainerPath?.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) == true && string.IsNullOrWhiteSpace(process.DotnetPath))
        {
            failures.Add($"{prefix}DotnetPath is required to run a .dll trainer.");
        }

        if (process.MaxConcurrentTrials is < 1 or > 1024)
        {
            failures.Add($"{prefix}MaxConcurrentTrials is {process.MaxConcurrentTrials}; it must be between 1 and 1024.");
        }
    }

    private static void ValidateTorchProcess(TorchTrainerOptions torch, List<string> failures)
    {
        const string prefix = Section + ":Torch:";
        // No TrainerPath is fine at start-up, as for the built-in trainer: a torch trial then fails naming the setting.
        if (!string.IsNullOrWhiteSpace(torch.TrainerPath) && string.IsNullOrWhiteSpace(torch.PythonPath))
        {
            failures.Add($"{prefix}PythonPath is required to run the torch trainer: a python3 that imports torch (Debian: {ProcessTrainer.TorchPackage}).");
        }

        if (torch.MaxConcurrentTrials is < 1 or > 1024)
        {
            failures.Add($"{prefix}MaxConcurrentTrials is {torch.MaxConcurrentTrials}; it must be between 1 and 1024.");
        }
    }

    private static void ValidateContainerApps(ContainerAppsJobOptions jobs, List<string> failures)
    {
        const string prefix = Section + ":ContainerApps:";
        Require(jobs.SubscriptionId, "SubscriptionId");
        Require(jobs.ResourceGroup, "ResourceGroup");
        Require(jobs.JobName, "JobName");
        Require(jobs.ContainerName, "ContainerName");
        Require(jobs.ApiVersion, "ApiVersion");
        if (!Uri.TryCreate(jobs.ManagementEndpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            failures.Add($"{prefix}ManagementEndpoint is '{jobs.ManagementEndpoint}'; it must be an absolute https URL such as https://management.azure.com.");
        }

        void Require(string? value, string setting)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"{prefix}{setting} is required with {Section}:Runner={TrainingOptions.ContainerAppsRunner}.");
            }
        }
    }
}
