using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Buffers;
using Serverless.Core.Graphs;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Serving;
using Serverless.TestModels;

namespace Serverless.Bench.Graphs;

/// <summary>
/// Inference graphs in process: a two-model sequence (a 64-wide featurizer MLP feeding a scoring MLP) and a three-model
/// mean ensemble (three MLPs 64-256-256-1), each served as a graph (one JSON request parsed, members run on warm sessions,
/// one answer written) against its members served one after another in process (each member's own JSON in and out,
/// the serving path a client calling them in turn would use, minus HTTP), and against the members' raw Runs summed
/// (the compute floor). Rounds alternate; medians of per-call p50.
/// </summary>
public static class GraphBenchmark
{
    private const int Rounds = 5;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1.5);

    public static async Task<string> RunAsync()
    {
        var models = new Dictionary<string, byte[]>
        {
            ["featurize"] = ReferenceModels.Mlp(inputs: 64, hidden1: 256, hidden2: 256, outputs: 64, seed: 1),
            ["score"] = ReferenceModels.Mlp(inputs: 64, hidden1: 256, hidden2: 256, outputs: 1, seed: 2),
            ["m1"] = ReferenceModels.Mlp(seed: 3),
            ["m2"] = ReferenceModels.Mlp(seed: 4),
            ["m3"] = ReferenceModels.Mlp(seed: 5),
        };
        using var sessions = new ModelSessionCache(new BytesLoader(models), Options.Create(new ServingOptions()), TimeProvider.System,
            NullLogger<ModelSessionCache>.Instance);
        var versions = models.ToDictionary(m => m.Key, m => Version(m.Key, m.Value));
        var loaded = new Dictionary<string, LoadedModel>();
        foreach (var (name, version) in versions)
        {
            using var lease = await sessions.AcquireAsync(version, CancellationToken.None);
            loaded[name] = lease.Model;
        }

        var executor = new GraphExecutor(sessions);
        var body = Encoding.UTF8.GetBytes(Request("input", 64, 1));
        var sequence = Case(executor, versions, "sequence", """
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 64]}],
             "root": {"name": "seq", "kind": "sequence", "steps": [{"name": "f", "model": "featurize@1"}, {"name": "s", "model": "score@1", "inputs": {"input": "f.output"}}]}}
            """);
        var ensemble = Case(executor, versions, "ensemble", """
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 64]}],
             "root": {"name": "avg", "kind": "ensemble", "combine": "mean", "steps": [{"name": "a", "model": "m1@1"}, {"name": "b", "model": "m2@1"}, {"name": "c", "model": "m3@1"}]}}
            """);
        var featurized = OutputAsRequest(loaded["featurize"], body);
        var cases = new (string Name, string Description, Func<int> Graph, Func<int> Members, Func<int> Raw)[]
        {
            ("two-model sequence", "featurizer MLP 64-256-256-64 feeding an MLP 64-256-256-1", () => Serve(sequence, body),
                () => Infer(loaded["featurize"], body) + Infer(loaded["score"], featurized), RawRuns(loaded["featurize"], loaded["score"])),
            ("three-model ensemble (mean)", "three MLPs 64-256-256-1", () => Serve(ensemble, body),
                () => Infer(loaded["m1"], body) + Infer(loaded["m2"], body) + Infer(loaded["m3"], body), RawRuns(loaded["m1"], loaded["m2"], loaded["m3"])),
        };

        var page = new StringBuilder();
        page.AppendLine("# Inference graph benchmark").AppendLine();
        page.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version}. ") +
            string.Create(CultureInfo.InvariantCulture, $"One request of one row, in process, {Rounds} rounds alternating the three paths ({Warmup.TotalSeconds} s warm-up, up to {Budget.TotalSeconds} s each); ") +
            "medians of the rounds' p50. Graph: `GraphService.InferAsync` on a compiled plan (JSON parsed once, members on warm sessions, ensemble steps " +
            "concurrent, one answer written). Members one after another: each member's serving path (`InferenceService.Infer`, its own JSON in and out), " +
            "as a caller calling them in turn would, without HTTP. Raw Runs: `InferenceSession.Run` of each member on pre-built tensors, summed.").AppendLine();
        page.AppendLine("| graph | members | graph p50 µs | members one after another p50 µs | raw Runs summed p50 µs | graph vs members | graph vs raw |");
        page.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var (name, description, graph, members, raw) in cases)
        {
            var g = new List<double>();
            var m = new List<double>();
            var r = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                g.Add(InProcessLoop.Measure("graph", graph, Warmup, Budget, 200_000).P50Ms * 1000);
                m.Add(InProcessLoop.Measure("members", members, Warmup, Budget, 200_000).P50Ms * 1000);
                r.Add(InProcessLoop.Measure("raw", raw, Warmup, Budget, 200_000).P50Ms * 1000);
                Progress.Write($"{name} round {round + 1}: graph {g[^1]:F1} µs, members {m[^1]:F1} µs, raw {r[^1]:F1} µs");
            }

            var (gm, mm, rm) = (Median(g), Median(m), Median(r));
            page.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {description} | {gm:F1} | {mm:F1} | {rm:F1} | **{gm / mm:F2}×** | {gm / rm:F2}× |");
        }

        page.AppendLine().AppendLine("Target (issue 15): a graph within 1.2× of its members' summed in-process time.");
        return page.ToString();
    }

    private static (GraphPlan Plan, ModelVersion Graph, GraphExecutor Executor) Case(GraphExecutor executor, Dictionary<string, ModelVersion> versions, string name,
        string spec)
    {
        var parsed = GraphSpec.Parse(Encoding.UTF8.GetBytes(spec));
        var plan = GraphCompiler.Compile(parsed, GraphCompiler.CollectMembers(parsed).ToDictionary(m => m, m => versions[m.Model]));
        var graph = new ModelVersion(name, "1", "bench", spec.Length, DateTimeOffset.UtcNow, null, plan.InputSpecs, plan.OutputSpecs, $"{name}/1/graph.json")
        {
            IsGraph = true,
        };
        return (plan, graph, executor);
    }

    private static int Serve((GraphPlan Plan, ModelVersion Graph, GraphExecutor Executor) graph, byte[] body)
    {
        using var output = new PooledBufferWriter(1024);
        GraphService.InferAsync(graph.Executor, graph.Plan, graph.Graph, body, -1, output, null, null, false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return output.WrittenCount;
    }

    private static int Infer(LoadedModel model, byte[] body)
    {
        using var output = new PooledBufferWriter(1024);
        InferenceService.Infer(model, body, output);
        return output.WrittenCount;
    }

    private static Func<int> RawRuns(params LoadedModel[] models)
    {
        var inputs = models.Select(m => OrtValue.CreateTensorValueFromMemory(new float[m.Inputs[0].Dimensions[1]], [1, m.Inputs[0].Dimensions[1]])).ToArray();
        var runOptions = new RunOptions();
        return () =>
        {
            var total = 0;
            for (var i = 0; i < models.Length; i++)
            {
                using var outputs = models[i].Session.Run(runOptions, [models[i].Inputs[0].Name], [inputs[i]], models[i].OutputNames);
                total += outputs.Count;
            }

            return total;
        };
    }

    private static byte[] OutputAsRequest(LoadedModel model, byte[] body)
    {
        using var output = new PooledBufferWriter(1024);
        InferenceService.Infer(model, body, output);
        using var answer = JsonDocument.Parse(output.WrittenMemory);
        var data = answer.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetRawText());
        return Encoding.UTF8.GetBytes($$"""{"inputs":[{"name":"input","datatype":"FP32","shape":[1,64],"data":[{{string.Join(",", data)}}]}]}""");
    }

    private static string Request(string input, int width, int seed)
    {
        var random = new Random(seed);
        var data = string.Join(",", Enumerable.Range(0, width).Select(_ => random.NextSingle().ToString("R", CultureInfo.InvariantCulture)));
        return $$"""{"inputs":[{"name":"{{input}}","datatype":"FP32","shape":[1,{{width}}],"data":[{{data}}]}]}""";
    }

    private static ModelVersion Version(string name, byte[] onnx)
    {
        using var session = new InferenceSession(onnx);
        var signature = SignatureReader.Read(session);
        return new ModelVersion(name, "1", "bench-" + name, onnx.Length, DateTimeOffset.UtcNow, null, signature.Inputs, signature.Outputs, $"{name}/1/model.onnx");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Loads members from bytes in memory with the serving session options.</summary>
    private sealed class BytesLoader(Dictionary<string, byte[]> models) : IModelLoader
    {
        private static readonly SessionOptionsFactory OptionsFactory = new(Options.Create(new ServingOptions()));

        public Task<LoadedModel> LoadAsync(ModelVersion version, CancellationToken cancellationToken)
        {
            using var options = OptionsFactory.Create();
            var started = Stopwatch.GetTimestamp();
            var session = new InferenceSession(models[version.Name], options);
            return Task.FromResult(new LoadedModel(version, session, new ColdStartTimings(0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, 0, DateTimeOffset.UtcNow)));
        }
    }
}
