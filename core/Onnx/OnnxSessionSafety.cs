using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;

namespace Serverless.Core.Onnx;

/// <summary>
/// What every ONNX Runtime session this app creates must have, as defence in depth behind
/// <see cref="OnnxModelScanner"/>: external data resolves under an empty folder the process created for the
/// purpose (so ONNX Runtime refuses both missing files and "../" escapes), never under the working directory.
/// Thread-safe.
/// </summary>
public static class OnnxSessionSafety
{
    /// <summary>ONNX Runtime's session config key for the folder external data is resolved in.</summary>
    public const string ExternalDataFolderKey = "session.model_external_initializers_file_folder_path";

    private static readonly Lazy<string> EmptyFolder = new(
        () => Directory.CreateTempSubdirectory("serverless-onnx-no-external-data-").FullName, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly ConditionalWeakTable<SessionOptions, object> Hardened = [];
    private static readonly object Marker = new();

    /// <summary>The empty folder external data is resolved in (created on first use, owner-only on Unix).</summary>
    public static string ExternalDataFolder => EmptyFolder.Value;

    /// <summary>Points external data at <see cref="ExternalDataFolder"/>; idempotent. Returns <paramref name="options"/>.</summary>
    public static SessionOptions Harden(SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Hardened.TryAdd(options, Marker))
        {
            options.AddSessionConfigEntry(ExternalDataFolderKey, ExternalDataFolder);
        }

        return options;
    }
}
