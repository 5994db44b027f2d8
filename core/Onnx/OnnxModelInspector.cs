using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Onnx;

/// <summary>
/// The gate a model passes to be registered: <see cref="OnnxModelScanner"/> refuses external data and
/// malformed bytes and estimates memory (a model already over <see cref="ModelBudgets.MaxSessionBytes"/> by that
/// estimate never reaches ONNX Runtime); then ONNX Runtime loads it once with the serving options (and
/// <see cref="OnnxSessionSafety"/>), saving the optimised model to a temporary file whose weights and generators
/// give the session's size; the signature gives the warm-up size. Over a budget, or anything ONNX Runtime refuses,
/// is a <see cref="ServingException"/> (BadRequest). Thread-safe; no session is kept.
/// </summary>
public sealed class OnnxModelInspector
{
    private readonly Func<SessionOptions> _sessionOptions;
    private readonly ModelBudgets _budgets;

    /// <summary>Default ONNX Runtime options (one thread, all optimisations) and no budgets.</summary>
    public OnnxModelInspector()
        : this(() => new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR }, ModelBudgets.Unlimited)
    {
    }

    /// <param name="sessionOptions">New options as serving creates them, for each inspection (disposed here).</param>
    /// <param name="budgets">The limits a model must fit.</param>
    public OnnxModelInspector(Func<SessionOptions> sessionOptions, ModelBudgets budgets)
    {
        _sessionOptions = sessionOptions;
        _budgets = budgets;
    }

    /// <summary>Scans, loads and measures the model; returns its signature and sizes.</summary>
    public ModelInspection Inspect(byte[] modelBytes)
    {
        var scan = OnnxModelScanner.Scan(modelBytes);
        if (scan.EstimatedBytes > _budgets.MaxSessionBytes)
        {
            throw OverSessionBudget(
                $"would take about {Describe(scan.EstimatedBytes)} of memory once loaded ({Describe(scan.InitializerBytes)} of constant tensors, " +
                $"{Describe(scan.GeneratorBytes)} made by generator nodes{(scan.LargestGenerator is null ? "" : $", the largest by {scan.LargestGenerator}")})",
                " It was refused before ONNX Runtime loaded it.");
        }

        var optimised = Path.Combine(Path.GetTempPath(), $"serverless-optimised-{Guid.NewGuid():N}.onnx");
        try
        {
            var signature = LoadOnce(modelBytes, optimised);
            // Never less than the model's own size: a session holds at least its graph.
            var sessionBytes = Math.Max(MeasureOptimised(optimised, scan), modelBytes.Length);
            if (sessionBytes > _budgets.MaxSessionBytes)
            {
                throw OverSessionBudget($"takes about {Describe(sessionBytes)} of memory once optimised as served (weights after constant folding and generated tensors)", "");
            }

            var warmup = WarmupElements.Of(signature.Inputs);
            if (warmup > _budgets.MaxWarmupElements)
            {
                throw ServingException.BadRequest(
                    $"The model's warm-up request would need {warmup.ToString(CultureInfo.InvariantCulture)} input elements (its inputs' fixed dimensions, free ones " +
                    $"counted as 1), over {ModelBudgets.WarmupElementsSetting} ({_budgets.MaxWarmupElements.ToString(CultureInfo.InvariantCulture)}). " +
                    "Leave the large dimensions free (a symbolic name or -1) or raise the setting.");
            }

            return new ModelInspection(signature, sessionBytes, warmup);
        }
        finally
        {
            File.Delete(optimised);
        }
    }

    private ModelSignature LoadOnce(byte[] modelBytes, string optimisedPath)
    {
        try
        {
            using var options = OnnxSessionSafety.Harden(_sessionOptions());
            options.OptimizedModelFilePath = optimisedPath;
            using var session = new InferenceSession(modelBytes, options);
            return SignatureReader.Read(session);
        }
        catch (OnnxRuntimeException e)
        {
            throw ServingException.BadRequest($"The body is not a model ONNX Runtime can load: {OnnxErrorText.Clean(e.Message)}", e);
        }
    }

    /// <summary>
    /// The optimised model's constant tensors plus what its remaining generators allocate; its file size plus the
    /// original's generator estimate when the file is over the budget already or cannot be scanned.
    /// </summary>
    private long MeasureOptimised(string path, OnnxModelScan original)
    {
        var length = File.Exists(path) ? new FileInfo(path).Length : 0;
        var fallback = SaturatingMath.Add(length, original.GeneratorBytes);
        if (length == 0 || length > _budgets.MaxSessionBytes || length > Array.MaxLength)
        {
            return fallback;
        }

        try
        {
            return OnnxModelScanner.Scan(File.ReadAllBytes(path)).EstimatedBytes;
        }
        catch (ServingException)
        {
            return fallback;
        }
    }

    private ServingException OverSessionBudget(string what, string suffix) => ServingException.BadRequest(
        $"The model {what}, over {ModelBudgets.SessionBytesSetting} ({Describe(_budgets.MaxSessionBytes)}).{suffix}");

    /// <summary>"1,234,567 bytes (1.2 MiB)".</summary>
    internal static string Describe(long bytes)
    {
        var exact = bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
        return bytes switch
        {
            < 1024 * 1024 => exact,
            < 1024 * 1024 * 1024 => $"{exact} ({(bytes / (1024.0 * 1024)).ToString("N1", CultureInfo.InvariantCulture)} MiB)",
            _ => $"{exact} ({(bytes / (1024.0 * 1024 * 1024)).ToString("N1", CultureInfo.InvariantCulture)} GiB)",
        };
    }
}
