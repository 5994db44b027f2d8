namespace Serverless.Cli;

/// <summary>
/// The CLI's exit codes, the same for every command, so a pipeline step can tell a usage mistake from the API's refusal,
/// a failed workflow or a timeout. <see cref="Table"/> is the documented list (the help's epilogue and the README print it).
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked; for <c>--wait</c>, the workflow completed.</summary>
    public const int Success = 0;

    /// <summary>Local data could not be used: a missing, empty or malformed file, headers that differ; storage that refused or could not be reached.</summary>
    public const int DataError = 1;

    /// <summary>The command line is wrong: unknown command or option, missing or invalid value, unknown column named in an option.</summary>
    public const int UsageError = 2;

    /// <summary>With <c>drift --fail-on-drift</c>: the report was produced and the dataset drifted, so a CI step fails.</summary>
    public const int DriftFound = 3;

    /// <summary>The API answered an error (HTTP 4xx or 5xx; its message and status are printed as they are) or could not be reached.</summary>
    public const int ApiRefused = 4;

    /// <summary>With <c>--wait</c> (or <c>status</c> of an ended instance): the workflow failed or was terminated.</summary>
    public const int WorkflowFailed = 5;

    /// <summary>The command ran past <c>--timeout</c>; a workflow it waited for keeps running (follow it with <c>status ID --wait</c>).</summary>
    public const int Timeout = 6;

    /// <summary>Every code with what it means, in order.</summary>
    public static IReadOnlyList<(int Code, string Meaning)> Table { get; } =
    [
        (Success, "success (with --wait: the workflow completed)"),
        (DataError, "a local file or the storage account could not be used (missing, empty or malformed file; storage refused or unreachable)"),
        (UsageError, "usage error: unknown command or option, missing or invalid value"),
        (DriftFound, "drift --fail-on-drift: the dataset drifted"),
        (ApiRefused, "the API refused the request (HTTP 4xx/5xx, its message and status printed as they are) or could not be reached"),
        (WorkflowFailed, "the workflow failed or was terminated (--wait, status)"),
        (Timeout, "--timeout ran out (a workflow keeps running; follow it with status ID --wait)"),
    ];
}
