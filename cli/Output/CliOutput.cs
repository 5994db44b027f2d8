using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace Serverless.Cli.Output;

/// <summary>
/// Where and how a command shows its result. <c>-o json</c>: the API's JSON, indented, alone on stdout (messages go to
/// stderr so a script can parse stdout). Otherwise tables: drawn by Spectre.Console on a terminal, aligned plain lines
/// when stdout is redirected or <c>CI</c> is set. Not thread-safe; one per run.
/// </summary>
public sealed class CliOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private IAnsiConsole? _console;
    private IAnsiConsole? _errorConsole;

    public CliOutput(TextWriter stdout, TextWriter stderr, bool json, bool isTerminal)
    {
        _stdout = stdout;
        _stderr = stderr;
        IsJson = json;
        IsTerminal = isTerminal;
    }

    public bool IsJson { get; }

    public bool IsTerminal { get; }

    /// <summary>Spectre over stdout (terminal only).</summary>
    public IAnsiConsole Console => _console ??= Create(_stdout);

    /// <summary>Spectre over stderr, where live progress is drawn (terminal only).</summary>
    public IAnsiConsole ErrorConsole => _errorConsole ??= Create(_stderr);

    /// <summary>The JSON, indented, on stdout: the result of a <c>-o json</c> run.</summary>
    public void Json(JsonElement json) => _stdout.Write(JsonSerializer.Serialize(json, Indented) + "\n");

    /// <summary>A CLI-made record as JSON in the API's style (snake_case).</summary>
    public void Json<T>(T value) => Json(JsonSerializer.SerializeToElement(value, SnakeCase));

    /// <summary>A line for a person: stdout in table form, stderr under <c>-o json</c>.</summary>
    public void Line(string text)
    {
        if (IsTerminal && !IsJson)
        {
            Console.MarkupLine(Markup.Escape(text));
        }
        else
        {
            (IsJson ? _stderr : _stdout).Write(text + "\n");
        }
    }

    /// <summary>A note on stderr whatever the form (progress lines, hints).</summary>
    public void Note(string text) => _stderr.Write(text + "\n");

    /// <summary>Rows under headings: a Spectre table on a terminal, aligned columns otherwise.</summary>
    public void Table(IReadOnlyList<string> headings, IEnumerable<IReadOnlyList<string>> rows, string? title = null)
    {
        var list = rows.ToList();
        if (IsTerminal)
        {
            var table = new Table().Border(TableBorder.Rounded);
            if (title is not null)
            {
                table.Title(Markup.Escape(title));
            }

            foreach (var heading in headings)
            {
                table.AddColumn(new TableColumn(Markup.Escape(heading)));
            }

            foreach (var row in list)
            {
                table.AddRow(row.Select(c => Markup.Escape(c)).ToArray());
            }

            Console.Write(table);
            return;
        }

        _stdout.Write(PlainTable(headings, list, title));
    }

    /// <summary>One record as <c>name: value</c> lines (a two-column grid on a terminal).</summary>
    public void Fields(IEnumerable<(string Name, string Value)> fields, string? title = null)
    {
        var list = fields.ToList();
        if (IsTerminal)
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            foreach (var (name, value) in list)
            {
                grid.AddRow(new Markup($"[bold]{Markup.Escape(name)}[/]"), new Text(value));
            }

            Console.Write(title is null ? grid : new Panel(grid).Header(Markup.Escape(title)));
            return;
        }

        var width = list.Select(f => f.Name.Length).DefaultIfEmpty(0).Max();
        var text = new StringBuilder();
        if (title is not null)
        {
            text.Append(title).Append('\n');
        }

        foreach (var (name, value) in list)
        {
            text.Append((name + ":").PadRight(width + 2)).Append(value).Append('\n');
        }

        _stdout.Write(text.ToString());
    }

    /// <summary>Aligned columns separated by two spaces, a dashed line under the headings; the last column is not padded.</summary>
    public static string PlainTable(IReadOnlyList<string> headings, IReadOnlyList<IReadOnlyList<string>> rows, string? title = null)
    {
        var widths = headings.Select((h, i) => Math.Max(h.Length, rows.Select(r => i < r.Count ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder();
        if (title is not null)
        {
            text.Append(title).Append('\n');
        }

        Append(text, headings, widths);
        Append(text, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in rows)
        {
            Append(text, row, widths);
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : "";
            text.Append(i == widths.Length - 1 ? cell : cell.PadRight(widths[i] + 2));
        }

        text.Append('\n');
    }

    private static IAnsiConsole Create(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
        Interactive = InteractionSupport.Detect,
    });
}
