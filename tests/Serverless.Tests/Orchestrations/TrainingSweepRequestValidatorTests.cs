using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Core.Training.Runners;
using Serverless.Functions.Training;

namespace Serverless.Tests.Orchestrations;

/// <summary>The sweep request as the start reads it: quotas, hyperparameter ranges from the catalog, data containers.</summary>
public sealed class TrainingSweepRequestValidatorTests
{
    private static readonly TrainingOptions Options = new() { MaxTrialsPerSweep = 20, MaxTrialTimeoutMinutes = 120 };

    [Fact]
    public void Read_ValidRequest_NormalisesTheMetricAndKeepsTheTimeout()
    {
        var request = Read(Body("""[{"name":"lightgbm","grid":{"num_leaves":[8,16],"n_estimators":[50]}}]""", extra: "\"trial_timeout_minutes\":90,"));

        Assert.Equal("auc", request.Metric);
        Assert.Equal(90, request.TrialTimeoutMinutes);
        Assert.Equal("training/churn.csv", request.Dataset);
    }

    [Fact]
    public void Read_WarmStartFrom_KeepsTheVersionAndTheModel()
    {
        var request = Read(Body("""[{"name":"lbfgs"}]""", extra: "\"warm_start_from\":{\"version\":\"3\",\"model\":\"churn-old\"},"));

        Assert.Equal(new Serverless.Orchestrations.Training.SweepWarmStart("3", "churn-old"), request.WarmStartFrom);
    }

