using System.Text.RegularExpressions;
using Microsoft.DurableTask;
using Serverless.Core.Errors;

namespace Serverless.Functions.Orchestrations;

/// <summary>
/// The <c>error</c> of a failed orchestration as the status route shows it: the innermost failure's message (the
/// activity or sub-orchestration that threw), without Durable's "Task 'X' (#7) failed with an unhandled exception:"
/// wrappers and type prefixes, cleaned of paths and URLs. A failure of the infrastructure (storage, I/O, HTTP, ONNX
/// Runtime) shows only its type, since its text names hosts and accounts; the detail stays in the logs and the
/// orchestration's history.
/// </summary>
internal static partial class OrchestrationErrors
{
    private static readonly string[] Infrastructure =
        ["Azure.RequestFailedException", "System.IO.IOException", "System.Net.Http.HttpRequestException", "Microsoft.ML.OnnxRuntime.OnnxRuntimeException"];

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
        for (var unwrapped = 0; unwrapped < 16; unwrapped++)
        {
            var prefix = TypePrefix().Match(message);
            if (prefix.Success)
            {
                type = prefix.Groups[1].Value;
                message = message[prefix.Length..];
                continue;
            }

            var wrapper = DurableWrapper().Match(message);
            if (!wrapper.Success)
            {
                break;
            }

            message = message[wrapper.Length..];
        }

        return Infrastructure.Any(t => string.Equals(t, type, StringComparison.Ordinal))
            ? $"The orchestration failed with {type[(type.LastIndexOf('.') + 1)..]}; the detail is in the logs and in the history of instance '{instanceId}'."
            : ErrorText.Clean(message);
    }

    /// <summary>"System.InvalidOperationException: " at the start, as Exception.ToString() writes it.</summary>
    [GeneratedRegex(@"^\s*((?:[A-Za-z_][\w]*\.)+[A-Za-z_]\w*Exception): ")]
    private static partial Regex TypePrefix();

    [GeneratedRegex(@"^\s*(?:Task|Sub-orchestration|Orchestration) '[^']*' \(#\d+\) failed with an unhandled exception: ")]
    private static partial Regex DurableWrapper();
}
