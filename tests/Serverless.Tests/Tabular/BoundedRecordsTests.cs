using System.Text;
using Serverless.Core.Errors;
using Serverless.Core.Tabular;
using Serverless.TestModels;

namespace Serverless.Tests.Tabular;

/// <summary>The records reader's memory follows the bytes a request sends: rows, errors and echoed text are bounded.</summary>
public sealed class BoundedRecordsTests : IDisposable
{
    private readonly TabularTestModel _optional = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(),
        ReferenceManifests.PerFeatureBinary()
            .Replace("\"type\":\"numeric\"", "\"type\":\"numeric\",\"allow_missing\":true")
            .Replace("\"type\":\"categorical\"", "\"type\":\"categorical\",\"allow_missing\":true"));

    private readonly TabularTestModel _regression = TabularTestModel.Load(ReferenceModels.PerFeatureRegression(), ReferenceManifests.PerFeatureRegression());

    public void Dispose()
    {
        _optional.Dispose();
        _regression.Dispose();
    }

    [Fact]
    public void Records_ManyEmptyRowsOfOmittedFeatures_AreRefusedBeforeTheBatchOutgrowsTheBody()
    {
        var body = "{\"instances\":[" + string.Join(",", Enumerable.Repeat("{}", 200_000)) + "]}";

        var error = Assert.Throws<ServingException>(() => _optional.FromJson(body));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("Send fewer rows per request", error.Message);
    }

    [Fact]
    public void Records_ManyRowsOfNullsInDataframeSplit_AreAcceptedSinceEveryValueIsSent()
    {
        var body = "{\"dataframe_split\":{\"columns\":[\"age\",\"city\"],\"data\":[" + string.Join(",", Enumerable.Repeat("[null,null]", 200_000)) + "]}}";

        var batch = _optional.FromJson(body);

        Assert.Equal(200_000, batch.RowCount);
    }

    [Fact]
    public void Records_ManyDenseRows_AreAccepted()
    {
        var rows = Enumerable.Range(0, 50_000).Select(i => $"[{i % 9},\"Oslo\"]");
        var body = "{\"dataframe_split\":{\"columns\":[\"age\",\"city\"],\"data\":[" + string.Join(",", rows) + "]}}";

        var batch = _optional.FromJson(body);

        Assert.Equal(50_000, batch.RowCount);
    }

    [Fact]
    public void Records_SmallRequestOfEmptyRows_IsAccepted()
    {
        var batch = _optional.FromJson("{\"instances\":[" + string.Join(",", Enumerable.Repeat("{}", 1_000)) + "]}");

        Assert.Equal(1_000, batch.RowCount);
    }

    [Fact]
    public void JsonRow_ThousandsOfUnknownFields_RecordsABoundedNumberOfErrors()
    {
        var batch = _regression.Tabular.CreateBatch();
        var unknown = string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"\"u{i}\":1"));

        var accepted = batch.AddJsonRow(Encoding.UTF8.GetBytes($"{{\"rooms\":1,\"area\":2,\"district\":\"north\",{unknown}}}"));

        Assert.False(accepted);
        Assert.Equal(3 + FeatureBatch.MaxExtraErrorsPerRow, batch.Errors.Count);
        Assert.Equal("u0", batch.Errors[0].Feature);
    }

    [Fact]
    public void JsonRow_OneFeatureRepeatedThousandsOfTimes_RecordsABoundedNumberOfErrors()
    {
        var batch = _regression.Tabular.CreateBatch();
        var repeated = string.Join(",", Enumerable.Repeat("\"area\":2", 10_000));

        Assert.False(batch.AddJsonRow(Encoding.UTF8.GetBytes($"{{\"rooms\":1,\"district\":\"north\",{repeated}}}")));

        Assert.Equal(3 + FeatureBatch.MaxExtraErrorsPerRow, batch.Errors.Count);
    }

    [Fact]
    public void Records_HugeUnknownFieldAndHugeCategory_AreQuotedTruncated()
    {
        var huge = new string('z', 1_000_000);

        var unknown = Assert.Throws<ServingException>(() => _regression.FromJson($$"""{"instances":[{"rooms":1,"area":2,"district":"north","{{huge}}":1}]}"""));
        var category = Assert.Throws<ServingException>(() => _regression.FromJson($$"""{"instances":[{"rooms":1,"area":2,"district":"{{huge}}"}]}"""));
        var number = Assert.Throws<ServingException>(() => _regression.FromJson($$"""{"instances":[{"rooms":1,"area":"{{huge}}","district":"north"}]}"""));
        var column = Assert.Throws<ServingException>(() => _regression.FromJson($$$"""{"dataframe_split":{"columns":["{{{huge}}}"],"data":[[1]]}}"""));

        foreach (var error in new[] { unknown, category, number, column })
        {
            Assert.True(error.Message.Length < 1_000, error.Message[..Math.Min(error.Message.Length, 2_000)]);
        }
    }

    [Fact]
    public void Records_UnknownFieldError_NamesAtMostTwentyFeatures()
    {
        var features = Enumerable.Range(0, 100).Select(i => new { name = "f" + i, type = "numeric" }).ToArray();
        var manifest = ReferenceManifests.LogisticRegression(100);
        using var model = TabularTestModel.Load(ReferenceModels.LogisticRegression(features: 100), manifest);
        var row = string.Join(",", features.Select(f => $"\"{f.name}\":1"));

        var error = Assert.Throws<ServingException>(() => model.FromJson("{\"instances\":[{" + row + ",\"nope\":1}]}"));

        Assert.Contains("'f19' and 80 more", error.Message);
        Assert.DoesNotContain("'f20'", error.Message);
    }

    [Fact]
    public void Records_DeepNesting_IsBadRequest()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);

        var error = Assert.Throws<ServingException>(() => _regression.FromJson($$"""{"instances":[{"rooms":{{deep}}}]}"""));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
    }
}
