using System.Xml.Linq;
using Serverless.Core.Retraining;

namespace Serverless.Tests.Retraining;

/// <summary>The retraining section of a report page: the runs' table, and a chart of champion against challenger over the readings.</summary>
public sealed class RetrainingHtmlTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Render_NoRuns_IsEmpty() => Assert.Equal("", RetrainingHtml.Render([]));

    [Fact]
    public void Render_APromotedRun_ListsItAndChartsBothLinesThroughEveryStage()
    {
        var html = RetrainingHtml.Render([Promoted()]);

        Assert.StartsWith("<h2>Retraining</h2>", html);
        Assert.Contains("rt-20261201-100000-abcdef", html);
        Assert.Contains("<td class=\"l\">promoted</td>", html);
        Assert.Contains("<td class=\"l\">validation auc 0.8; from scratch: lightgbm cannot continue from a model</td>", html);
        var svg = XElement.Parse(html[html.IndexOf("<svg", StringComparison.Ordinal)..(html.IndexOf("</svg>", StringComparison.Ordinal) + 6)]);
        var lines = svg.Descendants("polyline").ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal([SvgLiveMetric.ChampionColour, SvgLiveMetric.ChallengerColour], lines.Select(l => (string)l.Attribute("stroke")!));
        Assert.All(lines, l => Assert.Equal(3, ((string)l.Attribute("points")!).Split(' ').Length));
        Assert.Equal(["shadow", "rollout 50 %", "rollout 100 %"], svg.Elements("text").Select(t => t.Value).Where(t => t.StartsWith("shadow") || t.StartsWith("rollout")));
        Assert.Contains(svg.Descendants("title"), t => t.Value.StartsWith("challenger at 10:01:00 UTC (shadow): 0.81 on 230 labelled rows; better"));
        var champion = lines[0].Attribute("points")!.Value.Split(' ').Select(p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var challenger = lines[1].Attribute("points")!.Value.Split(' ').Select(p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(champion.Zip(challenger), p => Assert.True(p.Second < p.First, "the better challenger is drawn higher"));
    }

    [Fact]
    public void Render_TextFromTheRun_IsEncoded()
    {
        var run = Promoted() with { Reason = "<script>alert(1)</script>", Trigger = new RetrainingTrigger("manual", "by <b>me</b>") };

        var html = RetrainingHtml.Render([run]);

        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Fact]
    public void Render_ARunWithoutReadings_IsListedWithoutAChart()
    {
        var html = RetrainingHtml.Render([Promoted() with { Steps = [], Decision = null, Status = RetrainingStatuses.WaitingForApproval, Stage = RetrainingStages.Approval }]);

        Assert.Contains("waiting for approval (waiting for approval)", html);
        Assert.DoesNotContain("<svg", html);
    }

    private static RetrainingRun Promoted() => new()
    {
        RunId = "rt-20261201-100000-abcdef",
        Model = "churn",
        Alias = "production",
        Status = RetrainingStatuses.Completed,
        Stage = RetrainingStages.Rollout,
        Trigger = new RetrainingTrigger(RetrainingSources.Decay, "performance_decay"),
        CreatedUtc = Start,
        Champion = "1",
        Sweep = new RetrainingSweep("rt-sweep", "auc", [], "2", 0.8, false, "lightgbm cannot continue from a model"),
        Steps =
        [
            Step(RetrainingStages.Shadow, 100, 1, 0.81, 0.42),
            Step(RetrainingStages.Rollout, 50, 2, 0.8, 0.43),
            Step(RetrainingStages.Rollout, 100, 3, 0.79, 0.41),
        ],
        Decision = RetrainingDecisions.Promoted,
        Reason = "rollout completed and the challenger wins",
    };

    private static RetrainingStep Step(string stage, int weight, int minute, double challenger, double champion) =>
        new(stage, weight, Start.AddMinutes(minute), new LiveComparison(Start, Start.AddMinutes(minute), "auc", challenger, champion, 230, 230), "better", "n");
}
