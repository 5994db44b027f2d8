namespace Serverless.Core.Training.Runners;

/// <summary>
/// Settings of the PyTorch trainer (configuration section <c>Training:Torch</c>), which runs the torch algorithms
/// (<see cref="HyperparameterCatalog.TorchAlgorithms"/>) while the built-in trainer runs the others. With the
/// <c>process</c> runner a torch trial is <c>{PythonPath} {TrainerPath} --spec {specUri}</c>; with <c>container-apps</c>
/// it is an execution of the job <see cref="JobName"/> (a GPU job; the subscription, resource group, API version and
/// identity are <c>Training:ContainerApps</c>'s).
/// </summary>
public sealed class TorchTrainerOptions
{
    /// <summary>
    /// The torch trainer's entry point, <c>trainer-torch/train.py</c> (the local runner sets it to the repository's). A
    /// relative path is resolved against the app's base directory when the file exists there.
    /// </summary>
    public string? TrainerPath { get; set; }

    /// <summary>The python3 that runs <see cref="TrainerPath"/>; it must import torch (Debian: the package <c>python3-torch</c>).</summary>
    public string PythonPath { get; set; } = "/usr/bin/python3";

    /// <summary>Most torch trial processes running at once (each uses every core); further trials wait in a queue.</summary>
    public int MaxConcurrentTrials { get; set; } = 1;

    /// <summary>The Container Apps job (manual trigger, GPU workload profile) whose executions run torch trials.</summary>
    public string? JobName { get; set; }

    /// <summary>The job's container that runs the torch trainer.</summary>
    public string ContainerName { get; set; } = "trainer";

    /// <summary>An image to run instead of the one in the job's template (optional).</summary>
    public string? Image { get; set; }

    /// <summary>The job settings of the torch trainer: <paramref name="shared"/>'s (subscription, resource group, API version, identity) with this job, container and image.</summary>
    public ContainerAppsJobOptions JobOptions(ContainerAppsJobOptions shared) => new()
    {
        SubscriptionId = shared.SubscriptionId,
        ResourceGroup = shared.ResourceGroup,
        JobName = JobName,
        ContainerName = ContainerName,
        Image = Image,
        ApiVersion = shared.ApiVersion,
        ManagementEndpoint = shared.ManagementEndpoint,
        ManagedIdentityClientId = shared.ManagedIdentityClientId,
    };
}
