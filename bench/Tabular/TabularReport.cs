using System.Globalization;
using System.Text;

namespace Serverless.Bench.Tabular;

/// <summary>The tabular phase's figures and their Markdown page (bench/results/tabular.md).</summary>
public sealed class TabularReport
{
    /// <summary>The issue's targets: batch scoring through the orchestration at least this fraction of the raw limit's rows/s at this many rows.</summary>
    public static readonly (int Rows, double Ratio)[] Targets = [(100_000, 0.5), (1_000_000, 0.8)];

    public TabularReport(int cores)
    {
        Cores = cores;
    }

    public int Cores { get; }

    public List<Size> Sizes { get; } = [];

    public List<(int Concurrency, Measurement Infer, Measurement Predict)> Http { get; } = [];

    public string Render(string header)
    {
        var md = new StringBuilder();
        md.AppendLine("# Tabular benchmark").AppendLine().AppendLine(header).AppendLine();
        foreach (var size in Sizes)
        {
            RenderSize(md, size);
        }

        md.AppendLine("## Records API beside OIP infer (same model, same row, runner over HTTP)").AppendLine();
        md.AppendLine("| concurrency | OIP infer p50 ms | records p50 ms | OIP req/s | records req/s | records vs OIP (req/s) |").AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var (c, infer, predict) in Http)
        {
            md.AppendLine($"| {c} | {infer.P50Ms:F3} | {predict.P50Ms:F3} | {infer.RequestsPerSecond:F0} | {predict.RequestsPerSecond:F0} | {predict.RequestsPerSecond / infer.RequestsPerSecond:F2}× |");
        }

        return md.ToString();
    }

    private void RenderSize(StringBuilder md, Size size)
    {
        var raw = TabularPhase.Median(size.Raw);
        var viaStorage = TabularPhase.Median(size.RawViaStorage);
        md.AppendLine($"## Batch scoring, {size.Rows:N0} rows ({size.CsvBytes / 1e6:F1} MB CSV, id + 10 numeric features, logistic regression with its manifest)").AppendLine();
        md.AppendLine("| path | rows/s (median) | runs (s) | vs raw limit | vs raw via Azurite |").AppendLine("|---|---:|---|---:|---:|");
        md.AppendLine($"| raw in-process ONNX Runtime, CSV in memory, {Cores} threads (**the limit**) | {raw:F0} | {Runs(size.Rows, size.Raw)} | 1.00× | {raw / viaStorage:F2}× |");
        md.AppendLine($"| raw in-process, input downloaded from and predictions uploaded to Azurite, {Cores} threads | {viaStorage:F0} | {Runs(size.Rows, size.RawViaStorage)} | {viaStorage / raw:F2}× | 1.00× |");
        foreach (var group in size.Orchestrations.GroupBy(o => (o.ChunkRows, o.MaxParallelism)))
        {
            var median = TabularPhase.Median(group.Select(g => g.RowsPerSecond));
            md.AppendLine($"| **orchestration on the runner**, chunk_rows {group.Key.ChunkRows}, max_parallelism {group.Key.MaxParallelism} ({group.First().Chunks} chunks) | " +
                          $"{median:F0} | {string.Join(", ", group.Select(g => g.Seconds.ToString("F2", CultureInfo.InvariantCulture)))} | {median / raw:F2}× | {median / viaStorage:F2}× |");
        }

        var single = TabularPhase.Median(size.RawSingleThread);
        var runOnly = TabularPhase.Median(size.RunOnly);
        md.AppendLine($"| raw in-process, 1 thread | {single:F0} | {Runs(size.Rows, size.RawSingleThread)} | {single / raw:F2}× | {single / viaStorage:F2}× |");
        md.AppendLine($"| ONNX Runtime Run only on pre-parsed [2048, 10] batches, {Cores} threads (compute floor, not a target) | {runOnly:F0} | {Runs(size.Rows, size.RunOnly)} | {runOnly / raw:F0}× | – |");
        md.AppendLine();
        foreach (var (rows, target) in Targets.Where(t => t.Rows == size.Rows && size.Orchestrations.Count > 0))
        {
            var best = size.Orchestrations.GroupBy(o => (o.ChunkRows, o.MaxParallelism)).Select(g => TabularPhase.Median(g.Select(x => x.RowsPerSecond))).Max();
            md.AppendLine("| target | measured | result |").AppendLine("|---|---:|---|");
            md.AppendLine($"| batch scoring through the orchestration ≥ {target}× raw in-process at {rows:N0} rows (best configuration) | {best / raw:F2}× | {(best / raw >= target ? "PASS" : "MISS")} |");
            md.AppendLine();
        }
    }

    private static string Runs(int rows, IEnumerable<double> rowsPerSecond) =>
        string.Join(", ", rowsPerSecond.Select(r => (rows / r).ToString("F2", CultureInfo.InvariantCulture)));

    /// <summary>The figures at one input size.</summary>
    public sealed class Size
    {
        public Size(int rows, long csvBytes)
        {
            Rows = rows;
            CsvBytes = csvBytes;
        }

        public int Rows { get; }

        public long CsvBytes { get; }

        /// <summary>Raw in-process limit, rows/s, one entry per measured pass (all cores, CSV in memory).</summary>
        public List<double> Raw { get; } = [];

        /// <summary>The raw job downloading its input from and uploading its output to Azurite, rows/s.</summary>
        public List<double> RawViaStorage { get; } = [];

        public List<double> RawSingleThread { get; } = [];

        public List<double> RunOnly { get; } = [];

        public List<BatchRun> Orchestrations { get; } = [];
    }
}
