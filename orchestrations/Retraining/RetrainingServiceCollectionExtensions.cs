using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Retraining;
using Serverless.Core.Rollouts;
using Serverless.Orchestrations.Training;

namespace Serverless.Orchestrations.Retraining;

/// <summary>Wires the closed loop: its domain (core/Retraining), sweeps and rollouts it builds on, the starter, the triggers and the activities.</summary>
public static class RetrainingServiceCollectionExtensions
{
    public static IServiceCollection AddRetraining(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRetrainingCore(configuration);
        services.AddTrainingSweeps(configuration);
        services.AddRollouts(configuration);
        services.TryAddSingleton<RetrainingStarter>();
        services.TryAddSingleton<IRetrainingTriggers, RetrainingTriggers>();
        services.TryAddTransient<SaveRetrainingRunActivity>();
        services.TryAddTransient<ExportRetrainingDataActivity>();
        services.TryAddTransient<SetShadowActivity>();
        services.TryAddTransient<StartRetrainingRolloutActivity>();
        services.TryAddTransient<ObserveRetrainingActivity>();
        services.TryAddTransient<RetireChallengerActivity>();
        return services;
    }
}
