using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Onnx;

namespace Serverless.Core.Serving;

/// <summary>
/// Builds ONNX Runtime session options from <see cref="ServingOptions"/>, hardened by
/// <see cref="OnnxSessionSafety"/> (external data can never be read from the server's files). Thread-safe.
/// </summary>
public sealed class SessionOptionsFactory
{
    private readonly ServingOptions _options;

    public SessionOptionsFactory(IOptions<ServingOptions> options)
    {
        _options = options.Value;
    }

    /// <summary>New options for one session; the caller disposes them once the session exists.</summary>
    public SessionOptions Create()
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = _options.IntraOpThreads,
            InterOpNumThreads = _options.InterOpThreads,
            ExecutionMode = _options.InterOpThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = _options.GraphOptimizationLevel switch
            {
                GraphOptimization.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
                GraphOptimization.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                GraphOptimization.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        return OnnxSessionSafety.Harden(options);
    }
}
