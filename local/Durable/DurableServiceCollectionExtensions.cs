using Microsoft.DurableTask.Client;

namespace Serverless.Local.Durable;

/// <summary>Wires Durable orchestrations for the local runner: the task hub on storage, its worker and its client.</summary>
internal static class DurableServiceCollectionExtensions
{
    public static IServiceCollection AddLocalDurableTask(this IServiceCollection services, string hubName)
    {
        services.AddSingleton(sp => new DurableTaskHub(sp.GetRequiredService<IConfiguration>(), hubName, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<OrchestrationEndSignals>();
        services.AddSingleton<DurableTaskClient>(sp => new LocalDurableTaskClient(sp.GetRequiredService<DurableTaskHub>(), sp.GetRequiredService<OrchestrationEndSignals>()));
        services.AddHostedService<DurableTaskWorkerHost>();
        return services;
    }
}
