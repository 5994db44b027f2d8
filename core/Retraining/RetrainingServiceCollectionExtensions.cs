using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Core.Retraining;

/// <summary>Wires the loop's domain: options (section <c>Retraining</c>), the policy and run store, the live comparison reader (through monitoring) and the retraining section of the report pages.</summary>
public static class RetrainingServiceCollectionExtensions
{
    public static IServiceCollection AddRetrainingCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModelMonitoring(configuration);
        services.AddOptions<RetrainingOptions>()
            .BindConfiguration(RetrainingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(sp => new RetrainingStore(sp.GetRequiredService<TableServiceClient>()));
        services.TryAddSingleton<ILiveComparisons, LiveComparisonReader>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReportSection, RetrainingReportSection>());
        return services;
    }
}
