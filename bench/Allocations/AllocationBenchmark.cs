using System.Net.Http.Headers;
using System.Text;

namespace Serverless.Bench.Allocations;

/// <summary>
/// Bytes allocated per request, deterministic enough to compare commits: the minimal endpoint, the runner with
/// inference logging off and the runner in its default configuration (logging on), all in this process on one
/// Azurite (in memory); OIP infer and <c>/predict</c> on both bench models. Requests are sequential (c=1) over one
/// keep-alive connection; each target gets a warm-up, then <see cref="Requests"/> requests in each of
/// <see cref="Rounds"/> alternating rounds, measured with <c>GC.GetTotalAllocatedBytes(precise: true)</c> over the
/// whole process (client included, so only differences between targets mean anything). With logging on, the
/// writer's background work is inside the figure: each round ends only when the writer has caught up.
/// </summary>
public static class AllocationBenchmark
{
    public const int Requests = 4000;
    public const int Rounds = 3;
    private const int WarmupRequests = 2000;

    /// <summary>Requests per target in the allocation-type profile (more samples than the measured rounds give).</summary>
    public const int ProfileRequests = 20_000;

    public static async Task<string> RunAsync(string repositoryRoot, IReadOnlyList<BenchModel> models, bool profile = false)
    {
        var types = new StringBuilder();
        Progress.Write("in process: core's serving path, request thread and log writer...");
        var inProcess = await InProcessAllocations.RunAsync(models);
        Progress.Write("starting Azurite (in memory, free ports)...");
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        var sessions = models.ToDictionary(m => m.Name, ServingSessions.CreateSession);
        try
        {
            var predict = models.ToDictionary(m => m.Name, m => (m.FeatureNames, m.IsBinary));
            await using var minimal = await MinimalEndpoint.StartAsync(sessions, fullPipeline: false, predict);
            await using var off = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString,
                new Dictionary<string, string?> { ["InferenceLog:Enabled"] = "false" });
            await using var on = await RunnerUnderTest.StartAsync(repositoryRoot, azurite.ConnectionString);
            await off.RegisterAsync(models, withManifests: true);
            using (var ready = new HttpClient { BaseAddress = on.ApiBase })
            {
                await RunnerUnderTest.WaitUntilReadyAsync(ready, TimeSpan.FromSeconds(60));
            }

            var log = on.Services.GetService(typeof(Core.Monitoring.Logging.InferenceLogger)) as Core.Monitoring.Logging.InferenceLogger;
            using var client = LoadGenerator.CreateClient(1);
            var page = new StringBuilder(inProcess).AppendLine();
            page.AppendLine("| model | route | minimal B/req | runner, logging off B/req | runner B/req | runner − minimal | logging's share |");
            page.AppendLine("|---|---|---:|---:|---:|---:|---:|");
            foreach (var model in models)
            {
                foreach (var (route, body, uri) in new (string, byte[], Func<Uri, Uri>)[]
                         {
                             ("OIP infer", model.Body, b => new Uri(b, $"v2/models/{model.Name}/infer")),
                             ("/predict", model.PredictBody, b => new Uri(b, $"models/{model.Name}/predict")),
                         })
                {
                    var targets = new[] { minimal.BaseAddress, off.ApiBase, on.ApiBase };
                    var figures = new List<double>[targets.Length];
                    for (var t = 0; t < targets.Length; t++)
                    {
                        figures[t] = [];
                        await SendAsync(client, uri(targets[t]), body, WarmupRequests);
                    }

                    for (var round = 0; round < Rounds; round++)
                    {
                        for (var t = 0; t < targets.Length; t++)
                        {
                            await DrainAsync(log);
                            var before = GC.GetTotalAllocatedBytes(precise: true);
                            await SendAsync(client, uri(targets[t]), body, Requests);
                            await DrainAsync(log);
                            figures[t].Add((GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Requests);
                        }
                    }

                    if (profile)
                    {
                        types.AppendLine(await ProfileAsync(client, uri, body, targets, $"{model.Name} {route}: runner (logging on) over the minimal endpoint"));
                    }

                    var medians = figures.Select(f => f.Order().ElementAt(f.Count / 2)).ToArray();
                    var line = $"| {model.Name} | {route} | {medians[0]:F0} | {medians[1]:F0} | {medians[2]:F0} | {medians[2] - medians[0]:F0} | {medians[2] - medians[1]:F0} |";
                    Progress.Write(line + " rounds: " + string.Join(" / ", figures.Select(f => string.Join(",", f.Select(v => v.ToString("F0"))))));
                    page.AppendLine(line);
                }
            }

            return page.Append(types).ToString();
        }
        finally
        {
            foreach (var session in sessions.Values)
            {
                session.Dispose();
            }
        }
    }

    /// <summary>Profiles the types allocated per request by the minimal endpoint (targets[0]) and the logging runner (targets[2]); their difference.</summary>
    private static async Task<string> ProfileAsync(HttpClient client, Func<Uri, Uri> uri, byte[] body, Uri[] targets, string title)
    {
        using var listener = new AllocationTypeProfile();
        var profiles = new Dictionary<string, long>[2];
        foreach (var (index, target) in new[] { (0, targets[0]), (1, targets[2]) })
        {
            listener.Start();
            await SendAsync(client, uri(target), body, ProfileRequests);
            listener.Stop();
            profiles[index] = new Dictionary<string, long>(listener.Bytes);
        }

        return AllocationTypeProfile.Difference(title, profiles[1], profiles[0], ProfileRequests, top: 15);
    }

    private static async Task SendAsync(HttpClient client, Uri uri, byte[] body, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(uri, content);
            var answer = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST {uri} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(answer)}");
            }
        }
    }

    /// <summary>Waits until the logging runner's writer has written what it was given (its work then counts in the round that caused it).</summary>
    private static async Task DrainAsync(Core.Monitoring.Logging.InferenceLogger? log)
    {
        if (log is null)
        {
            return;
        }

        for (var i = 0; i < 400 && log.Counters.Pending > 0; i++)
        {
            await Task.Delay(5);
        }
    }
}
