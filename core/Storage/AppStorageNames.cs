using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;

namespace Serverless.Core.Storage;

/// <summary>
/// The one place of names of the blob containers and tables the app and its host own in the storage account, read
/// from configuration: the registry's container and table, the monitoring reports, the sweeps, the feature store, the experiment and
/// feedback tables, the inference log tables, the Durable task hub's containers and tables (hub name from
/// host.json's <c>extensions.durableTask.hubName</c>, or the app setting that overrides it), the Functions host's
/// <c>azure-webjobs-*</c> and deployment containers, and Azure's reserved <c>$logs</c>, <c>$root</c>, <c>$web</c>.
/// A request may never name one of these containers (see <see cref="DataContainers"/>). Immutable; thread-safe.
/// </summary>
public sealed class AppStorageNames
{
    /// <summary>The container of the sweeps' prepared data, baselines and trial artifacts.</summary>
    public const string SweepsContainer = "sweeps";

    /// <summary>The experiment store's table of sweeps.</summary>
    public const string SweepsTable = "sweeps";

    /// <summary>The experiment store's table of trials.</summary>
    public const string TrialsTable = "trials";

    /// <summary>The MLflow tracking store's experiments (core/Training/Tracking).</summary>
    public const string MlflowExperimentsTable = "mlflowexperiments";

    /// <summary>The MLflow tracking store's runs with their params, tags and latest metrics.</summary>
    public const string MlflowRunsTable = "mlflowruns";

    /// <summary>Every logged value of every MLflow metric.</summary>
    public const string MlflowMetricsTable = "mlflowmetrics";

    /// <summary>MLflow's registered models and model versions (their descriptions, tags and sources; the bytes are the registry's).</summary>
    public const string MlflowRegistryTable = "mlflowregistry";

    /// <summary>The proxied MLflow artifacts (<c>mlflow-artifacts:/{experiment}/{run}/artifacts/...</c>).</summary>
    public const string MlflowArtifactsContainer = "mlflow-artifacts";

    /// <summary>The table of ground-truth feedback (the default of <c>FeedbackStore</c>).</summary>
    public const string FeedbackTable = "feedback";

    /// <summary>The table of retraining policies and runs (core/Retraining).</summary>
    public const string RetrainingTable = "retraining";

    /// <summary>The default of the feature store's history container (<c>FeatureStore:HistoryContainer</c>; core/Features reads its options, which start from these).</summary>
    public const string FeatureHistoryContainer = "featurehistory";

    /// <summary>The default of the feature store's declarations table (<c>FeatureStore:SetsTable</c>).</summary>
    public const string FeatureSetsTable = "featuresets";

    /// <summary>The default of the feature store's online table (<c>FeatureStore:OnlineTable</c>).</summary>
    public const string FeatureOnlineTable = "featuresonline";

    private const string FeatureStoreSection = "FeatureStore";

    /// <summary>The task hub Core Tools uses when host.json names none.</summary>
    public const string DefaultTaskHubName = "TestHubName";

    /// <summary>The app setting that overrides host.json's task hub name (as <c>AzureFunctionsJobHost__extensions__durableTask__hubName</c>).</summary>
    public const string TaskHubSetting = "AzureFunctionsJobHost:extensions:durableTask:hubName";

    /// <summary>Containers Azure itself reserves (static website, analytics logs, root).</summary>
    public static IReadOnlyList<string> ReservedContainers { get; } = ["$logs", "$root", "$web"];

    private AppStorageNames(string taskHubName, IReadOnlyList<string> containers, IReadOnlyList<string> containerPrefixes, IReadOnlyList<string> tables,
        IReadOnlyList<string> tablePrefixes)
    {
        TaskHubName = taskHubName;
        Containers = containers;
        ContainerPrefixes = containerPrefixes;
        Tables = tables;
        TablePrefixes = tablePrefixes;
    }

    /// <summary>The Durable task hub's name as configured (its containers use it lower-cased).</summary>
    public string TaskHubName { get; }

    /// <summary>Containers the app owns, by exact name.</summary>
    public IReadOnlyList<string> Containers { get; }

    /// <summary>Prefixes of containers the app or its host owns (<c>azure-webjobs-</c>, the task hub's <c>{hub}-</c>, deployment packages).</summary>
    public IReadOnlyList<string> ContainerPrefixes { get; }

