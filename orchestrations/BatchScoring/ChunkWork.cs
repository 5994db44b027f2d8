using Serverless.Core.Storage;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// Everything one score activity needs: the request, the plan's facts (model version, format, header; its chunk
/// list left empty so the item stays small), its chunk and the number of the
/// chunk's first data row (1-based), so output and error rows carry file-wide row numbers. When the rows carry
/// their own ids the orchestration does not count rows first: <see cref="FirstRow"/> is null, the chunk numbers
/// its rows from 1 and stages its errors at <see cref="StagedErrorsBlob"/>, and the fan-in renumbers them into
/// <see cref="ErrorsBlob"/> once every chunk's row count is known.
/// </summary>
public sealed record ChunkWork(BatchScoringRequest Request, BatchPlan Plan, ChunkRange Chunk, long? FirstRow)
{
    public string PartBlob => BlobPaths.Combine(Request.Output, $"parts/part-{Chunk.Index:D5}.csv");

    public string ErrorsBlob => BlobPaths.Combine(Request.Output, $"errors/part-{Chunk.Index:D5}.jsonl");

    /// <summary>Where a chunk without a known first row writes its errors, numbered within the chunk.</summary>
    public string StagedErrorsBlob => BlobPaths.Combine(Request.Output, $"_staging/errors-{Chunk.Index:D5}.jsonl");
}

/// <summary>
/// What one chunk produced. RowsIn = RowsOut + BadRows. When <see cref="ErrorsStaged"/>, the chunk's errors are
/// at <see cref="StagedErrorsBlob"/> with row numbers counted from 1 within the chunk, waiting for the fan-in.
/// </summary>
public sealed record ChunkResult(int Index, long RowsIn, long RowsOut, long BadRows, double Milliseconds, string PartBlob, string ErrorsBlob,
    bool ErrorsStaged = false, string? StagedErrorsBlob = null);
