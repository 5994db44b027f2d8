using Serverless.Local.Hosting;
using Xunit.Abstractions;

namespace Serverless.Tests.Architecture;

/// <summary>
/// Dependencies between core's serving areas point one way: Serving on Protocol, Tabular, Registry and Logging;
/// Logging on Tabular and Protocol; Tabular on Protocol and Models; Registry on Models; never back.
/// </summary>
public sealed class CoreNamespaceTests
{
    private static readonly string[] Layered =
    [
        "Serverless.Core.Protocol",
        "Serverless.Core.Serving",
        "Serverless.Core.Registry",
        "Serverless.Core.Tabular",
        "Serverless.Core.Monitoring.Logging",
    ];

    private readonly ITestOutputHelper _output;

    public CoreNamespaceTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void CoreNamespaces_ServingAreas_HaveNoCycleBetweenThem()
    {
        var graph = NamespaceGraph.FromSources(Path.Combine(RepositoryPaths.FindRoot(), "core"));

        var cycles = graph.Cycles();
        foreach (var cycle in cycles)
        {
            _output.WriteLine($"Cycle: {string.Join(", ", cycle)}");
            foreach (var edge in graph.Describe(cycle))
            {
                _output.WriteLine($"  {edge}");
            }
        }

        var tangled = (
            from a in Layered
            from b in Layered
            where string.CompareOrdinal(a, b) < 0 && graph.Reaches(a, b) && graph.Reaches(b, a)
            select $"{Short(a)} <-> {Short(b)}").ToList();
        Assert.True(tangled.Count == 0, "Namespaces depending on each other (directly or through others): " + string.Join(", ", tangled));
    }

    private static string Short(string ns) => ns["Serverless.Core.".Length..];

    [Fact]
    public void NamespaceGraph_CodeNamingATypeOfAnotherNamespace_IsAnEdge()
    {
        var graph = NamespaceGraph.FromSources(Path.Combine(RepositoryPaths.FindRoot(), "core"));

        Assert.Contains("Serverless.Core.Registry", graph.Edges["Serverless.Core.Serving"].Keys);
        Assert.Contains("Serverless.Core.Errors", graph.Edges["Serverless.Core.Protocol"].Keys);
    }
}
