using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using Serverless.Core.Telemetry;

namespace Serverless.Functions.Telemetry;

/// <summary>
/// The worker's telemetry: when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, OpenTelemetry with the Functions
/// worker's defaults (invocations, the host's trace context) exports logs, traces (with the Azure SDK's and HttpClient's
/// calls as dependencies) and the app's own metrics (<see cref="AppMetrics"/>) to Application Insights, authenticated
/// with Microsoft Entra ID as <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> says (the host reads the same setting).
/// Without a connection string nothing is wired: locally the app stays quiet. host.json's <c>telemetryMode</c> makes the
/// host export the same way, so the host's and the worker's spans share traces.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The Azure SDK's activity sources (storage, identity) and .NET's own HttpClient source.</summary>
    public static IReadOnlyList<string> DependencySources { get; } = ["Azure.*", "System.Net.Http"];

    /// <summary>Wires the exporter when configured; returns whether it did.</summary>
    public static bool AddFunctionTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return false;
        }

        var credential = TelemetryCredential.FromAuthenticationString(configuration[AuthenticationStringSetting]);
        // The Azure SDK publishes its calls as activities only when asked to.
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);
        services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource([.. DependencySources]))
            .WithMetrics(metrics => metrics.AddMeter(AppMetrics.MeterWildcard))
            .UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = connectionString;
                options.Credential = credential;
            });
        return true;
    }
}

/// <summary>
/// Reads <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> as the Functions host does: <c>Authorization=AAD</c> with an
/// optional <c>ClientId=</c> (a user-assigned identity; without it the system-assigned one). Anything else, or no
/// setting: no credential (instrumentation-key ingestion, which a resource with local authentication off refuses).
/// </summary>
public static class TelemetryCredential
{
    public static TokenCredential? FromAuthenticationString(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
        {
            return null;
        }

        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"{TelemetryServiceCollectionExtensions.AuthenticationStringSetting} must be 'Authorization=AAD' or 'ClientId=<client id>;Authorization=AAD'.");
        }

        return parts.TryGetValue("ClientId", out var clientId) && !string.IsNullOrWhiteSpace(clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
