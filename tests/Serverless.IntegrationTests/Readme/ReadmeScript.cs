using System.Text;
using System.Text.RegularExpressions;

namespace Serverless.IntegrationTests.Readme;

/// <summary>
/// The README's <c>```bash</c> blocks, in order, turned into one bash script that runs them against a runner: every
/// block runs except the two set-up commands (which the test does itself: it starts the runner and is the test run)
/// and those of the sections that need an Azure subscription (<see cref="AzureSections"/>).
/// </summary>
public sealed partial class ReadmeScript
{
    /// <summary>The README's set-up blocks: started by the test, not run from the script.</summary>
    public static readonly IReadOnlyList<string> SetUpBlocks = ["dotnet run --project local", "dotnet test"];

    /// <summary>Sections (level-2 headings) whose blocks run against Azure, not the local runner.</summary>
    public static readonly IReadOnlyList<string> AzureSections = ["Deploy to Azure"];

    public const string DefaultBaseUrl = "http://localhost:7071";
    public const string CliCommand = "dotnet run --project cli --";

    public sealed record Block(int Line, string Text);

    private ReadmeScript(IReadOnlyList<Block> blocks, IReadOnlyList<Block> skipped, IReadOnlyList<Block> azure)
    {
        Blocks = blocks;
        Skipped = skipped;
        Azure = azure;
    }

    /// <summary>The blocks of <see cref="AzureSections"/>, left out.</summary>
    public IReadOnlyList<Block> Azure { get; }

    /// <summary>The blocks the script runs.</summary>
    public IReadOnlyList<Block> Blocks { get; }

    /// <summary>The set-up blocks left out.</summary>
    public IReadOnlyList<Block> Skipped { get; }

    public static ReadmeScript Parse(string markdown)
    {
        var blocks = new List<Block>();
        var skipped = new List<Block>();
        var azure = new List<Block>();
        var section = "";
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("## ", StringComparison.Ordinal))
            {
                section = lines[i][3..].Trim();
            }

            if (lines[i].Trim() != "```bash")
            {
                continue;
            }

            var start = i + 1;
            var text = new StringBuilder();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                text.Append(lines[i]).Append('\n');
            }

            var block = new Block(start + 1, text.ToString());
            (SetUpBlocks.Contains(block.Text.Trim(), StringComparer.Ordinal) ? skipped
                : AzureSections.Contains(section, StringComparer.Ordinal) ? azure
                : blocks).Add(block);
        }

        return new ReadmeScript(blocks, skipped, azure);
    }

    /// <summary>
    /// The script: strict bash, curl failing on an HTTP error with the body shown, the runner's address and the built
    /// CLI in place of the README's, and a marker before each block so a failure names it.
    /// </summary>
    public string ToBash(string baseUrl, string cliDll)
    {
        var script = new StringBuilder("""
            set -euo pipefail
            curl() { command curl --silent --show-error --fail-with-body "$@"; }

            """);
        foreach (var block in Blocks)
        {
            script.Append(CultureInfoInvariant($"echo '::: README.md line {block.Line}'\n"));
            var text = block.Text.Replace(DefaultBaseUrl, baseUrl, StringComparison.Ordinal)
                .Replace(CliCommand, $"dotnet \"{cliDll}\"", StringComparison.Ordinal);
            script.Append(text).Append('\n');
        }

        script.Append("echo '::: README.md done'\n");
        return script.ToString();
    }

    /// <summary>Commands in the runnable blocks that start another `dotnet run` than the CLI's (the script could not run them).</summary>
    public IEnumerable<string> OtherDotnetRuns() =>
        Blocks.SelectMany(b => DotnetRun().Matches(b.Text).Select(m => m.Value)).Where(c => !c.StartsWith(CliCommand, StringComparison.Ordinal));

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);

    [GeneratedRegex(@"dotnet run[^\n]*")]
    private static partial Regex DotnetRun();
}
