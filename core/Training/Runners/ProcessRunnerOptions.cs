namespace Serverless.Core.Training.Runners;

/// <summary>Settings of <see cref="ProcessTrialRunner"/> (configuration section <c>Training:Process</c>).</summary>
public sealed class ProcessRunnerOptions
{
    /// <summary>
    /// The trainer: a <c>.dll</c> (run as <c>{DotnetPath} {TrainerPath} --spec {specUri}</c>) or an executable
    /// (run as <c>{TrainerPath} --spec {specUri}</c>). A relative path is resolved against the app's base directory
    /// when the file exists there, else used as given (an executable may then be found on <c>PATH</c>).
    /// </summary>
    public string? TrainerPath { get; set; }

    /// <summary>The <c>dotnet</c> host that runs a <c>.dll</c> trainer.</summary>
    public string DotnetPath { get; set; } = "dotnet";

    /// <summary>Most trial processes running at once; further trials wait in a queue (reported as running).</summary>
    public int MaxConcurrentTrials { get; set; } = Environment.ProcessorCount;
}
