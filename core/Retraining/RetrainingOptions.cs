using System.ComponentModel.DataAnnotations;
using Serverless.Core.Storage;

namespace Serverless.Core.Retraining;

/// <summary>Settings of the closed retraining loop (configuration section <c>Retraining</c>).</summary>
public sealed class RetrainingOptions
{
    public const string SectionName = "Retraining";

    /// <summary>The data container the exported training sets are written to (<c>retraining/{model}/{run}.csv</c>); one of the data containers.</summary>
    [Required, ContainerName]
    public string ExportContainer { get; set; } = "training";

    /// <summary>Seconds between a run's readings of its shadow and rollout (and between a rollout's guard checks it waits on).</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 60;

    public TimeSpan PollInterval => TimeSpan.FromSeconds(PollSeconds);
}
