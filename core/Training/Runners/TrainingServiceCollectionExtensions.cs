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
/// <see cref="ITrialRunner"/>, the one <see cref="TrainingOptions.Runner"/> names. The <c>container-apps</c> runner's
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
            return options.Value.Uses(TrainingOptions.ContainerAppsRunner)
                ? new ContainerAppsJobTrialRunner(
                    sp.GetRequiredKeyedService<HttpClient>(ServiceKey),
                    sp.GetRequiredKeyedService<TokenCredential>(ServiceKey),
                    options,
                    loggers.CreateLogger<ContainerAppsJobTrialRunner>(),
                    sp.GetRequiredService<TimeProvider>())
                : new ProcessTrialRunner(options, configuration, loggers.CreateLogger<ProcessTrialRunner>(), sp.GetRequiredService<TimeProvider>());
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
