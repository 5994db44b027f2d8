namespace Serverless.Bench;

/// <summary>What to run, from the command line: <c>[all|micro|load|alloc|tabular|sweep|logging|monitor|startup|routing|batching|binary] [--no-bdn] [--no-cold-start] [--publish] [--runner-dll PATH]</c>.</summary>
public sealed record BenchOptions(BenchMode Mode, bool RunBenchmarkDotNet, string? RunnerDll, bool Publish = false, bool ColdStart = true, bool AllocationTypes = false)
{
    public const string Usage =
        "Usage: dotnet run -c Release --project bench [-- [micro|load|alloc|tabular|sweep|logging|monitor|startup|routing|batching|binary|graphs|features] [--no-bdn] [--no-cold-start] [--types] [--publish] [--runner-dll PATH]]\n" +
        "  Pages go to bench/out/ (git-ignored); --publish writes them to the tracked bench/results/ instead.\n" +
        "  (default)  everything: Stopwatch loops, BenchmarkDotNet, HTTP load, cold start, tables\n" +
        "  micro      BenchmarkDotNet only (raw Run and in-process serving)\n" +
        "  load       HTTP load (minimal endpoint, bare endpoint and runner; OIP infer and /predict) and cold start only\n" +
        "  alloc      bytes allocated per request (c=1): minimal endpoint, runner with logging off and on; OIP infer and /predict (alloc.md)\n" +
        "  tabular    batch scoring through the orchestration vs raw in-process, records API vs OIP (tabular.md)\n" +
        "  sweep      a fixed training grid through the sweep orchestration: wall time, trials/min (sweep.md)\n" +
        "  logging    records API and OIP infer on the runner with inference logging on vs off (logging.md)\n" +
        "  monitor    monitor run time over 1M logged rows x 20 features, from memory and through storage (monitor.md)\n" +
        "  batching   dynamic batching off vs on (no delay, 500 µs) on an MLP and a small CNN at c=16 and c=64 (batching.md)\n" +
        "  routing    a plain alias vs a 90/10 traffic split, random and by routing key (routing.md)\n" +
        "  binary     a 1x3x224x224 FP32 tensor as JSON vs the binary tensor extension, c=1 and c=4 (binary.md)\n" +
        "  graphs     inference graphs: a sequence and an ensemble vs their members one after another, in process and over HTTP (graphs.md)\n" +
        "  features   online feature lookups: key-only vs full-row requests, cold and warm cache, c=1 and c=16 (features.md)\n" +
        "  startup    cold start of the runner published as JIT and ReadyToRun, with each tiered-compilation setting (startup.md)\n" +
        "  --no-bdn   skip BenchmarkDotNet in the default mode\n" +
        "  --types    in alloc mode, also the types the runner allocates per request over the minimal endpoint (sampled)\n" +
        "  --no-cold-start  skip the cold starts of a runner process after the HTTP load (default and load modes)\n" +
        "  --publish  write the pages to bench/results/ (tracked, quoted by the README) instead of bench/out/\n" +
        "  --runner-dll PATH  the Serverless.Local.dll to cold-start (e.g. a ReadyToRun publish); default: the built runner;\n" +
        "                    in startup mode, a runner published elsewhere (e.g. an earlier commit) started beside the variants";

    public static BenchOptions Parse(string[] args)
    {
        var mode = BenchMode.All;
        var bdn = true;
        var publish = false;
        var coldStart = true;
        var types = false;
        string? runnerDll = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "all":
                    mode = BenchMode.All;
                    break;
                case "micro":
                    mode = BenchMode.Micro;
                    break;
                case "load":
                    mode = BenchMode.Load;
                    break;
                case "alloc":
                    mode = BenchMode.Alloc;
                    break;
                case "tabular":
                    mode = BenchMode.Tabular;
                    break;
                case "sweep":
                    mode = BenchMode.Sweep;
                    break;
                case "logging":
                    mode = BenchMode.Logging;
                    break;
                case "monitor":
                    mode = BenchMode.Monitor;
                    break;
                case "startup":
                    mode = BenchMode.Startup;
                    break;
                case "routing":
                    mode = BenchMode.Routing;
                    break;
                case "batching":
                    mode = BenchMode.Batching;
                    break;
                case "binary":
                    mode = BenchMode.Binary;
                    break;
                case "graphs":
                    mode = BenchMode.Graphs;
                    break;
                case "features":
                    mode = BenchMode.Features;
                    break;
                case "--no-bdn":
                    bdn = false;
                    break;
                case "--no-cold-start":
                    coldStart = false;
                    break;
                case "--types":
                    types = true;
                    break;
                case "--publish":
                    publish = true;
                    break;
                case "--help" or "-h":
                    throw new ArgumentException(Usage);
                case "--runner-dll" when i + 1 < args.Length:
                    runnerDll = Path.GetFullPath(args[++i]);
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.\n{Usage}");
            }
        }

        return new BenchOptions(mode, bdn, runnerDll, publish, coldStart, types);
    }
}

public enum BenchMode
{
    All,
    Micro,
    Load,
    Alloc,
    Tabular,
    Sweep,
    Logging,
    Monitor,
    Startup,
    Routing,
    Batching,
    Binary,
    Graphs,
    Features,
}
