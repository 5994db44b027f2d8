using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Serverless.Functions.Telemetry;

namespace Serverless.Tests.Telemetry;

public sealed class TelemetryWiringTests
{
    [Fact]
    public void AddFunctionTelemetry_WithoutConnectionString_WiresNothing()
    {
        var services = new ServiceCollection();

        var wired = services.AddFunctionTelemetry(new ConfigurationBuilder().Build());

        Assert.False(wired);
        Assert.Empty(services);
    }

    [Fact]
    public void AddFunctionTelemetry_WithConnectionString_WiresTracesAndMetrics()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://example.invalid/",
            [TelemetryServiceCollectionExtensions.AuthenticationStringSetting] = "ClientId=11111111-1111-1111-1111-111111111111;Authorization=AAD",
        }).Build();

        var wired = services.AddFunctionTelemetry(configuration);

        Assert.True(wired);
        Assert.Contains(services, d => d.ServiceType == typeof(MeterProvider));
        Assert.Contains(services, d => d.ServiceType == typeof(TracerProvider));
    }

    [Theory]
    [InlineData("ClientId=11111111-1111-1111-1111-111111111111;Authorization=AAD")]
    [InlineData("Authorization=AAD; ClientId=11111111-1111-1111-1111-111111111111")]
    [InlineData("Authorization=AAD")]
    public void FromAuthenticationString_Entra_IsAManagedIdentity(string setting)
    {
        Assert.IsType<ManagedIdentityCredential>(TelemetryCredential.FromAuthenticationString(setting));
    }

    [Fact]
    public void FromAuthenticationString_None_IsNoCredential()
    {
        Assert.Null(TelemetryCredential.FromAuthenticationString(null));
        Assert.Null(TelemetryCredential.FromAuthenticationString(" "));
    }

    [Fact]
    public void FromAuthenticationString_NotEntra_FailsNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TelemetryCredential.FromAuthenticationString("ClientId=abc"));

        Assert.Contains(TelemetryServiceCollectionExtensions.AuthenticationStringSetting, error.Message, StringComparison.Ordinal);
    }
}
