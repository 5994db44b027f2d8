using System.Text.Json;
using Serverless.Orchestrations.Training;

namespace Serverless.Tests.Orchestrations;

public sealed class TrialPlannerTests
{
    [Fact]
    public void Plan_GridsAndDefaults_AreEveryCombinationNumberedInOrder()
    {
        var trials = TrialPlanner.Plan(Request(
            new AlgorithmSearch { Name = "lightgbm", Grid = Grid(("num_leaves", ["8", "16", "32"]), ("learning_rate", ["0.1", "0.2"])) },
            new AlgorithmSearch { Name = "sdca" }));

        Assert.Equal(7, trials.Count);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"t{i:D3}"), trials.Select(t => t.TrialId));
        Assert.Equal(6, trials.Take(6).Select(t => $"{t.Hyperparameters["num_leaves"]}/{t.Hyperparameters["learning_rate"]}").Distinct().Count());
        Assert.Empty(trials[6].Hyperparameters);
    }

    [Fact]
    public void Plan_RandomSearch_IsDeterministicForASeedAndStaysInRange()
    {
        var search = new AlgorithmSearch
        {
            Name = "lbfgs",
            Random = new RandomSearch
            {
                Trials = 20,
                Seed = 5,
                Space = new Dictionary<string, ParameterRange>
                {
                    ["l2_regularization"] = new() { Min = 0.001, Max = 10, Log = true },
                    ["max_iterations"] = new() { Min = 10, Max = 100, Integer = true },
                    ["kind"] = new() { Values = [JsonDocument.Parse("\"a\"").RootElement, JsonDocument.Parse("\"b\"").RootElement] },
                },
            },
        };

        var first = TrialPlanner.Plan(Request(search));
        var second = TrialPlanner.Plan(Request(search));

        Assert.Equal(first.Select(Describe), second.Select(Describe));
        Assert.All(first, t => Assert.InRange(t.Hyperparameters["l2_regularization"].GetDouble(), 0.001, 10));
        Assert.All(first, t => Assert.InRange(t.Hyperparameters["max_iterations"].GetInt32(), 10, 100));
        Assert.Equal(2, first.Select(t => t.Hyperparameters["kind"].GetString()).Distinct().Count());
    }

    [Fact]
    public void Plan_TooManyTrials_Throws()
    {
        var values = Enumerable.Range(1, 15).Select(i => i.ToString()).ToArray();
        var error = Assert.Throws<ArgumentException>(() => TrialPlanner.Plan(Request(new AlgorithmSearch { Name = "lightgbm", Grid = Grid(("a", values), ("b", values)) })));

        Assert.Contains("225 trials", error.Message);
    }

    [Fact]
    public void Plan_CapGiven_IsTheCapApplied()
    {
        var values = Enumerable.Range(1, 15).Select(i => i.ToString()).ToArray();
        var request = Request(new AlgorithmSearch { Name = "lightgbm", Grid = Grid(("a", values), ("b", values)) });

        Assert.Equal(225, TrialPlanner.Plan(request, maxTrials: 225).Count);
        Assert.Contains("at most 224", Assert.Throws<ArgumentException>(() => TrialPlanner.Plan(request, maxTrials: 224)).Message);
    }

    [Fact]
    public void Count_GridsRandomAndDefaults_AddUp()
    {
        var request = Request(
            new AlgorithmSearch { Name = "lightgbm", Grid = Grid(("a", ["1", "2", "3"]), ("b", ["1", "2"])) },
            new AlgorithmSearch { Name = "lbfgs", Random = new RandomSearch { Trials = 7, Space = new Dictionary<string, ParameterRange>() } },
            new AlgorithmSearch { Name = "sdca" });

        Assert.Equal(6 + 7 + 1, TrialPlanner.Count(request));
        Assert.Equal(14, TrialPlanner.Plan(request).Count);
    }

    [Fact]
    public void Plan_HugeGrid_IsRefusedBeforeExpandingAnything()
    {
        // 10 hyperparameters x 1000 values: 10^30 combinations, which overflows a long.
        var values = Enumerable.Range(1, 1000).Select(i => i.ToString()).ToArray();
        var request = Request(new AlgorithmSearch { Name = "lightgbm", Grid = Grid(Enumerable.Range(0, 10).Select(i => ($"p{i}", values)).ToArray()) });
        TrialPlanner.Count(request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = TrialPlanner.Count(request);
        var counted = GC.GetAllocatedBytesForCurrentThread() - before;
        var error = Assert.Throws<ArgumentException>(() => TrialPlanner.Plan(request));
        var refused = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(long.MaxValue, count);
        Assert.Contains("more than", error.Message);
        Assert.True(counted < 1024, $"counting allocated {counted} bytes");
        Assert.True(refused < 64 * 1024, $"refusing allocated {refused} bytes");
    }

    [Fact]
    public void Count_SumOfSearchesNearLongMax_Saturates()
    {
        var values = Enumerable.Range(1, 1000).Select(i => i.ToString()).ToArray();
        var search = new AlgorithmSearch { Name = "lightgbm", Grid = Grid(Enumerable.Range(0, 6).Select(i => ($"p{i}", values)).ToArray()) };

        Assert.Equal(1_000_000_000_000_000_000, TrialPlanner.Count(Request(search)));
        Assert.Equal(long.MaxValue, TrialPlanner.Count(Request(Enumerable.Repeat(search, 10).ToArray())));
    }

    private static string Describe(TrialPlan trial) => string.Join(";", trial.Hyperparameters.Select(p => $"{p.Key}={p.Value}"));

    private static Dictionary<string, IReadOnlyList<JsonElement>> Grid(params (string Name, string[] Values)[] parameters) =>
        parameters.ToDictionary(p => p.Name, p => (IReadOnlyList<JsonElement>)p.Values.Select(v => JsonDocument.Parse(v).RootElement).ToList());

    private static TrainingSweepRequest Request(params AlgorithmSearch[] searches) => new()
    {
        Dataset = "data/x.csv",
        Target = "y",
        Task = "binary",
        Metric = "auc",
        ModelName = "m",
        Algorithms = searches,
    };
}
