using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Serverless.Tests.Training.Runners;

/// <summary>Plays ARM's answers in order and records each request (method, URL, bearer token, body). Thread-safe.</summary>
internal sealed class FakeArm : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _answers = new();

    public List<RecordedRequest> Requests { get; } = [];

    public FakeArm Answer(HttpStatusCode status, string? json = null, Action<HttpResponseMessage>? configure = null)
    {
        _answers.Enqueue(() =>
        {
            var response = new HttpResponseMessage(status);
            if (json is not null)
            {
                response.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            configure?.Invoke(response);
            return response;
        });
        return this;
    }

    public FakeArm Fail(Exception exception)
    {
        _answers.Enqueue(() => throw exception);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add(new RecordedRequest(request.Method, request.RequestUri!.ToString(), request.Headers.Authorization?.ToString(), body));
        }

        return _answers.TryDequeue(out var answer)
            ? answer()
            : throw new InvalidOperationException($"The fake ARM has no answer left for {request.Method} {request.RequestUri}.");
    }
}
