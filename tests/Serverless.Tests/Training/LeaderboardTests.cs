using Serverless.Core.Training;

namespace Serverless.Tests.Training;

public sealed class LeaderboardTests
{
    private sealed record Trial(string Id, bool Ok, Dictionary<string, double> Metrics);

    [Fact]
    public void Rank_HigherIsBetterMetric_BestFirst_TiesByTrialId_FailedAndUnmeasuredLeftOut()
    {
        Trial[] trials =
        [
            new("t3", true, new() { ["auc"] = 0.8 }),
            new("t1", true, new() { ["auc"] = 0.9 }),
            new("t2", true, new() { ["auc"] = 0.8 }),
            new("t4", false, new() { ["auc"] = 0.99 }),
            new("t5", true, new() { ["accuracy"] = 0.99 }),
        ];

        var ranked = Leaderboard.Rank(trials, "auc", t => t.Ok, t => t.Id, t => t.Metrics);

        Assert.Equal(["t1", "t2", "t3"], ranked.Select(t => t.Id));
    }

    [Fact]
    public void Rank_LowerIsBetterMetric_SmallestFirst()
    {
        Trial[] trials = [new("a", true, new() { ["rmse"] = 2 }), new("b", true, new() { ["rmse"] = 1 })];

        Assert.Equal(["b", "a"], Leaderboard.Rank(trials, "rmse", t => t.Ok, t => t.Id, t => t.Metrics).Select(t => t.Id));
    }
}
