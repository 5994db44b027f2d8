using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Core.Buffers;
using Serverless.Core.Serving;
using Serverless.Tests.Tabular;
using Serverless.TestModels;

namespace Serverless.Tests.Features;

/// <summary>
/// A manifest's pre steps run on rows whose features were looked up: the steps see the served values (clipped, derived from them) exactly
/// as if the caller had sent them, and the batch the model runs and the log records holds the stepped values.
/// </summary>
public sealed class JoinedStepsTests
{
    [Fact]
    public async Task PreSteps_OnLookedUpFeatures_ClipAndDeriveAsOnSentValues()
    {
        var stack = new FeatureStoreStack();
        await stack.DeclareAsync();
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-30T11:30:00Z", "f1": 2.5, "f2": -0.5}, {"customer_id": "c2", "event_time": "2026-11-30T11:30:00Z", "f1": 0.25, "f2": 0.5}]}""");
        const string steps = """[{"kind": "clip", "feature": "f1", "min": 0, "max": 1}, {"kind": "derive", "feature": "f0", "expression": "f1 + f2"}]""";
        using var joined = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), WithSteps(FeatureStoreStack.Manifest(), steps));
        using var sent = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), WithSteps(ReferenceManifests.LogisticRegression(features: 3), steps));
        using var plain = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), ReferenceManifests.LogisticRegression(features: 3));

        var (batch, _) = await stack.Assembler.AssembleAsync(joined.Tabular, Encoding.UTF8.GetBytes("""{"instances": [{"customer_id": "c1"}, {"customer_id": "c2"}]}"""),
            CancellationToken.None);
        var byKey = Answer(batch, joined);
        var bySending = Predict(sent, """{"instances": [{"f1": 2.5, "f2": -0.5}, {"f1": 0.25, "f2": 0.5}]}""");
        var byHand = Predict(plain, """{"instances": [{"f0": 0.5, "f1": 1, "f2": -0.5}, {"f0": 0.75, "f1": 0.25, "f2": 0.5}]}""");

        Assert.Equal([1, 0.25], batch.GetNumeric("f1").ToArray());
        Assert.Equal([0.5, 0.75], batch.GetNumeric("f0").ToArray());
        Assert.Equal(bySending, byKey);
        Assert.Equal(byHand, byKey);
    }

    private static string WithSteps(string manifest, string pre)
    {
        var node = JsonNode.Parse(manifest)!.AsObject();
        node["pre"] = JsonNode.Parse(pre);
        return node.ToJsonString();
    }

    private static string Answer(Core.Tabular.FeatureBatch batch, TabularTestModel model)
    {
        using var output = new PooledBufferWriter();
        Core.Tabular.TabularResponseWriter.Write(output, "m", "1", model.Tabular.Predict(model.Model.Model, batch));
        return JsonDocument.Parse(output.WrittenMemory).RootElement.GetProperty("predictions").ToString();
    }

    private static string Predict(TabularTestModel model, string body)
    {
        using var output = new PooledBufferWriter();
        TabularPredictionService.Predict(model.Tabular, model.Model.Model, Encoding.UTF8.GetBytes(body), output);
        return JsonDocument.Parse(output.WrittenMemory).RootElement.GetProperty("predictions").ToString();
    }
}
