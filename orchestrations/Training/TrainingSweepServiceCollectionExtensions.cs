using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Registry;
using Serverless.Core.Serving;
using Serverless.Core.Storage;
using Serverless.Core.Training;
using Serverless.Core.Training.Runners;
using Serverless.Core.Training.Tracking;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Orchestrations.Training;

/// <summary>Wires training sweeps: the trial runner chosen by configuration, trial storage, experiment tracking and the activities.</summary>
public static class TrainingSweepServiceCollectionExtensions
{
    public static IServiceCollection AddTrainingSweeps(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModelRegistry(configuration);
        services.AddTabularServing(configuration);
        services.AddTrialRunners(configuration);
        services.AddDataContainers(configuration);
        services.TryAddSingleton<InputBlobReader>();
        services.TryAddSingleton(sp => new TrialStorage(sp.GetRequiredService<BlobServiceClient>()));
        services.TryAddSingleton(sp => new ExperimentStore(sp.GetRequiredService<TableServiceClient>()));
        services.TryAddSingleton<SweepQuota>();
        services.TryAddSingleton<SweepFeatureJoin>();
        services.TryAddSingleton<TrainingSweepStarter>();
        services.TryAddTransient<PrepareSweepDataActivity>();
        services.TryAddTransient<StartTrialActivity>();
        services.TryAddTransient<CheckTrialActivity>();
        services.TryAddTransient<CancelTrialActivity>();
        services.TryAddTransient<CollectTrialActivity>();
        services.TryAddTransient<RecordTrialActivity>();
        services.TryAddTransient<RecordSweepActivity>();
        services.TryAddTransient<RegisterBestModelActivity>();
        services.TryAddTransient<EvaluateModelActivity>();
        services.TryAddTransient<ResolveIncumbentActivity>();
        services.TryAddTransient<PromoteModelActivity>();
        services.TryAddTransient<ResolveWarmStartActivity>();
        return services;
    }
}
