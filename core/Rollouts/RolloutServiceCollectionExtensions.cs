using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Alerts;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Registry;

namespace Serverless.Core.Rollouts;

/// <summary>
/// Wires guarded progressive delivery: the rollout store (the registry, <see cref="IAliasRollouts"/>), the guard reader (the
/// inference log and feedback, through monitoring) and the runner with its cross-instance lock (a blob lease,
/// <see cref="RolloutRunner.LockBlobName"/>, in the monitoring reports container). Alerts go to the monitoring webhook.
/// </summary>
public static class RolloutServiceCollectionExtensions
{
    public static IServiceCollection AddRollouts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModelMonitoring(configuration);
        services.TryAddSingleton(sp => (IAliasRollouts)sp.GetRequiredService<IModelRegistry>());
        services.TryAddSingleton<IRolloutGuards, RolloutGuardReader>();
        services.TryAddSingleton(sp => new RolloutRunner(
            sp.GetRequiredService<IModelRegistry>(),
            sp.GetRequiredService<IAliasRollouts>(),
            sp.GetRequiredService<IRolloutGuards>(),
            sp.GetRequiredService<WebhookAlertSender>(),
            new BlobLeaseRunLock(
                sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.GetRequiredService<IOptions<MonitoringOptions>>().Value.ReportsContainer),
                sp.GetRequiredService<ILogger<BlobLeaseRunLock>>(), RolloutRunner.LockBlobName),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RolloutRunner>>()));
        return services;
    }
}
