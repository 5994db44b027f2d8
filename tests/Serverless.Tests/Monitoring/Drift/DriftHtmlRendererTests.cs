using Serverless.Core.Baselines;
using Serverless.Core.Monitoring.Drift;
using Serverless.Core.Monitoring.Reports;
using static Serverless.Tests.Monitoring.Drift.DriftTestData;

namespace Serverless.Tests.Monitoring.Drift;

/// <summary>The HTML drift report and the histograms it draws.</summary>
public sealed class DriftHtmlRendererTests
{
    [Fact]
    public void Render_IsSelfContainedWithOneChartPerFeatureAndEncodedNames()
    {
        DriftColumn[] reference = [new NumericColumn("age<script>", Normals(1, 300, 40, 10), 0), new CategoricalColumn("city", new Dictionary<string, long> { ["Oslo & co"] = 200, ["Bergen"] = 100 }, 0)];
        DriftColumn[] current = [new NumericColumn("age<script>", Normals(2, 200, 45, 10), 0), new CategoricalColumn("city", new Dictionary<string, long> { ["Oslo & co"] = 100, ["Bergen"] = 100 }, 0)];
        var report = DriftEngine.Compare(reference, current, 300, 200);

        var html = DriftHtmlRenderer.Render(report, DriftHistograms.FromColumns(reference, current));

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Equal(2, CountOf(html, "<svg"));
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("age&lt;script&gt;", html);
        Assert.Contains("Oslo &amp; co", html);
        Assert.Contains("<style>", html);
    }

    [Fact]
    public void FromColumns_NumericBinsCoverBothSamples()
    {
        var histogram = DriftHistograms.FromColumns(new NumericColumn("x", [0.0, 1, 2, 3], 0), new NumericColumn("x", [10.0, 10], 0), bins: 5);

        Assert.Equal([0.0, 2, 4, 6, 8, 10], histogram.Edges);
        Assert.Equal([2L, 2, 0, 0, 0], histogram.Reference);
        Assert.Equal([0L, 0, 0, 0, 2], histogram.Current);
    }

    [Fact]
    public void FromColumns_CategoriesBeyondTheLimitArePooled()
    {
        var reference = new CategoricalColumn("c", Enumerable.Range(0, 30).ToDictionary(i => $"k{i:00}", i => 100L - i), 0);
        var current = new CategoricalColumn("c", new Dictionary<string, long> { ["k00"] = 5, ["new"] = 1 }, 0);

        var histogram = DriftHistograms.FromColumns(reference, current, maxCategories: 10);

        Assert.Equal(10, histogram.Categories!.Count);
        Assert.Equal(DriftHistograms.OtherLabel, histogram.Categories[^1]);
        Assert.Equal(reference.Counts.Values.Sum(), histogram.Reference.Sum());
        Assert.Equal(6, histogram.Current.Sum());
    }

    [Fact]
    public void FromBaseline_BinsTheCurrentValuesOnTheBaselineEdges()
    {
        var builder = new BaselineBuilder("x", numeric: true);
        foreach (var v in Normals(3, 1000))
        {
            builder.AddNumber(v);
        }

        var baseline = new DatasetBaseline { Rows = 1000, Features = [builder.Build()] };

        var histogram = Assert.Single(DriftHistograms.FromBaseline(baseline, [new NumericColumn("x", Normals(4, 100), 0)]));

        Assert.Equal(baseline.Features[0].HistogramEdges, histogram.Edges);
        Assert.Equal(baseline.Features[0].HistogramCounts, histogram.Reference);
        Assert.Equal(100, histogram.Current.Sum());
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