    /// <summary>Tables the app owns, by exact name.</summary>
    public IReadOnlyList<string> Tables { get; }

    /// <summary>Prefixes of tables the app owns (the monthly inference log tables, the task hub's tables).</summary>
    public IReadOnlyList<string> TablePrefixes { get; }

    /// <summary>
    /// Reads the names from configuration; <paramref name="hostJsonPath"/> defaults to host.json beside the app
    /// (AppContext.BaseDirectory, then the working directory).
    /// </summary>
    public static AppStorageNames FromConfiguration(IConfiguration configuration, string? hostJsonPath = null)
    {
        var hub = TaskHubNameFrom(configuration, hostJsonPath);
        var hubContainers = hub.ToLowerInvariant();
        var registryContainer = Setting(configuration, RegistryOptions.SectionName, nameof(RegistryOptions.ContainerName), new RegistryOptions().ContainerName);
        var reportsContainer = Setting(configuration, MonitoringOptions.SectionName, nameof(MonitoringOptions.ReportsContainer), new MonitoringOptions().ReportsContainer);
        string[] containers =
        [
            registryContainer,
            reportsContainer,
            SweepsContainer,
            MlflowArtifactsContainer,
            Setting(configuration, FeatureStoreSection, "HistoryContainer", FeatureHistoryContainer),
            $"{hubContainers}-leases",
            $"{hubContainers}-largemessages",
            $"{hubContainers}-applease",
            "azure-webjobs-hosts",
            "azure-webjobs-secrets",
            "scm-releases",
            .. ReservedContainers,
        ];
        string[] tables =
        [
            Setting(configuration, RegistryOptions.SectionName, nameof(RegistryOptions.TableName), new RegistryOptions().TableName),
            Setting(configuration, MonitoringOptions.SectionName, nameof(MonitoringOptions.ReportsTable), new MonitoringOptions().ReportsTable),
            SweepsTable,
            TrialsTable,
            MlflowExperimentsTable,
            MlflowRunsTable,
            MlflowMetricsTable,
            MlflowRegistryTable,
            FeedbackTable,
            RetrainingTable,
            Setting(configuration, FeatureStoreSection, "SetsTable", FeatureSetsTable),
            Setting(configuration, FeatureStoreSection, "OnlineTable", FeatureOnlineTable),
        ];
        string[] tablePrefixes =
        [
            Setting(configuration, InferenceLogOptions.SectionName, nameof(InferenceLogOptions.TablePrefix), new InferenceLogOptions().TablePrefix),
            hub,
            "AzureFunctions",
        ];
        return new AppStorageNames(hub, containers.Distinct(StringComparer.Ordinal).ToArray(), ["azure-webjobs-", $"{hubContainers}-", "app-package-"],
            tables, tablePrefixes);
    }

    /// <summary>True when <paramref name="container"/> is one the app or its host owns (exact name or owned prefix).</summary>
    public bool IsAppContainer(string container) =>
        Containers.Contains(container, StringComparer.OrdinalIgnoreCase)
        || ContainerPrefixes.Any(p => container.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>The task hub's name: the overriding app setting, else host.json, else <see cref="DefaultTaskHubName"/>. <c>%Name%</c> reads app setting Name.</summary>
    public static string TaskHubNameFrom(IConfiguration configuration, string? hostJsonPath = null)
    {
        var name = configuration[TaskHubSetting];
        if (string.IsNullOrWhiteSpace(name))
        {
            name = ReadHostJsonHubName(hostJsonPath);
        }

        if (name is { Length: > 2 } && name[0] == '%' && name[^1] == '%')
        {
            name = configuration[name[1..^1]];
        }

        return string.IsNullOrWhiteSpace(name) ? DefaultTaskHubName : name.Trim();
    }

    private static string? ReadHostJsonHubName(string? hostJsonPath)
    {
        var path = hostJsonPath
            ?? new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() }.Select(d => Path.Combine(d, "host.json")).FirstOrDefault(File.Exists);
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return document.RootElement.TryGetProperty("extensions", out var extensions)
                   && extensions.TryGetProperty("durableTask", out var durable)
                   && durable.TryGetProperty("hubName", out var hub)
                   && hub.ValueKind == JsonValueKind.String
                ? hub.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Setting(IConfiguration configuration, string section, string key, string fallback)
    {
        var value = configuration[$"{section}:{key}"];
        return string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();
    }
}
