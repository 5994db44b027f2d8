using System.Text.RegularExpressions;
using Serverless.Core.Errors;
using Serverless.Functions;
using Serverless.Functions.OpenApi;
using Serverless.Local.Hosting;

namespace Serverless.Tests.OpenApi;

/// <summary>
/// The README's tables cannot drift from the code: the route table (| Route | caller | ... |) lists exactly the
/// OpenAPI document's paths and methods, each with the caller its authorization level admits, and the error-code
/// table (| code | status | ... |) is <see cref="ErrorCodes.All"/>, in order, with the same statuses and meanings.
/// Route cells hold <c>`METHOD[/METHOD] api/path`</c> entries; <c>[/segment]</c> marks an optional part (both paths exist).
/// </summary>
public sealed partial class ReadmeTablesTests
{
    private static readonly string[] Readme = File.ReadAllLines(Path.Combine(RepositoryPaths.FindRoot(AppContext.BaseDirectory), "README.md"));

    [Fact]
    public void RouteTable_ListsExactlyTheOpenApiRoutes_WithTheirCaller()
    {
        var document = OpenApiDocumentBuilder.Build(typeof(FunctionAppServiceCollectionExtensions).Assembly, "1");
        var expected = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} api{p.Key} ({m.Value!["x-caller"]!.GetValue<string>()})"))
            .Order(StringComparer.Ordinal)
            .ToList();

        var listed = new List<string>();
        foreach (var cells in TableRows("| Route | caller |"))
        {
            var caller = cells[1];
            foreach (Match entry in RouteEntry().Matches(cells[0]))
            {
                foreach (var method in entry.Groups[1].Value.Split('/'))
                {
                    listed.AddRange(Expand(entry.Groups[2].Value).Select(path => $"{method} {path} ({caller})"));
                }
            }
        }

        var missing = expected.Except(listed).ToList();
        var extra = listed.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && listed.Count == expected.Count,
            $"README route table differs from the OpenAPI document.{Environment.NewLine}Missing: {string.Join("; ", missing)}{Environment.NewLine}" +
            $"Not routes (or wrong caller): {string.Join("; ", extra)}{Environment.NewLine}Listed twice: {string.Join("; ", listed.GroupBy(l => l).Where(g => g.Count() > 1).Select(g => g.Key))}");
    }

    [Fact]
    public void ErrorCodeTable_IsTheCodeList()
    {
        var listed = TableRows("| code | status |").Select(cells => $"{cells[0]} | {cells[1]} | {cells[2]}").ToList();
        var expected = ErrorCodes.All.Select(c => $"`{c.Code}` | {c.Status} | {c.Description}").ToList();

        Assert.Equal(expected, listed);
    }

    [Fact]
    public void Expand_OptionalSegment_GivesBothPaths() =>
        Assert.Equal(["api/models/{name}/predict", "api/models/{name}/versions/{version}/predict"], Expand("api/models/{name}[/versions/{version}]/predict"));

    /// <summary>The cells of each body row of the table whose header starts with <paramref name="header"/> (exactly one such table).</summary>
    private static IEnumerable<string[]> TableRows(string header)
    {
        var start = Assert.Single(Enumerable.Range(0, Readme.Length), i => Readme[i].StartsWith(header, StringComparison.Ordinal));
        return Readme.Skip(start + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray());
    }

    private static IEnumerable<string> Expand(string path)
    {
        var optional = OptionalPart().Match(path);
        return optional.Success
            ? Expand(path.Remove(optional.Index, optional.Length)).Concat(Expand(path.Remove(optional.Index, optional.Length).Insert(optional.Index, optional.Groups[1].Value)))
            : [path];
    }

    [GeneratedRegex(@"`([A-Z]+(?:/[A-Z]+)*) (api/[^`\s]+)`")]
    private static partial Regex RouteEntry();

    [GeneratedRegex(@"\[([^\]]+)\]")]
    private static partial Regex OptionalPart();
}
