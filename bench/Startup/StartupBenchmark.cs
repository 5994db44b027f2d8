using System.Globalization;
using System.Text;

namespace Serverless.Bench.Startup;

/// <summary>
/// Cold start by publish settings: the local runner published once per <see cref="StartupVariant"/> folder (default JIT,
/// ReadyToRun, started with each tiered-compilation knob turned; optionally a runner published elsewhere), then each started as a fresh process on the same Azurite registry
/// (the benchmark models registered and aliased), in <see cref="Rounds"/> rounds whose order rotates so that no
/// variant always runs first or last. Per start: process start → ready, the first infer, the other model's first
/// infer, requests #2 and #10, and the steady p50 (<see cref="ColdStartProbe"/>). Medians per variant, and ratios to
/// the default publish.
/// </summary>
public static class StartupBenchmark
{
    public const int Rounds = 5;
    public const int SteadyRequests = 200;

    public static async Task<string> RunAsync(string repositoryRoot, string? givenDll = null)
    {
        var publishRoot = Path.Combine(repositoryRoot, "bench", "out", "startup");
        var published = new List<(StartupVariant Variant, string Dll, double Seconds, double SizeMb)>();
        var folders = new Dictionary<string, (string Dll, double Seconds, double SizeMb)>();
        var variants = givenDll is null ? StartupVariant.All : [.. StartupVariant.All, StartupVariant.Given(givenDll)];
        foreach (var variant in variants)
        {
            if (variant.GivenDll is { } dll)
            {
                published.Add((variant, dll, 0, new DirectoryInfo(Path.GetDirectoryName(dll)!).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) / 1e6));
                continue;
            }

            if (!folders.TryGetValue(variant.Folder, out var publish))
            {
                Progress.Write($"publishing the runner: {variant.Name}...");
                publish = folders[variant.Folder] = await RunnerPublisher.PublishAsync(repositoryRoot, publishRoot, variant);
                Progress.Write($"{variant.Name}: {publish.SizeMb:F0} MB in {publish.Seconds:F0} s");
            }

            published.Add((variant, publish.Dll, publish.Seconds, publish.SizeMb));
        }

        Progress.Write("starting Azurite (in memory, free ports) and registering the models...");
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        var models = BenchModel.CreateAll();
        await using (var runner = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString))
        {
            await runner.RegisterAsync(models);
        }

        var expected = new Dictionary<string, byte[]>();
        foreach (var model in models)
        {
            var loaded = ServingSessions.CreateLoadedModel(model);
            expected[model.Name] = ServingSessions.ExpectedResponse(loaded, model);
            loaded.Session.Dispose();
        }

        var (target, other) = ((models[0], expected[models[0].Name]), (models[1], expected[models[1].Name]));
        var runs = published.ToDictionary(p => p.Variant, _ => new List<ColdStartRun>());
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < published.Count; i++)
            {
                var (variant, dll, _, _) = published[(i + round) % published.Count];
                var run = await ColdStartProbe.MeasureOnceAsync(dll, repositoryRoot, azurite.ConnectionString, target, other, SteadyRequests, variant.Environment);
                runs[variant].Add(run);
                Progress.Write($"round {round + 1} {variant.Name}: ready {run.StartupMs:F0} ms, first infer {run.FirstInferMs:F2} ms, " +
                    $"{other.Item1.Name} first {run.OtherModelFirstInferMs:F2} ms, #2 {run.FollowUpMs[0]:F2} ms, steady p50 {run.SteadyP50Ms:F3} ms, first/steady {run.Ratio:F1}x; threads on CPU {run.BusyThreads}");
            }
        }

        return Render(published.Select(p => (p.Variant, p.SizeMb, p.Seconds, new ColdStartResult(target.Item1.Name, other.Item1.Name, runs[p.Variant]))).ToList());
    }

    private static string Render(IReadOnlyList<(StartupVariant Variant, double SizeMb, double PublishSeconds, ColdStartResult Result)> rows)
    {
        var md = new StringBuilder();
        var baseline = rows[0].Result;
        md.AppendLine(CultureInfo.InvariantCulture, $"# Cold start by publish settings");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version}. The local runner published each way, " +
            $"started as a fresh process on the same Azurite registry ({rows[0].Result.Model} and {rows[0].Result.OtherModel} registered and aliased), " +
            $"{Rounds} rounds in rotating order, medians. \"Ready\": process start to `v2/health/ready` answering 200 (models warmed); " +
            $"first infer: the first request after that; steady: p50 of {SteadyRequests} sequential requests after 1 s of warm-up; " +
            $"first / steady: the median of each start's ratio; after idle: the same warm process's request after {ColdStartProbe.IdleGap.TotalMilliseconds:F0} ms of silence " +
            $"(median of {ColdStartProbe.IdleRequests} per start), and first / after idle what start-up adds beyond waking it. Runtime settings named in a row are DOTNET_* environment variables over the published runtimeconfig.");
        md.AppendLine();
        md.AppendLine("| publish | size | ready | first infer | other model's first | #2 | #10 | start → first answer | vs default | steady p50 | first / steady | after idle | first / after idle |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (variant, size, _, result) in rows)
        {
            var total = result.StartupMs + result.FirstInferMs;
            var ratio = total / (baseline.StartupMs + baseline.FirstInferMs);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {variant.Name} | {size:F0} MB | {result.StartupMs:F0} ms | {result.FirstInferMs:F1} ms | {result.OtherModelFirstInferMs:F1} ms | " +
                $"{result.NthInferMs(2):F2} ms | {result.NthInferMs(10):F2} ms | {total:F0} ms | {ratio:F2}× | {result.SteadyP50Ms:F3} ms | {result.Ratio:F1}× | " +
                $"{result.AfterIdleMs:F2} ms | {result.IdleRatio:F1}× |");
        }

        return md.ToString();
    }
}
