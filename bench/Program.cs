using Serverless.Bench;
using Serverless.Bench.Allocations;
using Serverless.Bench.Batching;
using Serverless.Bench.Binary;
using Serverless.Bench.Features;
using Serverless.Bench.Graphs;
using Serverless.Bench.Logging;
using Serverless.Bench.Monitoring;
using Serverless.Bench.Routing;
using Serverless.Bench.Startup;
using Serverless.Bench.Tabular;
using Serverless.Bench.Training;
using Serverless.Local.Hosting;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var root = RepositoryPaths.FindRoot(AppContext.BaseDirectory);
var artifacts = Path.Combine(root, "bench", "BenchmarkDotNet.Artifacts");
var output = ResultFiles.For(root, options.Publish);
try
{
    Progress.Write($"mode {options.Mode.ToString().ToLowerInvariant()}, BenchmarkDotNet {(options.RunBenchmarkDotNet ? "on" : "off")}, repository {root}");
    if (options.Mode != BenchMode.Micro)
    {
        Progress.Write(output.Describe());
    }

    var reports = BenchModel.CreateAll().Select(m => new ModelReport(m)).ToList();
    if (options.Mode == BenchMode.Micro)
    {
        foreach (var result in MicroBenchmarks.Run(artifacts))
        {
            Progress.Write($"{result.Model} {result.Benchmark}: {result.MeanUs:F2} ± {result.ErrorUs:F2} µs, {result.AllocatedBytes} B/op");
        }

        return 0;
    }

    if (options.Mode == BenchMode.Alloc)
    {
        Progress.Write("allocations per request: minimal endpoint, runner with logging off and on...");
        var allocPage = await AllocationBenchmark.RunAsync(root, [.. reports.Select(r => r.Model)], options.AllocationTypes);
        Console.WriteLine();
        Console.WriteLine(allocPage);
        await output.WriteAsync("alloc.md", allocPage);
        return 0;
    }

    if (options.Mode == BenchMode.Sweep)
    {
        Progress.Write("training sweep: a fixed grid through the orchestration, trials as child processes...");
        var sweepPage = await SweepBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(sweepPage);
        await output.WriteAsync("sweep.md", sweepPage);
        return 0;
    }

    if (options.Mode == BenchMode.Monitor)
    {
        Progress.Write("monitoring: a monitor run over logged rows, from memory and through storage...");
        var monitorPage = await MonitorBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(monitorPage);
        await output.WriteAsync("monitor.md", monitorPage);
        return 0;
    }

    if (options.Mode == BenchMode.Startup)
    {
        Progress.Write("cold start by publish settings: the runner published as JIT and ReadyToRun, with each tiered-compilation setting...");
        var startupPage = await StartupBenchmark.RunAsync(root, options.RunnerDll);
        Console.WriteLine();
        Console.WriteLine(startupPage);
        await output.WriteAsync("startup.md", startupPage);
        return 0;
    }

    if (options.Mode == BenchMode.Batching)
    {
        Progress.Write("dynamic batching: off, on, on with a queue delay, at c=16 and c=64...");
        var batchingPage = await BatchingBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(batchingPage);
        await output.WriteAsync("batching.md", batchingPage);
        return 0;
    }

    if (options.Mode == BenchMode.Routing)
    {
        Progress.Write("traffic splits: a plain alias vs a 90/10 split, random and by routing key...");
        var routingPage = await RoutingBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(routingPage);
        await output.WriteAsync("routing.md", routingPage);
        return 0;
    }

    if (options.Mode == BenchMode.Graphs)
    {
        Progress.Write("inference graphs in process: a sequence and an ensemble vs their members one after another...");
        var graphsPage = await GraphBenchmark.RunAsync() + await GraphHttpBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(graphsPage);
        await output.WriteAsync("graphs.md", graphsPage);
        return 0;
    }

    if (options.Mode == BenchMode.Features)
    {
        Progress.Write("online feature lookups: key-only vs full-row requests, cold and warm cache, c=1 and c=16...");
        var featuresPage = await FeatureLookupBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(featuresPage);
        await output.WriteAsync("features.md", featuresPage);
        return 0;
    }

    if (options.Mode == BenchMode.Binary)
    {
        Progress.Write("binary tensor extension: a 1x3x224x224 tensor as JSON vs binary...");
        var binaryPage = await BinaryBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(binaryPage);
        await output.WriteAsync("binary.md", binaryPage);
        return 0;
    }

    if (options.Mode == BenchMode.Logging)
    {
        Progress.Write("inference logging: records API and OIP infer, logging on vs off...");
        var loggingPage = await LoggingBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(loggingPage);
        await output.WriteAsync("logging.md", loggingPage);
        return 0;
    }

    if (options.Mode is BenchMode.Tabular or BenchMode.All)
    {
        Progress.Write("tabular: batch scoring through the orchestration vs raw in-process, records API vs OIP...");
        var tabular = await TabularPhase.RunAsync(root);
        var page = tabular.Render(
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version} · runner in the bench process on Azurite (in memory). " +
            $"Batch: each configuration {TabularPhase.Repeats}× alternating with the raw limit (in memory and via Azurite) on the same bytes; wall time from the POST to the completed status (asked with the status route's wait=60, which answers when the instance ends), " +
            "rows out checked equal to rows in. HTTP: the closed-loop load generator of the serving benchmark, every response checked byte for byte.");
        Console.WriteLine();
        Console.WriteLine(page);
        await output.WriteAsync("tabular.md", page);
        if (options.Mode == BenchMode.Tabular)
        {
            return 0;
        }
    }

    if (options.Mode == BenchMode.All)
    {
        Progress.Write("compute limit and in-process serving (Stopwatch loops)...");
        ComputePhase.Run(reports);
        if (options.RunBenchmarkDotNet)
        {
            Progress.Write("BenchmarkDotNet (ShortRun, in-process)...");
            foreach (var result in MicroBenchmarks.Run(artifacts))
            {
                reports.Single(r => r.Model.Name == result.Model).Micro.Add(result);
            }
        }
    }

    await HttpPhase.RunAsync(root, reports, options.RunnerDll, options.ColdStart);

    var settings =
        $"Mode `{options.Mode.ToString().ToLowerInvariant()}`{(options.Mode == BenchMode.All && !options.RunBenchmarkDotNet ? " (--no-bdn)" : "")}. " +
        $"Stopwatch loops: {ComputePhase.Warmup.TotalSeconds} s warm-up, then up to {ComputePhase.Budget.TotalSeconds} s or {ComputePhase.MaxOperations} calls. " +
        $"HTTP: closed-loop load generator in the bench process (HttpClient/SocketsHttpHandler, HTTP/1.1 keep-alive), {HttpPhase.Load.Warmup.TotalSeconds} s warm-up, " +
        $"then up to {HttpPhase.Load.MeasureDuration.TotalSeconds} s or {HttpPhase.Load.MeasureMaxRequests} requests per target in {HttpPhase.Load.Rounds} rounds alternating the bare endpoint, the runner and the minimal endpoint (slim and full host); " +
        "every response checked (200 and the exact expected body). " +
        $"Bare endpoint and runner run in the bench process; cold start uses a separate runner process, {HttpPhase.ColdStartRuns} runs per model, " +
        $"steady p50 over {HttpPhase.SteadyRequests} sequential requests after 1 s of warm-up" +
        (options.RunnerDll is null ? "." : $"; runner process: {options.RunnerDll}.");
    var markdown = ResultTable.Render(reports, settings);
    Console.WriteLine();
    Console.WriteLine(markdown);
    await output.WriteAsync("latest.md", markdown);
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine($"BENCH FAILED: {e}");
    return 1;
}
