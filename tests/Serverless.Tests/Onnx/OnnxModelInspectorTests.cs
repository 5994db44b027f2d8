using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Onnx;
using Serverless.TestModels;

namespace Serverless.Tests.Onnx;

public sealed class OnnxModelInspectorTests
{
    private static readonly ModelBudgets Defaults = new(1L << 30, 1_000_000);

    [Fact]
    public void Inspect_EveryReferenceModel_PassesTheDefaultBudgetsWithItsMeasurements()
    {
        var inspector = Inspector(Defaults, out _);

        foreach (var (name, model) in ReferenceModels.All())
        {
            var inspection = inspector.Inspect(model);

            Assert.True(inspection.SessionBytes >= 0, name);
            Assert.NotEmpty(inspection.Signature.Inputs);
        }
    }

    [Fact]
    public void Inspect_Mlp_MeasuresItsWeightsAndWarmupSize()
    {
        var inspection = Inspector(Defaults, out _).Inspect(ReferenceModels.Mlp(inputs: 64, hidden1: 256, hidden2: 256));
        var weights = ((64 * 256) + 256 + (256 * 256) + 256 + 256 + 1) * 4L;

        Assert.InRange(inspection.SessionBytes, weights, weights * 2);
        Assert.Equal(64, inspection.WarmupElements);
    }

    [Fact]
    public void Inspect_BombOverBudgetByTheScan_IsRefusedBeforeOnnxRuntimeSeesIt()
    {
        var inspector = Inspector(Defaults, out var sessionsCreated);

        var error = Assert.Throws<ServingException>(() => inspector.Inspect(HostileModels.ConstantOfShape([15_000, 15_000], copies: 5)));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(ModelBudgets.SessionBytesSetting, error.Message);
        Assert.Contains("4,500,000,000 bytes", error.Message);
        Assert.Contains("before ONNX Runtime loaded it", error.Message);
        Assert.Equal(0, sessionsCreated());
    }

    [Fact]
    public void Inspect_GeneratorOnlyTheOptimisedModelShows_IsRefusedWithTheMeasuredSize()
    {
        var inspector = Inspector(new ModelBudgets(10L * 1024 * 1024, 1_000_000), out var sessionsCreated);

        var error = Assert.Throws<ServingException>(() => inspector.Inspect(HostileModels.FoldedGenerator(300)));

        Assert.Equal(1, sessionsCreated());
        Assert.Contains("once optimised as served", error.Message);
        Assert.Contains("36,000,", error.Message);
        Assert.Contains(ModelBudgets.SessionBytesSetting, error.Message);
    }

    [Fact]
    public void Inspect_FoldedGeneratorWithinBudget_StoresItsFoldedSize()
    {
        var inspection = Inspector(Defaults, out _).Inspect(HostileModels.FoldedGenerator(300));

        Assert.InRange(inspection.SessionBytes, 3000L * 3000 * 4, (3000L * 3000 * 4) + 4096);
    }

    [Fact]
    public void Inspect_WarmupOverBudget_IsRefusedNamingTheCountAndTheSetting()
    {
        var error = Assert.Throws<ServingException>(() => Inspector(Defaults, out _).Inspect(HostileModels.FixedInput(2000, 1000)));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains("2000000 input elements", error.Message);
        Assert.Contains(ModelBudgets.WarmupElementsSetting, error.Message);
    }

    [Fact]
    public void Inspect_WarmupAtTheBudget_Passes()
    {
        var inspection = Inspector(Defaults, out _).Inspect(HostileModels.FixedInput(1000, 1000));

        Assert.Equal(1_000_000, inspection.WarmupElements);
    }

    [Fact]
    public void Inspect_ExternalData_IsRefusedBeforeOnnxRuntimeSeesIt()
    {
        var inspector = Inspector(Defaults, out var sessionsCreated);

        var error = Assert.Throws<ServingException>(() => inspector.Inspect(HostileModels.ExternalInitializer("../../../../etc/hostname")));

        Assert.Contains("external data", error.Message);
        Assert.Equal(0, sessionsCreated());
    }

    [Fact]
    public void Inspect_BytesOnnxRuntimeRefuses_IsBadRequestWithCleanedText()
    {
        // A valid protobuf whose graph names an operator that does not exist.
        var model = new OnnxGraphBuilder("unknown_op")
            .Input("x", OnnxElementType.Float, "N")
            .Node("NoSuchOperator", ["x"], ["y"])
            .Output("y", OnnxElementType.Float, "N")
            .Build();

        var error = Assert.Throws<ServingException>(() => new OnnxModelInspector().Inspect(model));

        Assert.StartsWith("The body is not a model ONNX Runtime can load: ", error.Message);
        Assert.Contains("NoSuchOperator", error.Message);
        Assert.DoesNotContain(".cc:", error.Message);
        Assert.DoesNotContain("onnxruntime_src", error.Message);
    }

    private static OnnxModelInspector Inspector(ModelBudgets budgets, out Func<int> sessionsCreated)
    {
        var count = 0;
        sessionsCreated = () => count;
        return new OnnxModelInspector(() =>
        {
            count++;
            return new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        }, budgets);
    }
}
