using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Core.Serving;

namespace Serverless.Tests.Serving;

public sealed class ServingOptionsTests
{
    [Fact]
    public void MaxRequestBodyBytes_DefaultsTo32MiB()
    {
        Assert.Equal(32L * 1024 * 1024, Bind([]).MaxRequestBodyBytes);
    }

    [Theory]
    [InlineData("1024")]
    [InlineData("104857600")]
    public void MaxRequestBodyBytes_UpToTheFunctionsHostLimit_IsAccepted(string value)
    {
        Assert.Equal(long.Parse(value), Bind(new() { ["Serving:MaxRequestBodyBytes"] = value }).MaxRequestBodyBytes);
    }

    [Theory]
    [InlineData("104857601")]
    [InlineData("2147483647")]
    [InlineData("1023")]
    public void MaxRequestBodyBytes_OverAzures100MiBOrUnder1KiB_IsRefused(string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Serving:MaxRequestBodyBytes"] = value }));

        Assert.Contains("MaxRequestBodyBytes", error.Message);
    }

    private static ServingOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddModelServing(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ServingOptions>>().Value;
    }
}
