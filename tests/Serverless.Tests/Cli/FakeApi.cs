using System.Net;
using System.Text;
using Azure.Core;
using Serverless.Cli;

namespace Serverless.Tests.Cli;

/// <summary>
/// The app's API as a test scripts it: each request is recorded (method, path and query under /api/, headers, body) and
/// answered by the first route whose method and path match, in the order they were added; anything else is a 404.
/// </summary>
public sealed class FakeApi : HttpMessageHandler
{
    private readonly List<(HttpMethod Method, string Path, Func<Request, Answer> Answer)> _routes = [];

    public sealed record Request(HttpMethod Method, string Path, string? Query, IReadOnlyDictionary<string, string> Headers, string Body, Uri Uri);

    public sealed record Answer(HttpStatusCode Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

    public List<Request> Requests { get; } = [];

    public FakeApi On(HttpMethod method, string path, Func<Request, Answer> answer)
    {
        _routes.Add((method, path, answer));
        return this;
    }

    public FakeApi On(HttpMethod method, string path, HttpStatusCode status, string body) => On(method, path, _ => new Answer(status, body));

    public static Answer Json(string body, HttpStatusCode status = HttpStatusCode.OK) => new(status, body);

    /// <summary>Runs the CLI against this API (plain output, the given environment variables only).</summary>
    public async Task<(int Code, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string>? variables = null, TokenCredential? credential = null,
        params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new CliEnvironment(name => variables?.GetValueOrDefault(name), IsTerminal: false) { Handler = this, Credential = credential };
        var code = await CliApp.RunAsync(args, stdout, stderr, environment);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(null, null, args);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var path = request.RequestUri!.AbsolutePath;
        var recorded = new Request(request.Method, path.StartsWith("/api/", StringComparison.Ordinal) ? Uri.UnescapeDataString(path[5..]) : path,
            request.RequestUri.Query.Length > 1 ? request.RequestUri.Query[1..] : null, headers, body, request.RequestUri);
        lock (Requests)
        {
            Requests.Add(recorded);
        }

        var route = _routes.FirstOrDefault(r => r.Method == request.Method && r.Path == recorded.Path);
        var answer = route.Answer?.Invoke(recorded) ?? new Answer(HttpStatusCode.NotFound, """{"error": "No route.", "code": "not_found"}""");
        var response = new HttpResponseMessage(answer.Status) { Content = new StringContent(answer.Body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }
}
