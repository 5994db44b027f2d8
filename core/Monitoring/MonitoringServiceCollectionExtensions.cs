using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring.Alerts;
using Serverless.Core.Monitoring.Feedback;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Serving;

namespace Serverless.Core.Monitoring;

/// <summary>
/// Wires model monitoring: options (section <c>Monitoring</c>, validated at start-up), inference logging, feedback (and its matching),
/// reports, alerts, the monitor and the coordinator that keeps its runs from overlapping (in-process, and across
/// instances by a blob lease in the reports container).
/// </summary>
public static class MonitoringServiceCollectionExtensions
{
    public static IServiceCollection AddModelMonitoring(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddServedModelRegistry(configuration);
        services.AddInferenceLogging(configuration);
        services.AddOptions<MonitoringOptions>()
            .BindConfiguration(MonitoringOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(sp => new FeedbackStore(sp.GetRequiredService<TableServiceClient>()));
        services.TryAddSingleton<FeedbackMatcher>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MonitoringOptions>>();
            return new WebhookAlertSender(WebhookAlertSender.CreateHttpClient(TimeSpan.FromSeconds(options.Value.WebhookTimeoutSeconds)), options,
                sp.GetRequiredService<ILogger<WebhookAlertSender>>());
        });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MonitoringOptions>>().Value;
            return new ReportStore(sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(options.ReportsContainer),
                sp.GetRequiredService<TableServiceClient>().GetTableClient(options.ReportsTable));
        });
        services.TryAddSingleton(sp => new ReferenceWindowStore(
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.GetRequiredService<IOptions<MonitoringOptions>>().Value.ReportsContainer)));
        services.TryAddSingleton<MonitoringRunner>();
        services.TryAddSingleton<IMonitoringRunner>(sp => sp.GetRequiredService<MonitoringRunner>());
        services.TryAddSingleton<IMonitoringRunLock>(sp => new BlobLeaseRunLock(
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.GetRequiredService<IOptions<MonitoringOptions>>().Value.ReportsContainer),
            sp.GetRequiredService<ILogger<BlobLeaseRunLock>>()));
        services.TryAddSingleton<MonitoringRunCoordinator>();
        return services;
    }
}
