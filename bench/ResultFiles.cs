namespace Serverless.Bench;

/// <summary>
/// Where a run's Markdown pages go: <c>bench/out/</c> (git-ignored) by default, so a run leaves the clone clean;
/// <c>bench/results/</c> (tracked, the figures the README quotes) only with <c>--publish</c>.
/// </summary>
public sealed class ResultFiles
{
    private ResultFiles(string folder, bool published)
    {
        Folder = folder;
        Published = published;
    }

    public string Folder { get; }

    public bool Published { get; }

    public static ResultFiles For(string root, bool publish) =>
        new(Path.Combine(root, "bench", publish ? "results" : "out"), publish);

    /// <summary>A line for the start of the run saying where the pages will go and how to publish them.</summary>
    public string Describe() => Published
        ? $"results go to {Folder} (tracked: --publish)"
        : $"results go to {Folder} (git-ignored; --publish writes the tracked bench/results/ instead)";

    /// <summary>Writes <paramref name="fileName"/> into <see cref="Folder"/> and says where it went.</summary>
    public async Task WriteAsync(string fileName, string page)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, fileName);
        await File.WriteAllTextAsync(path, page);
        Progress.Write($"written to {path}");
    }
}
