using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Serverless.Cli;
using Serverless.Tests.Monitoring.Drift;
using static Serverless.Tests.Monitoring.Drift.DriftTestData;

namespace Serverless.Tests.Cli;

/// <summary>The <c>drift</c> command end to end, in process, on CSV files in a temporary folder.</summary>
public sealed class DriftCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("drift-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Json_HasTheDocumentedShapeAndScipyValues()
    {
        var (reference, current) = WriteSampleFiles();

        var (code, stdout, stderr) = await RunAsync("drift", "--reference", reference, "--current", current, "--json");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        foreach (var key in new[] { "features", "dataset_drift", "drift_share", "n_reference", "n_current" })
        {
            Assert.True(json.ContainsKey(key), key);
        }

        Assert.Equal(40, (long)json["n_reference"]!);
        Assert.Equal(35, (long)json["n_current"]!);
        var features = json["features"]!.AsArray();
        Assert.Equal(["x", "colour"], features.Select(f => (string?)f!["name"]));
        foreach (var feature in features)
        {
            foreach (var key in new[] { "name", "type", "method", "statistic", "p_value", "threshold", "drifted" })
            {
                Assert.True(feature!.AsObject().ContainsKey(key), key);
            }
        }

        var x = features[0]!;
        Assert.Equal("numeric", (string?)x["type"]);
        Assert.Equal("ks", (string?)x["method"]);
        Pinned.Statistic(0.3107142857142857, (double)x["statistic"]!);
        Pinned.PValue(0.04228295187645455, (double)x["p_value"]!);
        Pinned.PValue(0.04228295187645455, (double)x["adjusted_p_value"]!);
        Assert.True((bool)x["drifted"]!);
        var colour = features[1]!;
        Assert.Equal("categorical", (string?)colour["type"]);
        Assert.Equal("chisquare", (string?)colour["method"]);
        Pinned.Statistic(12.38095238095238, (double)colour["statistic"]!);
        Pinned.PValue(0.002048850877668263, (double)colour["p_value"]!);
        Assert.Equal(0.05, (double)colour["threshold"]!);
        Pinned.PValue(0.004097701755336526, (double)colour["adjusted_p_value"]!);
        Assert.True((bool)colour["drifted"]!);
        Assert.True((bool)json["dataset_drift"]!);
        Assert.Equal(1.0, (double)json["drift_share"]!);
    }

    [Fact]
    public async Task Table_ListsFeaturesAndTheDatasetLine()
    {
        var (reference, current) = WriteSampleFiles();

        var (code, stdout, _) = await RunAsync("drift", "--reference", reference, "--current", current, "--no-bh", "--threshold-share", "1");

        Assert.Equal(0, code);
        var lines = stdout.Split('\n');
        Assert.StartsWith("feature", lines[0]);
        Assert.Contains("p-value", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("x ", StringComparison.Ordinal) && l.Contains("ks") && l.Contains("0.04228") && l.Contains("yes"));
        Assert.Contains(lines, l => l.StartsWith("colour ", StringComparison.Ordinal) && l.Contains("chisquare"));
        Assert.Contains("Dataset drift: yes (2 of 2 features drifted", stdout);
        Assert.Contains("40 reference rows, 35 current rows", stdout);
    }

    [Fact]
    public async Task Categorical_TurnsANumericColumnIntoCategories()
    {
        var (reference, current) = WriteSampleFiles();

        var (code, stdout, _) = await RunAsync("drift", "--reference", reference, "--current", current, "--json", "--categorical", "x");

        Assert.Equal(0, code);
        var x = JsonNode.Parse(stdout)!["features"]![0]!;
        Assert.Equal("categorical", (string?)x["type"]);
        Assert.Equal("chisquare", (string?)x["method"]);
    }

    [Fact]
    public async Task Html_IsWrittenAndSelfContained()
    {
        var (reference, current) = WriteSampleFiles();
        var html = Path.Combine(_folder, "report.html");

        var (code, _, _) = await RunAsync("drift", "--reference", reference, "--current", current, "--html", html);

        Assert.Equal(0, code);
        var page = await File.ReadAllTextAsync(html);
        Assert.Contains("<svg", page);
        Assert.Contains("colour", page);
        Assert.DoesNotContain("http", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", page, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Help_PrintsUsage()
    {
        var (code, stdout, _) = await RunAsync("drift", "--help");
        var (topCode, topOut, _) = await RunAsync("--help");

        Assert.Equal(0, code);
        Assert.Contains("--reference", stdout);
        Assert.Contains("--threshold-share", stdout);
        Assert.Equal(0, topCode);
        Assert.Contains("drift", topOut);
    }

    [Fact]
    public async Task MalformedCsv_IsADataError()
    {
        var reference = Write("ref.csv", "a,b\n1,\"unterminated\n2,3\n");
        var current = Write("cur.csv", "a,b\n1,2\n");

        var (code, _, stderr) = await RunAsync("drift", "--reference", reference, "--current", current);

        Assert.Equal(1, code);
        Assert.Contains("is not a valid CSV", stderr);
        Assert.Contains("ref.csv", stderr);
    }

    [Fact]
    public async Task RowWiderThanHeader_IsADataError()
    {
        var reference = Write("ref.csv", "a,b\n1,2\n3,4,5\n");
        var current = Write("cur.csv", "a,b\n1,2\n");

        var (code, _, stderr) = await RunAsync("drift", "--reference", reference, "--current", current);

        Assert.Equal(1, code);
        Assert.Contains("is not a valid CSV", stderr);
    }

    [Fact]
    public async Task EmptyFile_IsADataError()
    {
        var reference = Write("ref.csv", "");
        var current = Write("cur.csv", "a\n1\n");

        var (code, _, stderr) = await RunAsync("drift", "--reference", reference, "--current", current);

        Assert.Equal(1, code);
        Assert.Contains("is empty", stderr);
    }

    [Fact]
    public async Task HeaderWithoutRows_IsADataError()
    {
        var (code, _, stderr) = await RunAsync("drift", "--reference", Write("ref.csv", "a,b\n"), "--current", Write("cur.csv", "a,b\n1,2\n"));

        Assert.Equal(1, code);
        Assert.Contains("no data rows", stderr);
    }

    [Fact]
    public async Task MissingFile_IsADataError()
    {
        var (code, _, stderr) = await RunAsync("drift", "--reference", Path.Combine(_folder, "nope.csv"), "--current", Write("cur.csv", "a\n1\n"));

        Assert.Equal(1, code);
        Assert.Contains("does not exist", stderr);
    }

    [Fact]
    public async Task DifferentHeaders_IsADataError()
    {
        var reference = Write("ref.csv", "a,b\n1,2\n");
        var current = Write("cur.csv", "a,c\n1,2\n");

        var (code, _, stderr) = await RunAsync("drift", "--reference", reference, "--current", current);

        Assert.Equal(1, code);
        Assert.Contains("different columns", stderr);
        Assert.Contains("'b'", stderr);
        Assert.Contains("'c'", stderr);
    }

    [Fact]
    public async Task UnknownCategoricalColumn_IsAUsageError()
    {
        var (reference, current) = WriteSampleFiles();

        var (code, _, stderr) = await RunAsync("drift", "--reference", reference, "--current", current, "--categorical", "x,nope");

        Assert.Equal(2, code);
        Assert.Contains("'nope'", stderr);
    }

    [Theory]
    [InlineData("drift", "--current", "c.csv")]
    [InlineData("drift", "--reference", "r.csv", "--current", "c.csv", "--bogus")]
    [InlineData("drift", "--reference", "r.csv", "--current")]
    [InlineData("drift", "--reference", "r.csv", "--current", "c.csv", "--threshold-share", "1.5")]
    [InlineData("drift", "--reference", "r.csv", "--current", "c.csv", "--threshold-share", "x")]
    [InlineData("compare")]
    [InlineData]
    public async Task BadCommandLine_IsAUsageError(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.NotEqual("", stderr.Trim());
    }

    [Fact]
    public async Task FailOnDrift_DatasetDrifted_PrintsTheReportAndExitsThree()
    {
        var (reference, current) = WriteSampleFiles();

        var (code, stdout, stderr) = await RunAsync("drift", "--reference", reference, "--current", current, "--json", "--fail-on-drift");

        Assert.Equal(ExitCodes.DriftFound, code);
        Assert.Equal(3, code);
        Assert.True((bool)JsonNode.Parse(stdout)!["dataset_drift"]!);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task FailOnDrift_NoDrift_ExitsZero()
    {
        var (reference, _) = WriteSampleFiles();

        var (code, stdout, _) = await RunAsync("drift", "--reference", reference, "--current", reference, "--json", "--fail-on-drift");

        Assert.Equal(0, code);
        Assert.False((bool)JsonNode.Parse(stdout)!["dataset_drift"]!);
    }

    [Fact]
    public async Task Drift_WithoutFailOnDrift_ExitsZeroEvenWhenTheDatasetDrifted()
    {
        var (reference, current) = WriteSampleFiles();

        var (code, stdout, _) = await RunAsync("drift", "--reference", reference, "--current", current);

        Assert.Equal(0, code);
        Assert.Contains("drift", stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FailOnDrift_BadFile_IsStillADataError()
    {
        var (reference, _) = WriteSampleFiles();

        var (code, _, _) = await RunAsync("drift", "--reference", reference, "--current", Path.Combine(_folder, "missing.csv"), "--fail-on-drift");

        Assert.Equal(ExitCodes.DataError, code);
    }

    [Fact]
    public async Task FailOnDrift_GivenAValue_IsAUsageError()
    {
        var (reference, current) = WriteSampleFiles();

        var (code, _, _) = await RunAsync("drift", "--reference", reference, "--current", current, "--fail-on-drift=yes");

        Assert.Equal(ExitCodes.UsageError, code);
    }

    [Fact]
    public void ExitCodes_AreTheDocumentedNumbers()
    {
        Assert.Equal((0, 1, 2, 3), (ExitCodes.Success, ExitCodes.DataError, ExitCodes.UsageError, ExitCodes.DriftFound));
        Assert.Contains("--fail-on-drift", DriftCommand.Details);
        Assert.Contains("3 the dataset drifted and --fail-on-drift was given", DriftCommand.Details);
    }

    /// <summary>40 reference and 35 current rows (reference_values.py, "cli."): numeric x (shifted), categorical colour (changed mix).</summary>
    private (string Reference, string Current) WriteSampleFiles()
    {
        var colourReference = Repeat(("red", 20), ("green", 12), ("blue", 8));
        var colourCurrent = Repeat(("red", 10), ("green", 10), ("blue", 15));
        var reference = Table(Normals(81, 40), colourReference);
        var current = Table(Normals(82, 35, 0.8), colourCurrent);
        return (Write("reference.csv", reference), Write("current.csv", current));
    }

    private static string Table(double[] x, string[] colour)
    {
        var text = new StringBuilder("x,colour\n");
        for (var i = 0; i < x.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{x[i]:R},\"{colour[i]}\"\n");
        }

        return text.ToString();
    }

    private static string[] Repeat(params (string Value, int Count)[] runs) => runs.SelectMany(r => Enumerable.Repeat(r.Value, r.Count)).ToArray();

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
