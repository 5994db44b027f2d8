using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.ML.OnnxRuntime;

namespace Serverless.Bench.Tabular;

/// <summary>
/// The limit for batch scoring: what a hand-written in-process job does with ONNX Runtime and nothing else — the
/// CSV already in memory, parsed with the same CSV library, rows packed into one [batch, F] FP32 buffer, one
/// <c>Run</c> per batch through the OrtValue API on a shared session, <c>id,label,probability</c> lines written to
/// memory. No storage, no orchestration, no manifest. Workers split the rows by line; <see cref="Score(byte[], int)"/> is
/// thread-safe (the session is shared, as serving shares one).
/// </summary>
public sealed class RawBatchScoring : IDisposable
{
    private const int BatchRows = 2048;

    private static readonly CsvReaderOptions ReaderOptions = new() { HasHeader = true, Separator = ',', DetectSeparatorHint = false };

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly int _features;

    public RawBatchScoring(InferenceSession session, int features)
    {
        _session = session;
        _features = features;
    }

    /// <summary>Scores every data row of <paramref name="csv"/> with <paramref name="workers"/> threads; returns the rows written.</summary>
    public long Score(byte[] csv, int workers) => Score(csv, workers, out _);

    /// <summary>As <see cref="Score(byte[], int)"/>, also handing back the predictions (one CSV slice per worker).</summary>
    public long Score(byte[] csv, int workers, out IReadOnlyList<byte[]> outputs)
    {
        var slices = Slice(csv, workers);
        var results = new byte[slices.Count][];
        long rows = 0;
        Parallel.For(0, slices.Count, new ParallelOptions { MaxDegreeOfParallelism = workers }, i => Interlocked.Add(ref rows, ScoreSlice(slices[i], out results[i])));
        outputs = results;
        return rows;
    }

    /// <summary>Only <c>Run</c> over pre-parsed batches of the same rows (the compute floor): returns rows scored.</summary>
    public long RunOnly(float[][] batches, int rowsPerBatch, int workers)
    {
        long rows = 0;
        Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = workers }, batch =>
        {
            var n = batch.Length / _features;
            using var input = OrtValue.CreateTensorValueFromMemory(batch, [n, _features]);
            using var outputs = _session.Run(_runOptions, ["input"], [input], _session.OutputNames);
            Interlocked.Add(ref rows, outputs[0].GetTensorDataAsSpan<float>().Length);
        });
        return rows;
    }

    /// <summary>Parses the CSV once into FP32 batches of <paramref name="rowsPerBatch"/> rows, for <see cref="RunOnly"/>.</summary>
    public float[][] Parse(byte[] csv, int rowsPerBatch)
    {
        var batches = new List<float[]>();
        using var reader = CsvReader.Create(new MemoryStream(csv), ReaderOptions);
        var buffer = new List<float>(rowsPerBatch * _features);
        while (reader.Read())
        {
            for (var f = 0; f < _features; f++)
            {
                buffer.Add(float.Parse(reader.GetString(f + 1), CultureInfo.InvariantCulture));
            }

            if (buffer.Count == rowsPerBatch * _features)
            {
                batches.Add(buffer.ToArray());
                buffer.Clear();
            }
        }

        if (buffer.Count > 0)
        {
            batches.Add(buffer.ToArray());
        }

        return batches.ToArray();
    }

    public void Dispose() => _runOptions.Dispose();

    private long ScoreSlice(byte[] slice, out byte[] result)
    {
        var data = new float[BatchRows * _features];
        var ids = new string[BatchRows];
        var output = new MemoryStream(slice.Length / 4);
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16);
        using var reader = CsvReader.Create(new MemoryStream(slice, writable: false), ReaderOptions);
        var n = 0;
        long written = 0;
        while (reader.Read())
        {
            ids[n] = reader.GetString(0);
            for (var f = 0; f < _features; f++)
            {
                data[(n * _features) + f] = float.Parse(reader.GetString(f + 1), CultureInfo.InvariantCulture);
            }

            if (++n == BatchRows)
            {
                written += RunBatch(data, ids, n, writer);
                n = 0;
            }
        }

        if (n > 0)
        {
            written += RunBatch(data, ids, n, writer);
        }

        writer.Flush();
        result = output.ToArray();
        return written;
    }

    private int RunBatch(float[] data, string[] ids, int n, StreamWriter writer)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, data.AsMemory(0, n * _features), [n, _features]);
        using var outputs = _session.Run(_runOptions, ["input"], [input], _session.OutputNames);
        var probabilities = outputs[0].GetTensorDataAsSpan<float>();
        for (var i = 0; i < n; i++)
        {
            var p = probabilities[i];
            writer.Write(ids[i]);
            writer.Write(p >= 0.5f ? ",1," : ",0,");
            writer.Write(p.ToString(CultureInfo.InvariantCulture));
            writer.Write('\n');
        }

        return n;
    }

    /// <summary>Cuts the CSV into <paramref name="parts"/> slices at line starts, each with the header prepended.</summary>
    private static List<byte[]> Slice(byte[] csv, int parts)
    {
        var headerEnd = Array.IndexOf(csv, (byte)'\n') + 1;
        var header = csv.AsMemory(0, headerEnd);
        var slices = new List<byte[]>();
        var start = headerEnd;
        for (var p = 1; p <= parts && start < csv.Length; p++)
        {
            var end = p == parts ? csv.Length : Array.IndexOf(csv, (byte)'\n', Math.Max(start, headerEnd + (int)((long)(csv.Length - headerEnd) * p / parts))) + 1;
            end = end <= 0 ? csv.Length : end;
            var slice = new byte[header.Length + (end - start)];
            header.CopyTo(slice);
            csv.AsSpan(start, end - start).CopyTo(slice.AsSpan(header.Length));
            slices.Add(slice);
            start = end;
        }

        return slices;
    }
}
