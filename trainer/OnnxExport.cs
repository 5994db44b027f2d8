using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Onnx;

namespace Serverless.Trainer;

/// <summary>
/// Converts a fitted pipeline to ONNX with ML.NET's converter, keeping only the prediction outputs
/// (<c>Score.output</c>, <c>Probability.output</c>, <c>PredictedLabel.output</c>), and reads the signature ONNX
/// Runtime sees, as the platform does at registration. Stateless; thread-safe.
/// </summary>
public static class OnnxExport
{
    /// <summary>The model's prediction columns for a task, as named in ML.NET (ONNX appends ".output").</summary>
    public static string[] PredictionColumns(string task) => task switch
    {
        Algorithms.Binary => ["PredictedLabel", "Score", "Probability"],
        Algorithms.Multiclass => ["PredictedLabel", "Score"],
        _ => ["Score"],
    };

    /// <summary>The ONNX name of an ML.NET output column.</summary>
    public static string OutputName(string column) => column + ".output";

    /// <summary>
    /// The ONNX bytes of <paramref name="model"/>, whose inputs are the columns of <paramref name="inputs"/> (the
    /// features only, so the label is not a model input). Throws <see cref="TrialException"/> when ML.NET cannot export.
    /// </summary>
    public static byte[] Convert(MLContext ml, ITransformer model, IDataView inputs, string task)
    {
        using var stream = new MemoryStream();
        try
        {
            ml.Model.ConvertToOnnx(model, inputs, stream, PredictionColumns(task));
        }
        catch (Exception e) when (e is NotSupportedException or NotImplementedException or InvalidOperationException)
        {
            throw new TrialException($"ML.NET cannot export this {task} model to ONNX: {e.Message}", e);
        }

        return stream.ToArray();
    }

    /// <summary>The inputs and outputs ONNX Runtime reads from the bytes (the session is loaded and disposed).</summary>
    public static ModelSignature ReadSignature(byte[] onnx)
    {
        using var options = OnnxSessionSafety.Harden(new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR });
        using var session = new InferenceSession(onnx, options);
        return SignatureReader.Read(session);
    }
}
