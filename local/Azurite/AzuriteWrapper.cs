namespace Serverless.Local.Azurite;

/// <summary>
/// The Node.js script Azurite runs under: it loads Azurite in the same process and, when the runner's end of the
/// pipe on stdin closes (the runner stopped it, exited or was killed), asks Azurite to shut down as SIGTERM would,
/// then exits. So Azurite never outlives the runner, whatever the signal that ended it.
/// </summary>
internal static class AzuriteWrapper
{
    public const string FileName = "run-azurite.js";

    private const string Script = """
        // Written by the local runner (Serverless.Local); rewritten on every start.
        // Usage: node run-azurite.js <path of azurite.js> [Azurite options...]
        const entry = process.argv[2];
        process.argv.splice(2, 1); // Azurite reads its options from process.argv
        let stopping = false;
        const stop = () => {
          if (stopping) return;
          stopping = true;
          setTimeout(() => process.exit(0), 3000).unref();
          // Azurite's own SIGTERM handler closes its servers (saving a persisted store); it exits when they are closed.
          if (process.listenerCount("SIGTERM") > 0) process.emit("SIGTERM", "SIGTERM"); else process.exit(0);
        };
        process.stdin.on("end", stop);
        process.stdin.on("close", stop);
        process.stdin.on("error", stop);
        process.stdin.resume();
        require(entry);
        """;

    /// <summary>Writes the script into <paramref name="installDirectory"/> (when its content differs) and returns its path.</summary>
    public static string Write(string installDirectory)
    {
        var path = Path.Combine(installDirectory, FileName);
        if (!File.Exists(path) || File.ReadAllText(path) != Script)
        {
            var temporary = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllText(temporary, Script);
            File.Move(temporary, path, overwrite: true);
        }

        return path;
    }
}
