using System.Text;
using System.Text.Json;
using Serverless.Core.Monitoring;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Monitoring.Variants;

namespace Serverless.Tests.Monitoring.Variants;

/// <summary>Mirror copies in a version's own report, and the variants in the report's JSON and page.</summary>
public sealed class VariantReportTests
{
    [Fact]
    public void Window_MirrorCopies_StayOutOfServiceAndOutcomesButCountAsRows()
    {
        var data = new VariantData();
        var served = data.Classified("5", 40, right: 40);
        var mirrored = data.Classified("1", 60, right: 0).Select(r => r with { Version = "5", Mirror = true, LatencyMs = 1 }).ToList();
        var window = data.Window(VariantData.Binary, [.. served, .. mirrored, VariantData.Failed("5", "mirror-failed", mirror: true)]);

        var report = window.Build("run", "churn", "5", VariantData.Now.AddHours(-24), VariantData.Now, VariantData.Now, new MonitoringOptions());
        var variant = window.Variant();

        Assert.Equal((40L, 0L), (report.Service.Requests, report.Service.Errors));
        Assert.Equal(40, Assert.Single(report.Service.Apis!).Rows);
        Assert.Equal(10, report.Service.LatencyP50Ms);
        Assert.Equal((100L, 60L), (report.Rows, report.MirrorRows));
        Assert.Equal(100, report.Performance.LabelledRows);
        Assert.Equal((40L, 40L), (variant.Outcomes!.Trials, variant.Outcomes.Correct));
        Assert.Equal(40, variant.Service.Requests);
    }

    [Fact]
    public void Report_WithVariants_WritesThemSnakeCaseAndOmitsThemWhenNone()
    {
        var (report, _) = Judged();

        using var json = JsonDocument.Parse(report.ToJson());
        var comparison = json.RootElement.GetProperty("variants").GetProperty("comparisons")[0];
        var challenger = comparison.GetProperty("versions")[1];
        Assert.Equal("production", comparison.GetProperty("alias").GetString());
        Assert.Equal("challenger", challenger.GetProperty("role").GetString());
        Assert.Equal("worse", challenger.GetProperty("metric_test").GetProperty("verdict").GetString());
        Assert.True(challenger.GetProperty("metric_test").GetProperty("p_value").GetDouble() < 0.05);
        Assert.True(challenger.GetProperty("live").TryGetProperty("low", out _));
        Assert.Equal("two_proportion_z", challenger.GetProperty("error_rate_test").GetProperty("method").GetString());
        var mirror = json.RootElement.GetProperty("variants").GetProperty("mirrors")[0];
        Assert.Equal(20, mirror.GetProperty("primaries")[0].GetProperty("paired_rows").GetInt64());
        Assert.False(JsonDocument.Parse((report with { Variants = null }).ToJson()).RootElement.TryGetProperty("variants", out _));
    }

    [Fact]
    public void Page_WithVariants_HasTheSideBySideTableAndAnAccessibleChart()
    {
        var (report, _) = Judged();

        var html = MonitoringHtml.Render(report);

        Assert.Contains("<h2>Variants</h2>", html);
        Assert.Contains("<caption>Versions of alias production side by side</caption>", html);
        Assert.Contains("<span class=\"badge yes\">worse</span>: -30 pts [", html);
        Assert.Contains("60 % [", html);
        Assert.Contains("role=\"img\" aria-label=\"accuracy per version of alias production with 95 % confidence intervals\"", html);
        Assert.Contains("<title>version 2: 60 % (95 % CI ", html);
        Assert.Contains("<h3>Mirror agreement</h3>", html);
        Assert.Contains(".chart .champion", html);
        Assert.DoesNotContain("Variants", MonitoringHtml.Render(report with { Variants = null }));
    }

    [Fact]
    public void Page_VariantAliasNameWithMarkup_IsEncoded()
    {
        var (report, variants) = Judged();
        var hostile = report with { Variants = variants with { Comparisons = [variants.Comparisons[0] with { Alias = "<script>x</script>" }] } };

        var html = MonitoringHtml.Render(hostile);

        Assert.DoesNotContain("<script>x", html);
        Assert.Contains("&lt;script&gt;x&lt;/script&gt;", html);
        Assert.True(Encoding.UTF8.GetByteCount(html) > 0);
    }

    private static (MonitoringReport Report, VariantsReport Variants) Judged()
    {
        var data = new VariantData();
        var champion = data.Window(VariantData.Binary, data.Classified("1", 200, right: 180));
        var challenger = data.Window(VariantData.Binary, data.Classified("2", 100, right: 60));
        var join = new MirrorJoin(WindowLimits.Default, new RowSampler(1));
        foreach (var i in Enumerable.Range(0, 20))
        {
            join.Add(VariantData.Served("1", $"1-{i}", label: "1"));
            join.Add(VariantData.Served("3", $"1-{i}", label: i < 18 ? "1" : "0", mirror: true));
        }

        var variants = VariantComparer.Build([VariantData.Split("production", ("1", 90), ("2", 10))],
            new Dictionary<string, VariantWindow> { ["1"] = champion.Variant(), ["2"] = challenger.Variant() }, join.Build(), 30, 30)!;
        var report = champion.Build("run", "churn", "1", VariantData.Now.AddHours(-24), VariantData.Now, VariantData.Now, new MonitoringOptions()) with { Variants = variants };
        return (report, variants);
    }
}
