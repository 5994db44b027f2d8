using Serverless.Bench;
using Serverless.Bench.Logging;
using Serverless.Bench.Monitoring;
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
try
{
    Progress.Write($"mode {options.Mode.ToString().ToLowerInvariant()}, BenchmarkDotNet {(options.RunBenchmarkDotNet ? "on" : "off")}, repository {root}");
    var reports = BenchModel.CreateAll().Select(m => new ModelReport(m)).ToList();
    if (options.Mode == BenchMode.Micro)
    {
        foreach (var result in MicroBenchmarks.Run(artifacts))
        {
            Progress.Write($"{result.Model} {result.Benchmark}: {result.MeanUs:F2} ± {result.ErrorUs:F2} µs, {result.AllocatedBytes} B/op");
        }

        return 0;
    }

    if (options.Mode == BenchMode.Sweep)
    {
        Progress.Write("training sweep: a fixed grid through the orchestration, trials as child processes...");
        var sweepPage = await SweepBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(sweepPage);
        var sweepPath = Path.Combine(root, "bench", "results", "sweep.md");
        await File.WriteAllTextAsync(sweepPath, sweepPage);
        Progress.Write($"written to {sweepPath}");
        return 0;
    }

    if (options.Mode == BenchMode.Monitor)
    {
        Progress.Write("monitoring: a monitor run over logged rows, from memory and through storage...");
        var monitorPage = await MonitorBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(monitorPage);
        var monitorPath = Path.Combine(root, "bench", "results", "monitor.md");
        await File.WriteAllTextAsync(monitorPath, monitorPage);
        Progress.Write($"written to {monitorPath}");
        return 0;
    }

    if (options.Mode == BenchMode.Logging)
    {
        Progress.Write("inference logging: records API and OIP infer, logging on vs off...");
        var loggingPage = await LoggingBenchmark.RunAsync(root);
        Console.WriteLine();
        Console.WriteLine(loggingPage);
        var loggingPath = Path.Combine(root, "bench", "results", "logging.md");
        Directory.CreateDirectory(Path.GetDirectoryName(loggingPath)!);
        await File.WriteAllTextAsync(loggingPath, loggingPage);
        Progress.Write($"written to {loggingPath}");
        return 0;
    }

    if (options.Mode is BenchMode.Tabular or BenchMode.All)
    {
        Progress.Write("tabular: batch scoring through the orchestration vs raw in-process, records API vs OIP...");
        var tabular = await TabularPhase.RunAsync(root);
        var page = tabular.Render(
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} cores · .NET {Environment.Version} · runner in the bench process on Azurite (in memory). " +
            $"Batch: each configuration {TabularPhase.Repeats}× alternating with the raw limit (in memory and via Azurite) on the same bytes; wall time from the POST to the completed status (polled every 50 ms), " +
            "rows out checked equal to rows in. HTTP: the closed-loop load generator of the serving benchmark, every response checked byte for byte.");
        Console.WriteLine();
        Console.WriteLine(page);
        var tabularPath = Path.Combine(root, "bench", "results", "tabular.md");
        Directory.CreateDirectory(Path.GetDirectoryName(tabularPath)!);
        await File.WriteAllTextAsync(tabularPath, page);
        Progress.Write($"written to {tabularPath}");
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

    await HttpPhase.RunAsync(root, reports, options.RunnerDll);

    var settings =
        $"Mode `{options.Mode.ToString().ToLowerInvariant()}`{(options.Mode == BenchMode.All && !options.RunBenchmarkDotNet ? " (--no-bdn)" : "")}. " +
        $"Stopwatch loops: {ComputePhase.Warmup.TotalSeconds} s warm-up, then up to {ComputePhase.Budget.TotalSeconds} s or {ComputePhase.MaxOperations} calls. " +
        $"HTTP: closed-loop load generator in the bench process (HttpClient/SocketsHttpHandler, HTTP/1.1 keep-alive), {HttpPhase.Load.Warmup.TotalSeconds} s warm-up, " +
        $"then up to {HttpPhase.Load.MeasureDuration.TotalSeconds} s or {HttpPhase.Load.MeasureMaxRequests} requests per target in {HttpPhase.Load.Rounds} rounds alternating bare endpoint and runner; " +
        "every response checked (200 and the exact expected body). " +
        $"Bare endpoint and runner run in the bench process; cold start uses a separate runner process, {HttpPhase.ColdStartRuns} runs per model, " +
        $"steady p50 over {HttpPhase.SteadyRequests} sequential requests after 1 s of warm-up" +
        (options.RunnerDll is null ? "." : $"; runner process: {options.RunnerDll}.");
    var markdown = ResultTable.Render(reports, settings);
    Console.WriteLine();
    Console.WriteLine(markdown);
    var resultsFolder = Path.Combine(root, "bench", "results");
    Directory.CreateDirectory(resultsFolder);
    var path = Path.Combine(resultsFolder, "latest.md");
    await File.WriteAllTextAsync(path, markdown);
    Progress.Write($"written to {path}");
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine($"BENCH FAILED: {e}");
    return 1;
}
