using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Hosting;

namespace Serverless.IntegrationTests.Contract;

/// <summary>How much of an answer a golden file pins.</summary>
public enum GoldenMode
{
    /// <summary>Names and values, volatile fields masked (ids, times, ETags, timings, hashes, measured metrics).</summary>
    Exact,

    /// <summary>Names and value kinds only: every scalar becomes its kind, every array its first element (for answers drawn from sampled or timed data).</summary>
    Shape,

    /// <summary>The body exactly (a document with nothing volatile in it, whose keys are not the API's field names).</summary>
    Verbatim,
}

/// <summary>
/// Golden answers: each call is sent over HTTP, its status, content type, chosen headers and body (volatile fields
/// masked, known volatile strings replaced by placeholders) compared with <c>golden/{name}.json</c>. With the
/// environment variable <see cref="RecordVariable"/>=1 the files are written instead (re-record after an intended
/// change to the contract, then review the diff). Mismatches are collected, so one run reports every difference.
/// </summary>
public sealed class Golden
{
    public const string RecordVariable = "SERVERLESS_RECORD_GOLDEN";
    public const string Masked = "<masked>";

    /// <summary>Keys whose values are volatile wherever they appear; any key ending in _utc or _ms is too.</summary>
    private static readonly HashSet<string> VolatileKeys = new(StringComparer.Ordinal)
    {
        "etag", "sha256", "manifest_sha256", "data_fingerprint", "correlation_id", "session_bytes", "execution_id", "train_seconds",
        "milliseconds", "metrics", "value", "best_value", "served_value", "promotion_reason",
        "creation_time", "last_update_time", "start_time", "end_time", "creation_timestamp", "last_updated_timestamp", "next_page_token",
    };

    private const string BinaryHeaderName = "Inference-Header-Content-Length";

    private static readonly string[] PinnedHeaders = ["Location", "ETag", "x-request-id", "x-model-version", BinaryHeaderName];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly List<(string Value, string Placeholder)> _replacements = [];
    private readonly List<string> _failures = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public Golden()
    {
        Directory = Path.Combine(RepositoryPaths.FindRoot(AppContext.BaseDirectory), "tests", "Serverless.IntegrationTests", "Contract", "golden");
        Recording = Environment.GetEnvironmentVariable(RecordVariable) == "1";
    }

    public string Directory { get; }

    public bool Recording { get; }

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>The names checked (or recorded) so far.</summary>
    public IReadOnlyCollection<string> Names => _names;

    /// <summary>Replaces <paramref name="value"/> wherever it appears in a string (ids the server chose, the storage endpoint's port).</summary>
    public void Replace(string value, string placeholder)
    {
        _replacements.Add((value, placeholder));
        _replacements.Sort((a, b) => b.Value.Length.CompareTo(a.Value.Length));
    }

