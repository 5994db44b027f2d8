using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Training.Runners;

/// <summary>
/// Wires the trial runner: options (section <c>Training</c>, validated at startup) and one singleton
/// <see cref="ITrialRunner"/>, a <see cref="TrialRunnerRouter"/> over two runners of the kind <see cref="TrainingOptions.Runner"/>
/// names: one for the built-in trainer, one for the torch trainer (<see cref="TorchTrainerOptions"/>). The <c>container-apps</c> runner's
/// HttpClient and TokenCredential are keyed services (key <see cref="ServiceKey"/>) so that they neither clash with nor
/// take over the app's own registrations; register either under that key first to replace it.
/// </summary>
public static class TrainingServiceCollectionExtensions
{
    /// <summary>The key of the HttpClient and the TokenCredential the <c>container-apps</c> runner calls ARM with.</summary>
    public const string ServiceKey = "Serverless.Training.Arm";

    public static IServiceCollection AddTrialRunners(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrainingOptions>()
            .Bind(configuration.GetSection(TrainingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrainingOptions>, TrainingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(ServiceKey, (_, _) => CreateArmHttpClient());
        services.TryAddKeyedSingleton(ServiceKey, (sp, _) => CreateArmCredential(sp.GetRequiredService<IOptions<TrainingOptions>>().Value.ContainerApps));
        services.TryAddSingleton<ITrialRunner>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TrainingOptions>>();
            var loggers = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            var clock = sp.GetRequiredService<TimeProvider>();
            var value = options.Value;
            if (!value.Uses(TrainingOptions.ContainerAppsRunner))
            {
                return new TrialRunnerRouter(
                    new ProcessTrialRunner(ProcessTrainer.BuiltIn(value), configuration, loggers.CreateLogger<ProcessTrialRunner>(), clock),
                    new ProcessTrialRunner(ProcessTrainer.Torch(value), configuration, loggers.CreateLogger<ProcessTrialRunner>(), clock));
            }

            var http = sp.GetRequiredKeyedService<HttpClient>(ServiceKey);
            var credential = sp.GetRequiredKeyedService<TokenCredential>(ServiceKey);
            var builtIn = new ContainerAppsJobTrialRunner(http, credential, options, loggers.CreateLogger<ContainerAppsJobTrialRunner>(), clock);
            ITrialRunner torch = string.IsNullOrWhiteSpace(value.Torch.JobName)
                ? new UnconfiguredTrialRunner(TrainingOptions.TorchContainerAppsRunner,
                    $"{TrainingOptions.SectionName}:Torch:JobName is not set: the torch algorithms ({string.Join(", ", HyperparameterCatalog.TorchAlgorithms)}) " +
                    "run as executions of the torch trainer's Container Apps job, and none is configured.")
                : new ContainerAppsJobTrialRunner(http, credential, value.Torch.JobOptions(value.ContainerApps), TrainingOptions.TorchContainerAppsRunner,
                    loggers.CreateLogger<ContainerAppsJobTrialRunner>(), clock);
            return new TrialRunnerRouter(builtIn, torch);
        });
        return services;
    }

    private static HttpClient CreateArmHttpClient() =>
        // One client for the process; a bounded connection lifetime lets it follow DNS changes.
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) };

    private static TokenCredential CreateArmCredential(ContainerAppsJobOptions options) =>
        string.IsNullOrWhiteSpace(options.ManagedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ManagedIdentityClientId));
}
