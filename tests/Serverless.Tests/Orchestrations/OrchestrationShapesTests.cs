using System.Text.Json;
using Microsoft.DurableTask.Converters;
using Serverless.Functions;
using Serverless.Functions.Http;
using Serverless.Functions.Orchestrations;
using Serverless.Local.Catalog;
using Serverless.Orchestrations.BatchScoring;
using Serverless.Orchestrations.Training;

namespace Serverless.Tests.Orchestrations;

/// <summary>
/// The status route answers an orchestration's custom status and output snake_case, whatever spelling the history
/// holds: Durable's own (.NET names, as every instance started so far recorded them) or snake_case.
/// </summary>
public sealed class OrchestrationShapesTests
{
    [Fact]
    public void CustomStatus_RecordedWithDurablesNames_IsAnsweredSnakeCase()
    {
        var recorded = JsonDataConverter.Default.Serialize(new SweepProgress("training", 4, 2, 1, "auc", "t002", 0.9));
        Assert.Contains("\"TrialsDone\"", recorded);

        var answered = Answer(OrchestrationShapes.Read(recorded, OrchestrationShapes.CustomStatusOf(TrainingSweepOrchestrator.Name)));

        Assert.Equal(["stage", "trials_total", "trials_done", "trials_failed", "metric", "best_trial_id", "best_value"], answered.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, answered.GetProperty("trials_done").GetInt32());
    }

    [Fact]
    public void Output_RecordedWithDurablesNames_IsAnsweredSnakeCase_DataKeysKeptAsTheyAre()
    {
        var trial = new TrialResult("t001", "lightgbm", new Dictionary<string, JsonElement> { ["NumLeaves"] = JsonSerializer.SerializeToElement(8) },
            TrialResult.Succeeded, new Dictionary<string, double> { ["auc"] = 0.9, ["log_loss"] = 0.3 }, null, "https://x/t001", 1.5,
            DateTime.UnixEpoch, DateTime.UnixEpoch);
        var recorded = JsonDataConverter.Default.Serialize(new SweepResult("s1", "auc", "t001", 0.9, "churn", "3", 0.91, true, "beats", [trial], 0));

        var answered = Answer(OrchestrationShapes.Read(recorded, OrchestrationShapes.OutputOf(TrainingSweepOrchestrator.Name)));

        Assert.Equal("3", answered.GetProperty("registered_version").GetString());
        var leader = answered.GetProperty("leaderboard")[0];
        Assert.Equal("t001", leader.GetProperty("trial_id").GetString());
        Assert.Equal(8, leader.GetProperty("hyperparameters").GetProperty("NumLeaves").GetInt32());
        Assert.Equal(0.3, leader.GetProperty("metrics").GetProperty("log_loss").GetDouble());
        Assert.DoesNotContain("RegisteredVersion", answered.GetRawText());
    }

    [Fact]
    public void BatchOutput_RecordedWithDurablesNames_IsAnsweredSnakeCase()
    {
        var recorded = JsonDataConverter.Default.Serialize(
            new BatchScoringResult("churn", "2", 3, 10, 9, 1, "scores/run/manifest.json", null, DateTime.UnixEpoch, DateTime.UnixEpoch));

        var answered = Answer(OrchestrationShapes.Read(recorded, OrchestrationShapes.OutputOf(BatchScoringOrchestrator.Name)));

        Assert.Equal(9, answered.GetProperty("rows_out").GetInt64());
        Assert.Equal("2", answered.GetProperty("model_version").GetString());
    }

    [Fact]
    public void CustomStatus_RecordedSnakeCase_IsReadAsTheSameRecord()
    {
        var answered = Answer(OrchestrationShapes.Read("""{"chunks_done":3,"chunks_total":10}""", OrchestrationShapes.CustomStatusOf(ScoreChunkGroupOrchestrator.Name)));

        Assert.Equal(3, answered.GetProperty("chunks_done").GetInt32());
        Assert.Equal(10, answered.GetProperty("chunks_total").GetInt32());
    }

    [Fact]
    public void Payload_NotOfTheShape_IsAnsweredAsTheJsonItIs()
    {
        Assert.Equal("Terminated over the HTTP API.", Answer(OrchestrationShapes.Read("\"Terminated over the HTTP API.\"", typeof(SweepResult))).GetString());
        Assert.Equal("not json", Answer(OrchestrationShapes.Read("not json", null)).GetString());
        Assert.Null(OrchestrationShapes.Read(null, typeof(SweepResult)));
    }

    [Fact]
    public void EveryOrchestrationFunction_HasItsShapeDeclared()
    {
        var orchestrations = FunctionCatalog.FromAssembly(typeof(FunctionAppServiceCollectionExtensions).Assembly)
            .OfKind(TriggerKind.Orchestration).Select(f => f.Name).Order();

        Assert.Equal(orchestrations, OrchestrationShapes.Names.Order());
    }

    private static JsonElement Answer(object? value) => JsonSerializer.SerializeToElement(value, value?.GetType() ?? typeof(object), ApiJson.Options);
}
