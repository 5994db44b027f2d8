namespace Serverless.Core.Monitoring.Logging;

/// <summary>The values of <see cref="InferenceLogRecord.Status"/>.</summary>
public static class InferenceLogStatus
{
    /// <summary>The request was answered with predictions; one record per row.</summary>
    public const string Ok = "ok";

    /// <summary>The request failed (bad input, unknown model, run failure); one record, row -1, with the error message.</summary>
    public const string Error = "error";
}

/// <summary>The values of <see cref="InferenceLogRecord.Source"/>: which API served the request.</summary>
public static class InferenceLogSource
{
    /// <summary>The records API, <c>models/{name}/predict</c>: features and outputs as the manifest names them.</summary>
    public const string Predict = "predict";

    /// <summary>OIP v2 infer: features <c>x0..x{F-1}</c> of a 2-D input, or a summary; outputs from the first output.</summary>
    public const string Infer = "infer";

    /// <summary>A member's share of an inference graph's request, logged under the member's own name with the graph's request id.</summary>
    public const string Graph = "graph";
}
