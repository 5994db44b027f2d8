using Serverless.Local.Azurite;
using Serverless.Local.Hosting;

namespace Serverless.Bench;

/// <summary>Starts Azurite in memory on free ports from the repository's install folder (installed from npm on first use).</summary>
public static class BenchStorage
{
    public static Task<AzuriteProcess> StartAzuriteAsync(string repositoryRoot) => AzuriteProcess.StartAsync(new AzuriteOptions
    {
        InstallDirectory = Path.Combine(RepositoryPaths.LocalFolder(repositoryRoot), "azurite"),
        DataDirectory = null,
        BlobPort = AzuriteProcess.FreePort(),
        QueuePort = AzuriteProcess.FreePort(),
        TablePort = AzuriteProcess.FreePort(),
    });
}