    [Theory]
    [InlineData("""{"version":"https://attacker.example/model.zip"}""", "'warm_start_from.version'")]
    [InlineData("""{"version":"  "}""", "'warm_start_from.version' is required")]
    [InlineData("""{"version":"1","model":"a/b"}""", "'warm_start_from.model'")]
    [InlineData("""{"version":"1","model_uri":"file:///etc/passwd"}""", "model_uri")]
    public void Read_WarmStartFromThatIsNotAModelAndVersion_IsBadRequestNamingTheField(string warmStart, string expected)
    {
        var error = Refused(Body("""[{"name":"lbfgs"}]""", extra: $"\"warm_start_from\":{warmStart},"));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_NumTreesOf2Pow31_IsBadRequestNamingAlgorithmHyperparameterAndRange()
    {
        var error = Refused(Body("""[{"name":"fasttree","grid":{"num_trees":[50, 2147483648]}}]"""));

        Assert.Contains("fasttree", error.Message);
        Assert.Contains("'num_trees'", error.Message);
        Assert.Contains("a whole number from 1 to 10000", error.Message);
        Assert.Contains("2147483648", error.Message);
    }

    [Theory]
    [InlineData("""[{"name":"lightgbm","grid":{"learning_rate":[0]}}]""", "'learning_rate' must be greater than 0 and at most 1")]
    [InlineData("""[{"name":"lightgbm","grid":{"learning_rate":["fast"]}}]""", "'learning_rate' must be a number")]
    [InlineData("""[{"name":"lightgbm","grid":{"num_leaves":[true]}}]""", "'num_leaves' must be a whole number from 2 to 1024")]
    [InlineData("""[{"name":"lightgbm","grid":{"num_leaves":[1.5]}}]""", "'num_leaves' must be a whole number from 2 to 1024")]
    [InlineData("""[{"name":"sdca","grid":{"l2_regularization":[-1]}}]""", "'l2_regularization' must be at least 0 and at most 10000")]
    [InlineData("""[{"name":"lightgbm","grid":{"num_iterations":[10],"n_estimators":[20]}}]""", "mean the same")]
    [InlineData("""[{"name":"lightgbm","random":{"trials":5,"space":{"num_leaves":{"min":2,"max":5000,"integer":true}}}}]""", "'num_leaves' must be a whole number from 2 to 1024; got 5000")]
    [InlineData("""[{"name":"lightgbm","random":{"trials":5,"space":{"learning_rate":{"min":0,"max":0.5}}}}]""", "'learning_rate' must be greater than 0")]
    [InlineData("""[{"name":"lightgbm","random":{"trials":5,"space":{"num_leaves":{"min":2,"max":64}}}}]""", "set 'integer': true")]
    [InlineData("""[{"name":"lightgbm","random":{"trials":5,"space":{"num_leaves":{"values":[8,99999]}}}}]""", "got 99999")]
    public void Read_HyperparameterOutsideTheCatalog_IsBadRequestNamingIt(string algorithms, string expected)
    {
        Assert.Contains(expected, Refused(Body(algorithms)).Message);
    }

    [Fact]
    public void Read_UnknownHyperparameter_IsBadRequestNamingTheKnownOnes()
    {
        var error = Refused(Body("""[{"name":"sdca","grid":{"num_trees":[10]}}]"""));

        Assert.Contains("sdca has no hyperparameter 'num_trees'", error.Message);
        Assert.Contains("l1_regularization, l2_regularization, max_iterations", error.Message);
    }

    [Fact]
    public void Read_MoreTrialsThanTheQuota_IsBadRequestNamingTheSetting()
    {
        var error = Refused(Body("""[{"name":"lightgbm","grid":{"num_leaves":[2,3,4,5,6],"min_data_in_leaf":[1,2,3,4,5]}}]"""));

        Assert.Contains("25 trials", error.Message);
        Assert.Contains("at most 20", error.Message);
        Assert.Contains("Training:MaxTrialsPerSweep", error.Message);
    }

    [Fact]
    public void Read_HugeGrid_IsRefusedWithoutExpandingIt()
    {
        var values = string.Join(",", Enumerable.Range(2, 1000));
        var grid = string.Join(",", new[] { "num_leaves", "min_data_in_leaf" }.Select(n => $"\"{n}\":[{values}]"));
        var body = Body("[{\"name\":\"lightgbm\",\"grid\":{" + grid + "}},{\"name\":\"fasttree\",\"grid\":{" + grid + "}}]");
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Refused(body);

        Assert.Contains("2000000 trials", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L * 1024 * 1024);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(121)]
    public void Read_TrialTimeoutOutsideTheCeiling_IsBadRequestNamingTheSetting(int minutes)
    {
        var error = Refused(Body("""[{"name":"sdca"}]""", extra: $"\"trial_timeout_minutes\":{minutes},"));

        Assert.Contains("'trial_timeout_minutes' must be between 1 and 120", error.Message);
        Assert.Contains("Training:MaxTrialTimeoutMinutes", error.Message);
    }

    [Theory]
    [InlineData("models/churn.csv", "not a data container")]
    [InlineData("azure-webjobs-secrets/host.json", "not a data container")]
    [InlineData("training/../models/x.csv", "'..'")]
    [InlineData("https://account.blob.core.windows.net/training/x.csv", "not a URL")]
    public void Read_DatasetOutsideTheDataContainers_IsBadRequestNamingTheField(string dataset, string expected)
    {
        var error = Refused(Body("""[{"name":"sdca"}]""", dataset: dataset));

        Assert.StartsWith("'dataset' ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_MisspelledHyperparameter_IsBadRequestNamingTheAlgorithmTheNameAndTheKnownOnes()
    {
        var error = Refused(Body("""[{"name":"lightgbm","grid":{"num_leafs":[8,16]}}]"""));

        Assert.Equal("'algorithms': lightgbm has no hyperparameter 'num_leafs' (did you mean 'num_leaves'?); " +
                     "it knows num_leaves, learning_rate, num_iterations, n_estimators, min_data_in_leaf.", error.Message);
    }

    [Fact]
    public void Read_MisspelledHyperparameterInARandomSpace_IsBadRequestToo()
    {
        var error = Refused(Body("""[{"name":"lightgbm","random":{"trials":3,"space":{"num_leafs":{"min":8,"max":64,"integer":true}}}}]"""));

        Assert.Contains("lightgbm has no hyperparameter 'num_leafs'", error.Message);
    }

    [Fact]
    public void Read_LbfgsForRegression_IsBadRequestNamingTheAlgorithmsThatFit()
    {
        var error = Refused(Body("""[{"name":"sdca"},{"name":"lbfgs"}]""", task: "regression", metric: "rmse"));

        Assert.Equal("'algorithms': lbfgs does not train regression tasks (it trains binary and multiclass); for regression use lightgbm, fasttree, sdca, torch_mlp, torch_ft_transformer.",
            error.Message);
    }

    [Theory]
    [InlineData("binary", "lbfgs")]
    [InlineData("multiclass", "lbfgs")]
    [InlineData("regression", "fasttree")]
    [InlineData("regression", "lightgbm")]
    public void Read_AlgorithmThatTrainsTheTask_IsAccepted(string task, string algorithm)
    {
        var metric = task == "regression" ? "rmse" : "accuracy";

        Assert.Equal(task, Read(Body($"[{{\"name\":\"{algorithm}\"}}]", task: task, metric: metric)).Task);
    }

    [Fact]
    public void Read_MetricOfAnotherTask_IsBadRequestListingTheTasksMetrics()
    {
        var error = Refused(Body("""[{"name":"sdca"}]""", task: "regression", metric: "auc"));

        Assert.Equal("'metric' auc does not apply to regression tasks; use rmse, mae, r2.", error.Message);
    }

    [Theory]
    [InlineData("\"model_name\":\"churn model\"", "'model_name' must be a valid model name")]
    [InlineData("\"model_name\":\"-churn\"", "'model_name' must be a valid model name")]
    [InlineData("\"model_name\":\"churn\",\"promotion\":{\"policy\":\"promote-if-better\",\"alias\":\"1st\"}", "'promotion.alias' must be a valid alias")]
    [InlineData("\"model_name\":\"churn\",\"promotion\":{\"policy\":\"promote-if-better\",\"alias\":\"prod/x\"}", "'promotion.alias' must be a valid alias")]
    public void Read_NameTheRegistryRefuses_IsBadRequestNamingTheField(string names, string expected)
    {
        var body = Body("""[{"name":"sdca"}]""").Replace("\"model_name\":\"churn\"", names, StringComparison.Ordinal);

        Assert.StartsWith(expected, Refused(body).Message);
    }

    private static string Body(string algorithms, string extra = "", string dataset = "training/churn.csv", string task = "binary", string metric = "AUC") =>
        $$"""{"dataset":"{{dataset}}","target":"churned","task":"{{task}}",{{extra}}"algorithms":{{algorithms}},"metric":"{{metric}}","model_name":"churn"}""";

    private static Serverless.Orchestrations.Training.TrainingSweepRequest Read(string body) =>
        TrainingSweepRequestReader.Read(Encoding.UTF8.GetBytes(body), Options, DataContainers.Default);

    private static ServingException Refused(string body)
    {
        var error = Assert.Throws<ServingException>(() => Read(body));
        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        return error;
    }
}
