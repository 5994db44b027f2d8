using Serverless.Functions.OpenApi;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Functions.Orchestrations;

/// <summary>A started (or terminating) orchestration: its instance id and where to poll and terminate it, relative to the host the caller reached.</summary>
public sealed record OrchestrationAcceptedResponse(string Id, string StatusUri, string TerminateUri);

/// <summary>
/// An orchestration instance's state. <c>runtime_status</c> is Durable's (Pending, Running, Completed, Failed, Terminated,
/// Suspended, ...); <c>custom_status</c> is its progress and <c>output</c> its result once Completed, both snake_case
/// whatever the orchestration recorded (see <see cref="OrchestrationShapes"/>); <c>error</c> says why it failed.
/// </summary>
public sealed record OrchestrationStatusResponse(
    string InstanceId,
    string Name,
    string RuntimeStatus,
    [property: ApiOneOf(typeof(OrchestrationShapes), nameof(OrchestrationShapes.CustomStatusTypes))] object? CustomStatus,
    [property: ApiOneOf(typeof(OrchestrationShapes), nameof(OrchestrationShapes.OutputTypes))] object? Output,
    string? Error,
    DateTimeOffset CreatedUtc,
    DateTimeOffset LastUpdatedUtc);

/// <summary>
/// The body that starts batch scoring: <c>input</c> and <c>output</c> as <c>container/path</c> in a data container, the model
/// (with a version or an alias, else the default alias, else the latest) and the job's knobs (defaults: 10,000 chunk rows,
/// 4 in parallel, 1,000 bad rows, no merge, 100 chunks per sub-orchestration). Unknown fields are refused.
/// </summary>
public sealed record StartBatchScoringRequest(
    string? Input,
    string? Model,
    string? Version,
    string? Alias,
    string? Output,
    string? Format,
    string? IdColumn,
    int? ChunkRows,
    int? MaxParallelism,
    long? MaxBadRows,
    bool? Merge,
    int? ChunksPerOrchestration);

/// <summary>Workflows, newest first; <c>more</c> when more matched than were answered, or the scan stopped before the end.</summary>
public sealed record OrchestrationListResponse(IReadOnlyList<OrchestrationStatusResponse> Instances, bool More);

/// <summary>
/// A batch scoring run's bad rows: how many it counted (<c>bad_rows</c>, from its progress; null before scoring began), the
/// folder that lists every one of them, the errors blobs read, and the first rows (row number in the input, id, feature at
/// fault, reason), in part order.
/// </summary>
public sealed record BatchBadRowsResponse(
    string InstanceId,
    string RuntimeStatus,
    long? BadRows,
    string ErrorsFolder,
    IReadOnlyList<string> ErrorBlobs,
    IReadOnlyList<BatchRowError> Rows);
