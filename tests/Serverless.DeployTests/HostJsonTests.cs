using System.Globalization;
using System.Text.Json;
using Serverless.DeployTests.Support;

namespace Serverless.DeployTests;

/// <summary>The function app's host.json, as the Functions host reads it on Azure.</summary>
public sealed class HostJsonTests
{
    [Fact]
    public void DurableQueuePolling_IsCappedAtSeconds_SoAnIdleInstanceStartsJobsPromptly()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.File("host.json")));
        var provider = json.RootElement.GetProperty("extensions").GetProperty("durableTask").GetProperty("storageProvider");

        var cap = TimeSpan.Parse(provider.GetProperty("maxQueuePollingInterval").GetString()!, CultureInfo.InvariantCulture);

        Assert.InRange(cap, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.False(provider.TryGetProperty("type", out _), "the storage backend stays the default (Azure Storage)");
    }
}
