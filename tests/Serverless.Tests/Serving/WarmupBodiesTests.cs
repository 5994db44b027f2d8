using System.Text;
using System.Text.Json;
using Serverless.Core.Models;
using Serverless.Core.Protocol;
using Serverless.Core.Serving;
using Serverless.Tests.Support;
using Serverless.Tests.Tabular;
using Serverless.TestModels;

namespace Serverless.Tests.Serving;

public sealed class WarmupBodiesTests
{
    [Fact]
    public void CreateBinary_FixedSizeInputs_ParsesAsOneRowOfZeros_AndAsksForBinaryOutputs()
    {
        using var model = TestModel.Load(ReferenceModels.AddAndMultiply());

        var (body, headerLength) = WarmupBodies.CreateBinary(model.Model.Version.Inputs)!.Value;
        using var request = InferRequestParser.Parse(body, headerLength, model.Model);

        Assert.Equal(body.Length, headerLength + (2 * 3 * sizeof(float)));
        Assert.True(request.BinaryDataOutput);
        Assert.All(request.InputValues, v => Assert.Equal([1L, 3L], v.GetTensorTypeAndShape().Shape));
        Assert.All(request.InputValues, v => Assert.All(v.GetTensorDataAsSpan<float>().ToArray(), x => Assert.Equal(0f, x)));
    }

    [Fact]
    public void CreateBinary_AStringInput_IsNull()
    {
        Assert.Null(WarmupBodies.CreateBinary([new TensorSpec("age", "FP32", [-1, 1]), new TensorSpec("city", "BYTES", [-1, 1])]));
    }

    [Fact]
    public void CreateRecordsJson_BoundedAndCategoricalFeatures_IsOneRowTheManifestAccepts()
    {
        using var model = TabularTestModel.Load(ReferenceModels.PerFeatureBinaryClassifier(),
            ReferenceManifests.PerFeatureBinary().Replace("\"min\":0", "\"min\":18.5"));

        var body = WarmupBodies.CreateRecordsJson(model.Tabular.Manifest);
        var batch = model.FromJson(Encoding.UTF8.GetString(body));

        Assert.Equal(1, batch.RowCount);
        using var document = JsonDocument.Parse(body);
        var row = document.RootElement.GetProperty("instances")[0];
        Assert.Equal(19, row.GetProperty("age").GetDouble());
        Assert.Equal(ReferenceModels.Cities[0], row.GetProperty("city").GetString());
    }
}
