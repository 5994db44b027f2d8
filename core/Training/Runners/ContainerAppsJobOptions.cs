namespace Serverless.Core.Training.Runners;

/// <summary>
/// Settings of <see cref="ContainerAppsJobTrialRunner"/> (configuration section <c>Training:ContainerApps</c>): the
/// manual-trigger Container Apps job whose executions run trials, and how ARM is reached.
/// </summary>
public sealed class ContainerAppsJobOptions
{
    public string? SubscriptionId { get; set; }

    public string? ResourceGroup { get; set; }

    /// <summary>The job's name (a job with a manual trigger whose container runs the trainer).</summary>
    public string? JobName { get; set; }

    /// <summary>The job container that runs the trainer; its environment gets <c>TRIAL_SPEC_URI</c> and <c>TRIAL_ID</c>.</summary>
    public string ContainerName { get; set; } = "trainer";

    /// <summary>An image to run instead of the one in the job's template (optional).</summary>
    public string? Image { get; set; }

    /// <summary>The <c>Microsoft.App</c> ARM API version.</summary>
    public string ApiVersion { get; set; } = "2024-03-01";

    /// <summary>The Azure Resource Manager endpoint (another cloud's for sovereign clouds); tokens are requested for <c>{endpoint}/.default</c>.</summary>
    public string ManagementEndpoint { get; set; } = "https://management.azure.com";

    /// <summary>The client id of the user-assigned managed identity to call ARM with; unset: DefaultAzureCredential.</summary>
    public string? ManagedIdentityClientId { get; set; }
}
