using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Orchestrations.BatchScoring;

/// <summary>
/// A batch job's input blob and output folder, both in the data containers, with the input outside the output
/// (the job writes parts, errors, staging files, the manifest and predictions there and would overwrite it). The
/// request reader checks this at the start, and planning checks it again for inputs replayed from history.
/// Pure; thread-safe.
/// </summary>
public static class BatchScoringPaths
{
    /// <summary>The parsed paths; BadRequest naming the field for anything <see cref="DataPath"/> refuses or an input under the output.</summary>
    public static (DataPath Input, DataPath Output) Parse(string? input, string? output, DataContainers containers)
    {
        var inputPath = containers.Blob(input, "input");
        var outputPath = containers.Prefix(output, "output");
        return outputPath.Contains(inputPath)
            ? throw ServingException.BadRequest(
                $"'input' ({inputPath}) lies under 'output' ({outputPath}), where the job writes its parts, errors, manifest and predictions; " +
                "choose an output folder that does not hold the input.")
            : (inputPath, outputPath);
    }
}
