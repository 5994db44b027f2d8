using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Core.Mirroring;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Registry;
using Serverless.Core.Registry.Mlflow;
using Serverless.Core.Rollouts;
using Serverless.Core.Serving;
using Serverless.Core.Storage;
using Serverless.Core.Tabular.Steps;
using Serverless.Core.Tabular.Steps.Examples;
using Serverless.Functions.Console;
using Serverless.Core.Training.Tracking;
using Serverless.Functions.Http;
using Serverless.Orchestrations.BatchScoring;
using Serverless.Orchestrations.Features;
using Serverless.Orchestrations.Retraining;
using Serverless.Orchestrations.Training;

namespace Serverless.Functions;

/// <summary>
/// Everything the function app's functions need, one call per area. Both hosts call this: the Functions
/// worker (Program.cs) and the local runner, so the two can never wire the app differently.
/// </summary>
public static class FunctionAppServiceCollectionExtensions
{
    public static IServiceCollection AddFunctionApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAzureStorage(configuration);
        services.AddModelRegistry(configuration);
        services.AddModelServing(configuration);
        services.AddTabularServing(configuration);
        services.AddTabularStep<ConfidenceBandStep>();
        services.AddInferenceLogging(configuration);
        services.AddMirroring(configuration);
        services.AddBatchScoring(configuration);
        services.AddTrainingSweeps(configuration);
        services.AddFeatureMaterialisation(configuration);
        services.AddMlflowTracking(configuration);
        services.AddMlflowRegistry(configuration);
        services.AddModelMonitoring(configuration);
        services.AddRollouts(configuration);
        services.AddRetraining(configuration);
        services.AddSingleton(new CallerIdentity(configuration));
        services.AddSingleton<ConsoleAssets>();
        return services;
    }
}
