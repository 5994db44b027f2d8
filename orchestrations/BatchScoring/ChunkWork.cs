namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Everything one score activity needs: the request, the plan's facts, its chunk and the number of the
/// chunk's first data row (1-based), so output and error rows carry file-wide row numbers.
/// </summary>
public sealed record ChunkWork(BatchScoringRequest Request, BatchPlan Plan, ChunkRange Chunk, long FirstRow)
{
    public string PartBlob => BlobPaths.Combine(Request.Output, $"parts/part-{Chunk.Index:D5}.csv");

    public string ErrorsBlob => BlobPaths.Combine(Request.Output, $"errors/part-{Chunk.Index:D5}.jsonl");
}

/// <summary>What one chunk produced. RowsIn = RowsOut + BadRows.</summary>
public sealed record ChunkResult(int Index, long RowsIn, long RowsOut, long BadRows, double Milliseconds, string PartBlob, string ErrorsBlob);
