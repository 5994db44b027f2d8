using System.Reflection;

namespace Serverless.DeployTests.Support;

/// <summary>Where the repository and the Bicep CLI are, as the test project recorded them when it was built.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = Metadata("RepositoryRoot");

    public static string Bicep { get; } = Path.Combine(Root, "bicep");

    public static string MainBicep { get; } = Path.Combine(Bicep, "main.bicep");

    /// <summary>The CLI of the Azure.Bicep.CommandLine package (its props name it BicepPath).</summary>
    public static string BicepCli { get; } = Metadata("BicepPath").Replace('\\', Path.DirectorySeparatorChar);

    public static string File(params string[] relative) => Path.Combine([Root, .. relative]);

    private static string Metadata(string key) =>
        typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"The test assembly has no '{key}' metadata; build it with dotnet build.");
}
