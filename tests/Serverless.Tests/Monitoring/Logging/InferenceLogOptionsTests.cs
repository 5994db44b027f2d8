using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class InferenceLogOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = Bind([]);

        Assert.True(options.Enabled);
        Assert.Equal(1.0, options.SampleRate);
        Assert.Equal(100_000, options.BufferCapacity);
        Assert.Equal(1000, options.FlushIntervalMs);
        Assert.Equal(4, options.Shards);
        Assert.Equal("inferencelog", options.TablePrefix);
        Assert.Equal(90, options.RetentionDays);
    }

    [Fact]
    public void SampleRates_BindPerModelCaseInsensitively()
    {
        var options = Bind(new() { ["InferenceLog:SampleRate"] = "0.25", ["InferenceLog:SampleRates:Churn"] = "0.5" });

        Assert.Equal(0.5, options.SampleRateFor("churn"));
        Assert.Equal(0.25, options.SampleRateFor("other"));
    }

    [Theory]
    [InlineData("InferenceLog:SampleRate", "1.5")]
    [InlineData("InferenceLog:SampleRates:churn", "-0.1")]
    [InlineData("InferenceLog:Shards", "0")]
    [InlineData("InferenceLog:TablePrefix", "bad-prefix")]
    public void Validation_RefusesOutOfRangeSettings(string key, string value)
    {
        Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));
    }

    private static InferenceLogOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddInferenceLogging(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<InferenceLogOptions>>().Value;
    }
}
