using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Moq;
using Serverless.Core.Graphs;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Protocol;
using Serverless.Core.Serving;
using Serverless.Core.Tabular.Steps;
using Serverless.TestModels;

namespace Serverless.Tests.Graphs;

/// <summary>Members for graph tests (each registered as version 1), a session cache over them, and a way to run a spec on a JSON request.</summary>
internal sealed class GraphTestModels : IDisposable
{
    private static readonly Dictionary<string, byte[]> Bytes = new()
    {
        ["double"] = GraphModels.Scale(2),
        ["triple"] = GraphModels.Scale(3),
        ["plus-one"] = GraphModels.Shift(1),
        ["row-sum"] = GraphModels.RowSum(),
        ["pick-first"] = GraphModels.ArgMaxLabel([10, 0]),
        ["pick-second"] = GraphModels.ArgMaxLabel([0, 10]),
        ["pick-largest"] = GraphModels.ArgMaxLabel([0, 0]),
    };

    private static readonly Dictionary<string, ModelVersion> Versions = Bytes.ToDictionary(b => b.Key, b =>
    {
        using var session = new InferenceSession(b.Value);
        var signature = SignatureReader.Read(session);
        return new ModelVersion(b.Key, "1", "sha-" + b.Key, b.Value.Length, DateTimeOffset.UnixEpoch, null, signature.Inputs, signature.Outputs, $"{b.Key}/1/model.onnx");
    });

    public GraphTestModels()
    {
        var loader = new Mock<IModelLoader>();
        loader.Setup(l => l.LoadAsync(It.IsAny<ModelVersion>(), It.IsAny<CancellationToken>()))
            .Returns((ModelVersion v, CancellationToken _) =>
                Task.FromResult(new LoadedModel(v, new InferenceSession(Bytes[v.Name]), new ColdStartTimings(0, 0, 0, DateTimeOffset.UnixEpoch))));
        Cache = new ModelSessionCache(loader.Object, Options.Create(new ServingOptions()), TimeProvider.System, NullLogger<ModelSessionCache>.Instance);
        Executor = new GraphExecutor(Cache);
    }

    public ModelSessionCache Cache { get; }

    public GraphExecutor Executor { get; }

    public static ModelVersion Version(string name) => Versions[name];

    public static GraphPlan Compile(string specJson, TabularStepCatalog? steps = null)
    {
        var spec = GraphSpec.Parse(Encoding.UTF8.GetBytes(specJson));
        return GraphCompiler.Compile(spec, GraphCompiler.CollectMembers(spec).ToDictionary(m => m, m => Versions[m.Model]), steps);
    }

    /// <summary>Runs the spec on an OIP request body; answers the outputs as float or long arrays by name, and the run's step timings.</summary>
    public async Task<(Dictionary<string, double[]> Outputs, GraphStepTiming?[] Steps)> RunAsync(string specJson, string requestJson, IGraphStepSink? sink = null)
    {
        var plan = Compile(specJson);
        using var request = InferRequestParser.Parse(Encoding.UTF8.GetBytes(requestJson), plan);
        using var run = await Executor.RunAsync(plan, plan.OrderInputs(request), sink, CancellationToken.None);
        var outputs = new Dictionary<string, double[]>();
        for (var i = 0; i < plan.OutputNames.Count; i++)
        {
            outputs[plan.OutputNames[i]] = ToDoubles(run.Outputs[i]);
        }

        return (outputs, run.Steps);
    }

    public static double[] ToDoubles(OrtValue value) => value.GetTensorTypeAndShape().ElementDataType switch
    {
        Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray().Select(v => (double)v).ToArray(),
        _ => value.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(),
    };

    /// <summary>An OIP request with FP32 "x" of the given rows (two columns each) and optional extra inputs (JSON input objects).</summary>
    public static string Request(float[][] rows, params string[] extra)
    {
        var data = string.Join(",", rows.SelectMany(r => r).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var inputs = new[] { $$"""{"name":"x","datatype":"FP32","shape":[{{rows.Length}},2],"data":[{{data}}]}""" }.Concat(extra);
        return $$"""{"inputs":[{{string.Join(",", inputs)}}]}""";
    }

    public static string Inputs(params string[] more) =>
        "[" + string.Join(",", new[] { """{"name":"x","datatype":"FP32","shape":[-1,2]}""" }.Concat(more)) + "]";

    public void Dispose() => Cache.Dispose();
}
