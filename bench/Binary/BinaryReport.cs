using System.Globalization;
using System.Text;

namespace Serverless.Bench.Binary;

/// <summary>One way of sending the tensor at one concurrency, with the bytes each request and answer carry.</summary>
public sealed record BinaryResult(string Variant, int Concurrency, long RequestBytes, long ResponseBytes, Measurement Measured);

/// <summary>Renders bench/out/binary.md.</summary>
public static class BinaryReport
{
    public static string Render(IReadOnlyList<BinaryResult> results, string settings)
    {
        var md = new StringBuilder();
        md.AppendLine("# Binary tensor extension benchmark").AppendLine();
        md.AppendLine(settings).AppendLine();
        md.AppendLine("One 1×3×224×224 FP32 tensor (a normalised image, 150,528 values) to a model that only averages it (ReduceMean over H and W → [1,3]),");
        md.AppendLine("so the protocol's cost dominates: sent as JSON `data`, as binary (`Inference-Header-Content-Length`, `binary_data_size`) with a JSON");
        md.AppendLine("answer, and as binary asking `binary_data_output`. Bytes on the wire are the HTTP bodies (headers excluded). Throughput is pooled");
        md.AppendLine("over the rounds; p50 and p99 over all requests.").AppendLine();
        md.AppendLine("| variant | c | request bytes | answer bytes | req/s | p50 ms | p99 ms | req/s vs JSON | p50 vs JSON |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var json = results.First(j => j.Concurrency == r.Concurrency);
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Variant} | {r.Concurrency} | {r.RequestBytes:N0} | {r.ResponseBytes:N0} | {r.Measured.RequestsPerSecond:F1} | {r.Measured.P50Ms:F2} | {r.Measured.P99Ms:F2} | {r.Measured.RequestsPerSecond / json.Measured.RequestsPerSecond:F2}× | {r.Measured.P50Ms / json.Measured.P50Ms:F2}× |"));
        }

        return md.ToString();
    }
}
