using System.Text.RegularExpressions;
using Microsoft.DurableTask;
using Serverless.Core.Errors;

namespace Serverless.Functions.Orchestrations;

/// <summary>
/// The <c>error</c> of a failed orchestration as the status route shows it: the reason alone, in words — the innermost
/// failure's message (the activity or sub-orchestration that threw) through <see cref="ErrorText.Reason"/>, so no
/// Durable "Task 'X' (#7) failed with an unhandled exception:" wrapper, exception type name, path or URL reaches the
/// caller. A failure of the infrastructure (storage, I/O, HTTP, ONNX Runtime) is said in words only, since its text
/// names hosts and accounts; the detail stays in the logs and the orchestration's history.
/// </summary>
internal static partial class OrchestrationErrors
{
    private static readonly Dictionary<string, string> Infrastructure = new(StringComparer.Ordinal)
    {
        ["Azure.RequestFailedException"] = "a storage request failed",
        ["System.IO.IOException"] = "reading or writing data failed",
        ["System.Net.Http.HttpRequestException"] = "an HTTP request failed",
        ["Microsoft.ML.OnnxRuntime.OnnxRuntimeException"] = "ONNX Runtime failed to run the model",
    };

    public static string? Describe(TaskFailureDetails? failure, string instanceId)
    {
        if (failure is null)
        {
            return null;
        }

        var innermost = failure;
        for (var depth = 0; innermost.InnerFailure is { } inner && depth < 16; depth++)
        {
            innermost = inner;
        }

        var message = ErrorText.Bound(innermost.ErrorMessage ?? string.Empty);
        var type = innermost.ErrorType;
        for (var rest = message; TypePrefix().Match(rest) is { Success: true } prefix; rest = rest[prefix.Length..])
        {
            type = prefix.Groups[1].Value;
        }

        return type is not null && Infrastructure.TryGetValue(type, out var what)
            ? $"The orchestration failed because {what}; the detail is in the logs and in the history of instance '{instanceId}'."
            : ErrorText.Reason(message);
    }

    /// <summary>An exception type name at the start, after any Durable wrappers, as Exception.ToString() writes it.</summary>
    [GeneratedRegex(@"^(?:\s*(?:Task|Sub-orchestration|Orchestration) '[^']*' \(#\d+\) failed with an unhandled exception:)*\s*((?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*Exception): ")]
    private static partial Regex TypePrefix();
}