    /// <summary>
    /// Sends the request and checks the answer against <c>golden/{name}.json</c>. An ETag answered is replaced by
    /// <c>&lt;etag&gt;</c> from then on (error messages quote it); with <paramref name="idPlaceholder"/>, so is the body's <c>id</c>
    /// (an instance id the server chose), or the string at <paramref name="idPath"/>.
    /// </summary>
    public async Task<HttpResponseMessage> CheckAsync(string name, HttpClient client, HttpMethod method, string path, HttpContent? content = null,
        IReadOnlyDictionary<string, string>? headers = null, GoldenMode mode = GoldenMode.Exact, string? idPlaceholder = null, string[]? idPath = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        foreach (var (header, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var binaryStart = response.Headers.TryGetValues(BinaryHeaderName, out var lengths) ? int.Parse(lengths.Single(), System.Globalization.CultureInfo.InvariantCulture) : bytes.Length;
        var text = Encoding.UTF8.GetString(bytes, 0, binaryStart);
        if (response.Headers.ETag is { } etag)
        {
            Replace(etag.ToString(), "<etag>");
        }

        if (idPlaceholder is not null && (idPath ?? ["id"]).Aggregate(JsonNode.Parse(text), (node, key) => node?[key])?.GetValue<string>() is { } id)
        {
            Replace(id, idPlaceholder);
        }

        var described = Describe(method, path, response, text, mode);
        if (binaryStart < bytes.Length)
        {
            described["binary"] = Convert.ToHexString(bytes, binaryStart, bytes.Length - binaryStart).ToLowerInvariant();
        }

        var actual = described.ToJsonString(Indented) + "\n";
        if (!_names.Add(name))
        {
            throw new InvalidOperationException($"Golden '{name}' is checked twice.");
        }

        var file = Path.Combine(Directory, name + ".json");
        if (Recording)
        {
            System.IO.Directory.CreateDirectory(Directory);
            await File.WriteAllTextAsync(file, actual);
        }
        else if (!File.Exists(file))
        {
            _failures.Add($"{name}: no golden file (record with {RecordVariable}=1). The answer was:\n{actual}");
        }
        else if (await File.ReadAllTextAsync(file) is var expected && expected.ReplaceLineEndings("\n") != actual)
        {
            _failures.Add($"{name}: the answer differs from golden/{name}.json at {FirstDifference(expected.ReplaceLineEndings("\n"), actual)}.\nActual:\n{actual}");
        }

        return response;
    }

    public Task<HttpResponseMessage> GetAsync(string name, HttpClient client, string path, GoldenMode mode = GoldenMode.Exact) =>
        CheckAsync(name, client, HttpMethod.Get, path, mode: mode);

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A binary tensor extension body (the JSON, then the tensor bytes) and the request header giving the JSON's length.</summary>
    public static (ByteArrayContent Content, Dictionary<string, string> Headers) BinaryInfer(string json, byte[] tensorBytes)
    {
        var header = Encoding.UTF8.GetBytes(json);
        return (Bytes([.. header, .. tensorBytes]), new Dictionary<string, string> { [BinaryHeaderName] = header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    public static ByteArrayContent Bytes(byte[] bytes, string contentType = "application/octet-stream")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private JsonObject Describe(HttpMethod method, string path, HttpResponseMessage response, string text, GoldenMode mode)
    {
        var described = new JsonObject
        {
            ["request"] = $"{method.Method} {Strings(path)}",
            ["status"] = (int)response.StatusCode,
        };
        if (response.Content.Headers.ContentType is { } contentType)
        {
            described["content_type"] = contentType.ToString();
        }

        var headers = new JsonObject();
        foreach (var header in PinnedHeaders)
        {
            if (response.Headers.TryGetValues(header, out var values) || response.Content.Headers.TryGetValues(header, out values))
            {
                headers[header.ToLowerInvariant()] = header == "ETag" ? Masked : Strings(string.Join(", ", values));
            }
        }

        if (headers.Count > 0)
        {
            described["headers"] = headers;
        }

        if (text.Length == 0)
        {
            described["body"] = null;
        }
        else if (response.Content.Headers.ContentType?.MediaType == "application/json" || response.Headers.Contains(BinaryHeaderName))
        {
            described["body"] = Mask(JsonNode.Parse(text), key: null, mode);
        }
        else
        {
            described["body"] = $"<text starting {Strings(text[..Math.Min(15, text.Length)])}>";
        }

        return described;
    }

    private JsonNode? Mask(JsonNode? node, string? key, GoldenMode mode)
    {
        if (node is null)
        {
            return null;
        }

        if (mode == GoldenMode.Verbatim)
        {
            return node.DeepClone();
        }

        if (key is not null && (VolatileKeys.Contains(key) || key.EndsWith("_utc", StringComparison.Ordinal) || key.EndsWith("_ms", StringComparison.Ordinal)))
        {
            return Masked;
        }

        switch (node)
        {
            case JsonObject obj:
                var masked = new JsonObject();
                foreach (var (name, child) in obj)
                {
                    masked[name] = Mask(child, name, mode);
                }

                return masked;
            case JsonArray array:
                var items = mode == GoldenMode.Shape ? array.Take(1) : array;
                return new JsonArray([.. items.Select(item => Mask(item, key: null, mode))]);
            default:
                var value = node.AsValue();
                return value.GetValueKind() switch
                {
                    JsonValueKind.String => mode == GoldenMode.Shape ? "<string>" : Strings(value.GetValue<string>()),
                    JsonValueKind.Number => mode == GoldenMode.Shape ? "<number>" : value.DeepClone(),
                    _ => mode == GoldenMode.Shape ? "<bool>" : value.DeepClone(),
                };
        }
    }

    private string Strings(string text)
    {
        foreach (var (value, placeholder) in _replacements)
        {
            text = text.Replace(value, placeholder, StringComparison.Ordinal);
        }

        return text;
    }

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "(end)";
            var a = i < actualLines.Length ? actualLines[i] : "(end)";
            if (e != a)
            {
                return $"line {i + 1}: expected `{e.Trim()}`, got `{a.Trim()}`";
            }
        }

        return "(no line differs)";
    }
}
