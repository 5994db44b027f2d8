using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Core.Serving;

namespace Serverless.Core.Tabular;

/// <summary>Wires the records API for tabular models on top of online serving (manifest cache, prediction service).</summary>
public static class TabularServiceCollectionExtensions
{
    public static IServiceCollection AddTabularServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModelServing(configuration);
        services.TryAddSingleton<TabularModelCache>();
        services.TryAddSingleton<TabularPredictionService>();
        return services;
    }
}
