using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Serving;
using Serverless.Core.Storage;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>Wires batch scoring's start checks and activities (the orchestrators are stateless and need no services).</summary>
public static class BatchScoringServiceCollectionExtensions
{
    public static IServiceCollection AddBatchScoring(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTabularServing(configuration);
        services.AddDataContainers(configuration);
        services.TryAddSingleton<InputBlobReader>();
        services.TryAddSingleton<BatchBadRowReader>();
        services.TryAddSingleton<BatchModelCheck>();
        services.TryAddSingleton<BatchScoringStarter>();
        services.TryAddSingleton<BatchScorers>();
        services.TryAddTransient<PlanBatchActivity>();
        services.TryAddTransient<CountRowsActivity>();
        services.TryAddTransient<ScoreChunkActivity>();
        services.TryAddTransient<WriteManifestActivity>();
        services.TryAddTransient<ScorePlannedJobActivity>();
        services.TryAddTransient<MergeOutputsActivity>();
        return services;
    }
}
