using System.Text;
using System.Text.Json;
using Serverless.Core.Buffers;
using Serverless.Core.Errors;
using Serverless.Core.Features;
using Serverless.Core.Serving;
using Serverless.Tests.Tabular;
using Serverless.TestModels;

namespace Serverless.Tests.Features;

public sealed class FeatureRowAssemblerTests
{
    private const string Rows = """
        {"rows": [
            {"customer_id": "c1", "event_time": "2026-11-30T11:30:00Z", "f1": 0.5, "f2": -1.25},
            {"customer_id": "c2", "event_time": "2026-11-30T11:45:00Z", "f1": 2, "f2": 0.75}
        ]}
        """;

    [Fact]
    public async Task Assemble_OnlyTheEntityKey_PredictsAsTheFullRow()
    {
        var stack = await StackAsync();
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), FeatureStoreStack.Manifest());
        using var full = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), ReferenceManifests.LogisticRegression(features: 3));

        var joined = await PredictAsync(stack, model, """{"instances": [{"f0": 1.5, "customer_id": "c1"}, {"f0": -2, "customer_id": "c2"}]}""");
        var sent = Predict(full, """{"instances": [{"f0": 1.5, "f1": 0.5, "f2": -1.25}, {"f0": -2, "f1": 2, "f2": 0.75}]}""");

        Assert.Equal(sent.GetProperty("predictions").ToString(), joined.GetProperty("predictions").ToString());
        Assert.NotEqual(joined.GetProperty("predictions")[0].ToString(), joined.GetProperty("predictions")[1].ToString());
    }

    [Fact]
    public async Task Assemble_ManyRows_ReadsTheStoreOnceWithDistinctKeys()
    {
        var stack = await StackAsync();
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), FeatureStoreStack.Manifest());

        await stack.Assembler.AssembleAsync(model.Tabular, Body("""{"instances": [{"f0": 1, "customer_id": "c1"}, {"f0": 2, "customer_id": "c2"}, {"f0": 3, "customer_id": "c1"}]}"""),
            CancellationToken.None);

        Assert.Equal(1, stack.Online.Reads);
        Assert.Equal(["c1", "c2"], stack.Online.KeysRead);
    }

    [Fact]
    public async Task Assemble_ValuePastItsTtl_IsBadRequestNamingTheFeature_AtTheTtlItIsStillServed()
    {
        var stack = await StackAsync();
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), FeatureStoreStack.Manifest());
        stack.Clock.Advance(TimeSpan.FromMinutes(30));
        await PredictAsync(stack, model, """{"instances": [{"f0": 1, "customer_id": "c1"}]}""");

        stack.Clock.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<ServingException>(() => PredictAsync(stack, model, """{"instances": [{"f0": 1, "customer_id": "c1"}]}"""));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("row 0, feature 'f1': expired in feature set 'cust@1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("TTL of 3600 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assemble_ExpiredFeatureThatAllowsMissing_ServesNaN_AndReportsExpired()
    {
        var stack = await StackAsync();
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), FeatureStoreStack.Manifest(allowMissing: true));
        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-30T11:59:00Z", "f1": 4}]}""");
        stack.Clock.Advance(TimeSpan.FromMinutes(40));

        var (batch, status) = await stack.Assembler.AssembleAsync(model.Tabular, Body("""{"instances": [{"f0": 1, "customer_id": "c1"}, {"f0": 1, "customer_id": "c9", "f1": 3}]}"""),
            CancellationToken.None);

        Assert.Equal(4, batch.GetNumeric("f1")[0]);
        Assert.True(double.IsNaN(batch.GetNumeric("f2")[0]));
        Assert.Equal((FeatureStatus.Present, FeatureStatus.Expired), (status[0, 0], status[0, 1]));
        Assert.Equal((FeatureStatus.Request, FeatureStatus.Missing), (status[1, 0], status[1, 1]));
    }

    [Fact]
    public async Task Assemble_ValueSentInTheRequest_WinsOverTheStore()
    {
        var stack = await StackAsync();
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), FeatureStoreStack.Manifest());

        var (batch, _) = await stack.Assembler.AssembleAsync(model.Tabular, Body("""{"instances": [{"f0": 1, "customer_id": "c1", "f1": 9}]}"""), CancellationToken.None);

        Assert.Equal(9, batch.GetNumeric("f1")[0]);
        Assert.Equal(-1.25, batch.GetNumeric("f2")[0]);
    }

    [Theory]
    [InlineData("""{"instances": [{"f0": 1}]}""", "no entity key ('customer_id')")]
    [InlineData("""{"instances": [{"f0": 1, "customer_id": "nobody"}]}""", "holds no value for this row's key")]
    [InlineData("""{"instances": [{"f0": 1, "customer_id": "c1", "f7": 1}]}""", "row 0, feature 'f7'")]
    public async Task Assemble_RowThatCannotBeCompleted_IsBadRequestNamingRowAndFeature(string body, string named)
    {
        var stack = await StackAsync();
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), FeatureStoreStack.Manifest());

        var error = await Assert.ThrowsAsync<ServingException>(() => PredictAsync(stack, model, body));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_WithinItsWindow_ReadsOnce_AndAWriteDropsTheKey()
    {
        var stack = await StackAsync(cacheSeconds: 5);
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 3), FeatureStoreStack.Manifest());
        var body = """{"instances": [{"f0": 1, "customer_id": "c1"}]}""";

        await PredictAsync(stack, model, body);
        await PredictAsync(stack, model, body);
        Assert.Equal(1, stack.Online.Reads);

        stack.Clock.Advance(TimeSpan.FromSeconds(6));
        await PredictAsync(stack, model, body);
        Assert.Equal(2, stack.Online.Reads);

        await stack.WriteAsync("""{"rows": [{"customer_id": "c1", "event_time": "2026-11-30T12:00:00Z", "f1": 7}]}""");
        var (batch, _) = await stack.Assembler.AssembleAsync(model.Tabular, Body(body), CancellationToken.None);
        Assert.Equal(7, batch.GetNumeric("f1")[0]);
        Assert.Equal(3, stack.Online.Reads);
    }

    [Fact]
    public async Task Ingestion_BadRow_StoresNothingAnywhere()
    {
        var stack = await StackAsync();
        var before = stack.History.Rows.Count;

        await Assert.ThrowsAsync<ServingException>(() => stack.WriteAsync(
            """{"rows": [{"customer_id": "c3", "event_time": "2026-11-30T11:00:00Z", "f1": 1}, {"customer_id": "c4", "event_time": "2026-11-30T11:00:00Z", "f1": "x"}]}"""));

        Assert.Equal(before, stack.History.Rows.Count);
        Assert.Null((await stack.Online.ReadAsync((await stack.Catalog.FindAsync("cust", "1", CancellationToken.None))!, ["c3"], CancellationToken.None))[0]);
    }

    private static async Task<FeatureStoreStack> StackAsync(int cacheSeconds = 0)
    {
        var stack = new FeatureStoreStack(cacheSeconds);
        await stack.DeclareAsync();
        await stack.WriteAsync(Rows);
        return stack;
    }

    private static ReadOnlyMemory<byte> Body(string json) => Encoding.UTF8.GetBytes(json);

    private static async Task<JsonElement> PredictAsync(FeatureStoreStack stack, TabularTestModel model, string body)
    {
        var (batch, _) = await stack.Assembler.AssembleAsync(model.Tabular, Body(body), CancellationToken.None);
        using var output = new PooledBufferWriter();
        Core.Tabular.TabularResponseWriter.Write(output, "m", "1", model.Tabular.Predict(model.Model.Model, batch));
        using var document = JsonDocument.Parse(output.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static JsonElement Predict(TabularTestModel model, string body)
    {
        using var output = new PooledBufferWriter();
        TabularPredictionService.Predict(model.Tabular, model.Model.Model, Encoding.UTF8.GetBytes(body), output);
        using var document = JsonDocument.Parse(output.WrittenMemory);
        var root = document.RootElement.Clone();
        return root;
    }
}
