using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Serverless.Core.Storage;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// Wires inference logging: options (section <c>InferenceLog</c>), the buffer, the request-path
/// <see cref="InferenceLogger"/>, the background <see cref="InferenceLogWriter"/> on Table storage, and the
/// <see cref="InferenceLogReader"/> and <see cref="InferenceLogRetention"/> that monitoring uses.
/// </summary>
public static class InferenceLogServiceCollectionExtensions
{
    public static IServiceCollection AddInferenceLogging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAzureStorage(configuration);
        services.AddOptions<InferenceLogOptions>()
            .BindConfiguration(InferenceLogOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InferenceLogBuffer>();
        services.TryAddSingleton<IInferenceLogSink, TableInferenceLogSink>();
        services.TryAddSingleton<InferenceLogger>();
        services.TryAddSingleton<InferenceLogWriter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InferenceLogWriter>(sp => sp.GetRequiredService<InferenceLogWriter>()));
        services.TryAddSingleton<InferenceLogReader>();
        services.TryAddSingleton<InferenceLogRetention>();
        return services;
    }
}
