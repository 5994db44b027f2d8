using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Serverless.Cli.Api;
using Serverless.Cli.Output;

namespace Serverless.Cli.Commands;

/// <summary>
/// <c>predict N --input rows.csv|rows.jsonl [--version V] [--output FILE]</c>: sends the rows to the records API
/// (<c>{"instances": [...]}</c>) in batches of at most <c>--batch-size</c> rows and <see cref="MaxBatchBytes"/>, every batch
/// to the version the first one was answered by (so an alias moved mid-way does not mix versions), and prints the
/// predictions or writes them (.csv like batch scoring's output, .jsonl one per line, .json the API's answer). Stateless; thread-safe.
/// </summary>
public static class PredictCommand
{
    public const int MaxBatchBytes = 512 * 1024;

    public static Command Create(CliRun run)
    {
        var name = new Argument<string>("name") { Description = "the model (it needs a manifest)" };
        var input = new Option<string>("--input") { Description = "the rows: CSV with a header, or JSON Lines (.jsonl) of objects", Required = true, HelpName = "rows.csv|rows.jsonl" };
        var version = new Option<string?>("--version") { Description = "the version (default: the production alias, else the latest)" };
        var output = new Option<string?>("--output") { Description = "write the predictions here (.csv, .jsonl or .json) instead of printing them", HelpName = "file" };
        var idColumn = new Option<string?>("--id-column") { Description = "a column carried to each prediction instead of being sent (default: the row number)" };
        var batchSize = new Option<int>("--batch-size") { Description = "rows per request, 1 to 10,000", DefaultValueFactory = _ => 500 };
        var command = new Command("predict", "Predict rows of a file with a tabular model through the records API, in batches.")
        {
            name, input, version, output, idColumn, batchSize,
        };
        return run.Bind(command, async (context, token) =>
        {
            var size = context.Value(batchSize);
            if (size is < 1 or > 10_000)
            {
                throw CliException.ForUsage($"--batch-size must be a whole number from 1 to 10,000, not {size}.");
            }

            var model = context.Value(name);
            var pinned = context.Value(version);
            var ids = new List<string>();
            var predictions = new List<JsonElement>();
            var batch = new List<PredictRows.Row>();
            var bytes = 0;
            foreach (var row in PredictRows.Read(context.Value(input), context.Value(idColumn)))
            {
                if (batch.Count > 0 && (batch.Count >= size || bytes + row.Json.Length > MaxBatchBytes))
                {
                    pinned = await SendAsync(context, model, pinned, batch, ids, predictions, token).ConfigureAwait(false);
                    batch.Clear();
                    bytes = 0;
                }

                batch.Add(row);
                bytes += row.Json.Length + 1;
            }

            pinned = await SendAsync(context, model, pinned, batch, ids, predictions, token).ConfigureAwait(false);
            var answer = new PredictAnswer(model, pinned!, predictions);
            if (context.Value(output) is { } file)
            {
                Write(file, answer, ids);
                context.Output.Note($"wrote {predictions.Count:N0} predictions of {model} version {pinned} to {file}");
            }
            else if (context.Output.IsJson)
            {
                context.Output.Json(answer);
            }
            else
            {
                var (headings, cells) = Columns(predictions);
                context.Output.Table(["id", .. headings], predictions.Select((p, i) => (IReadOnlyList<string>)[ids[i], .. cells(p)]),
                    title: $"{model} version {pinned}");
            }

            return ExitCodes.Success;
        });
    }

    private static async Task<string?> SendAsync(CliContext context, string model, string? version, List<PredictRows.Row> batch, List<string> ids,
        List<JsonElement> predictions, CancellationToken cancellationToken)
    {
        var body = new StringBuilder("{\"instances\":[");
        body.AppendJoin(',', batch.Select(r => r.Json)).Append("]}");
        var path = version is null ? ApiClient.Path("models", model, "predict") : ApiClient.Path("models", model, "versions", version, "predict");
        using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/json");
        var answer = (await context.Api.SendAsync(HttpMethod.Post, path, content, cancellationToken).ConfigureAwait(false)).Root;
        var got = answer.Items("predictions").ToList();
        if (got.Count != batch.Count)
        {
            throw new CliException(ExitCodes.ApiRefused, $"The API answered {got.Count} predictions for {batch.Count} rows.");
        }

        ids.AddRange(batch.Select(r => r.Id));
        predictions.AddRange(got);
        return version ?? answer.Text("model_version");
    }

    /// <summary>The columns of batch scoring's output: label, probability, score_{i} per class; or value.</summary>
    private static (string[] Headings, Func<JsonElement, string[]> Cells) Columns(IReadOnlyList<JsonElement> predictions)
    {
        if (predictions.Any(p => p.Member("value") is not null))
        {
            return (["value"], p => [p.Text("value")]);
        }

        var classes = predictions.Select(p => p.Items("scores").Count()).DefaultIfEmpty(0).Max();
        return (["label", "probability", .. Enumerable.Range(0, classes).Select(i => $"score_{i}")],
            p => [p.Text("label"), p.Text("probability"), .. Enumerable.Range(0, classes).Select(i => p.Items("scores").ElementAtOrDefault(i) is { ValueKind: JsonValueKind.Number } s
                ? JsonFields.Format(s) : "")]);
    }

    private static void Write(string file, PredictAnswer answer, IReadOnlyList<string> ids)
    {
        try
        {
            if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                File.WriteAllText(file, JsonSerializer.Serialize(answer, SnakeCase) + "\n");
                return;
            }

            using var writer = new StreamWriter(file, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
            if (file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var prediction in answer.Predictions)
                {
                    writer.WriteLine(prediction.GetRawText());
                }

                return;
            }

            var (headings, cells) = Columns(answer.Predictions);
            writer.WriteLine(string.Join(',', ((string[])["id", .. headings]).Select(CsvCell)));
            for (var i = 0; i < answer.Predictions.Count; i++)
            {
                writer.WriteLine(string.Join(',', ((string[])[ids[i], .. cells(answer.Predictions[i])]).Select(CsvCell)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.ForData($"Cannot write '{file}': {e.Message}", e);
        }
    }

    /// <summary>A CSV cell: quoted when it must be; text a spreadsheet would run as a formula gets a leading quote, as batch scoring's output.</summary>
    internal static string CsvCell(string text)
    {
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r'
            && !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>The API's answer shape, over every batch.</summary>
    private sealed record PredictAnswer(string ModelName, string ModelVersion, IReadOnlyList<JsonElement> Predictions);
}
