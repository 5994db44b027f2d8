namespace Serverless.Core.Registry.Mlflow;

/// <summary>
/// What the registry reads from an MLflow model directory's <c>MLmodel</c> file (YAML, as MLflow writes it: block style, two-space
/// indents): the names of its flavors and the <c>data</c> file of its <c>onnx</c> flavor. Anything else in the file is ignored. Pure;
/// thread-safe.
/// </summary>
public static class MlmodelFile
{
    /// <summary>The largest MLmodel file read (MLflow's own are a few hundred bytes; a signature may add some kilobytes).</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The flavor this server serves.</summary>
    public const string OnnxFlavor = "onnx";

    /// <summary>The onnx flavor's model file when its <c>data</c> names none.</summary>
    public const string DefaultOnnxData = "model.onnx";

    /// <summary>The flavors, in file order, and the onnx flavor's <c>data</c> (null when the flavor or its data is absent).</summary>
    public static (IReadOnlyList<string> Flavors, string? OnnxData) Read(string text)
    {
        var flavors = new List<string>();
        string? onnxData = null;
        var inFlavors = false;
        int? flavorIndent = null;
        string? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var content = line.TrimStart(' ');
            if (content.Length == 0 || content[0] == '#')
            {
                continue;
            }

            var indent = line.Length - content.Length;
            var colon = content.IndexOf(':', StringComparison.Ordinal);
            var key = Unquote(colon < 0 ? content : content[..colon]);
            var value = colon < 0 ? string.Empty : content[(colon + 1)..].Trim();
            if (indent == 0)
            {
                inFlavors = key == "flavors";
                current = null;
                continue;
            }

            if (!inFlavors)
            {
                continue;
            }

            flavorIndent ??= indent;
            if (indent == flavorIndent)
            {
                current = key;
                flavors.Add(key);
            }
            else if (indent > flavorIndent && current == OnnxFlavor && key == "data" && value.Length > 0)
            {
                onnxData ??= Unquote(value);
            }
        }

        return (flavors, onnxData);
    }

    private static string Unquote(string value)
    {
        value = value.Trim();
        return value.Length >= 2 && (value[0] == '\'' || value[0] == '"') && value[^1] == value[0] ? value[1..^1] : value;
    }
}
