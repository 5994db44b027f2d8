using Serverless.Core.Serving;

namespace Serverless.Bench;

/// <summary>
/// Everything over HTTP: Azurite in memory, the bare endpoint and the in-process runner (models registered and
/// aliased production), each load-tested at c=1 and c=16; then cold starts of a real runner process on that registry.
/// </summary>
public static class HttpPhase
{
    public static readonly LoadSettings Load = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), 20_000, Rounds: 6);
    public static readonly int[] Concurrencies = [1, 16];
    public const int ColdStartRuns = 3;
    public const int SteadyRequests = 200;
    public const int AfterIdleRounds = 7;

    public static async Task RunAsync(string repositoryRoot, IReadOnlyList<ModelReport> reports, string? runnerDll, bool coldStart = true)
    {
        Progress.Write("starting Azurite (in memory, free ports)...");
        await using var azurite = await BenchStorage.StartAzuriteAsync(repositoryRoot);
        Progress.Write($"Azurite listening (blob {azurite.Options.BlobPort})");

        var loaded = reports.ToDictionary(r => r.Model.Name, r => ServingSessions.CreateLoadedModel(r.Model));
        var expected = reports.ToDictionary(r => r.Model.Name, r => ServingSessions.ExpectedResponse(loaded[r.Model.Name], r.Model));
        try
        {
            await LoadTestAsync(repositoryRoot, azurite.ConnectionString, reports, loaded, expected);
        }
        finally
        {
            foreach (var model in loaded.Values)
            {
                model.Session.Dispose();
            }
        }

        if (!coldStart)
        {
            return;
        }

        runnerDll ??= await RunnerBinary.LocateOrBuildAsync(repositoryRoot, Progress.Write);
        Progress.Write($"cold starts with {runnerDll}");
        foreach (var report in reports)
        {
            var other = reports.First(r => r != report);
            report.ColdStart = await ColdStartProbe.MeasureAsync(runnerDll, repositoryRoot, azurite.ConnectionString,
                (report.Model, expected[report.Model.Name]), (other.Model, expected[other.Model.Name]), ColdStartRuns, SteadyRequests, Progress.Write);
        }
    }

    private static async Task LoadTestAsync(string repositoryRoot, string storage, IReadOnlyList<ModelReport> reports,
        IReadOnlyDictionary<string, LoadedModel> loaded, IReadOnlyDictionary<string, byte[]> expected)
    {
        var sessions = loaded.ToDictionary(m => m.Key, m => m.Value.Session);
        var predict = reports.ToDictionary(r => r.Model.Name, r => (r.Model.FeatureNames, r.Model.IsBinary));
        await using var minimal = await MinimalEndpoint.StartAsync(sessions, fullPipeline: false, predict);
        await using var fullHost = await MinimalEndpoint.StartAsync(sessions, fullPipeline: true, predict);
        await using var bare = await BareEndpoint.StartAsync(loaded);
        Progress.Write($"minimal endpoint on {minimal.BaseAddress}, on the full host {fullHost.BaseAddress}, bare endpoint {bare.BaseAddress}");
        await using var runner = await RunnerUnderTest.StartAsync(repositoryRoot, storage);
        Progress.Write($"runner listening on {runner.ApiBase}; registering models...");
        await runner.RegisterAsync(reports.Select(r => r.Model), withManifests: true);
        Progress.Write("models registered with their manifests and aliased production; runner ready");

        using var minimalClient = LoadGenerator.CreateClient(Concurrencies.Max());
        using var fullHostClient = LoadGenerator.CreateClient(Concurrencies.Max());
        using var bareClient = LoadGenerator.CreateClient(Concurrencies.Max());
        using var runnerClient = LoadGenerator.CreateClient(Concurrencies.Max());
        foreach (var report in reports)
        {
            var model = report.Model;
            var minimalExpected = await MinimalAnswerAsync(minimalClient, minimal.InferUri(model.Name), model, expected[model.Name]);
            foreach (var concurrency in Concurrencies)
            {
                var results = await LoadGenerator.RunInterleavedAsync(
                [
                    new LoadTarget($"{model.Name} bare endpoint", bareClient, bare.InferUri(model.Name), model.Body, expected[model.Name]),
                    new LoadTarget($"{model.Name} runner", runnerClient, runner.InferUri(model.Name), model.Body, expected[model.Name]),
                    new LoadTarget($"{model.Name} minimal endpoint", minimalClient, minimal.InferUri(model.Name), model.Body, minimalExpected),
                    new LoadTarget($"{model.Name} minimal endpoint (full host)", fullHostClient, fullHost.InferUri(model.Name), model.Body, minimalExpected),
                ], concurrency, Load);
                foreach (var result in results)
                {
                    Progress.Write(result.ToString());
                }

                if (concurrency == 1)
                {
                    (report.BareC1, report.RunnerC1, report.MinimalC1, report.FullHostC1) = (results[0], results[1], results[2], results[3]);
                }
                else
                {
                    (report.BareC16, report.RunnerC16, report.MinimalC16, report.FullHostC16) = (results[0], results[1], results[2], results[3]);
                }
            }

            await LoadPredictAsync(report, runnerClient, runner, minimalClient, minimal, fullHostClient, fullHost);
            (report.MinimalAfterIdleMs, report.RunnerAfterIdleMs) = await AfterIdleAsync(
                new LoadTarget($"{model.Name} minimal endpoint", minimalClient, minimal.InferUri(model.Name), model.Body, minimalExpected),
                new LoadTarget($"{model.Name} runner", runnerClient, runner.InferUri(model.Name), model.Body, expected[model.Name]));
            Progress.Write($"{model.Name} after {ColdStartProbe.IdleGap.TotalMilliseconds:F0} ms idle: minimal endpoint {report.MinimalAfterIdleMs:F3} ms, runner {report.RunnerAfterIdleMs:F3} ms");
        }
    }

    /// <summary>
    /// Warm servers woken: alternating, each request sent after <see cref="ColdStartProbe.IdleGap"/> of silence; the
    /// medians. What any server on this machine pays for a request that finds its threads asleep, the honest floor
    /// for a first request after ready.
    /// </summary>
    private static async Task<(double Minimal, double Runner)> AfterIdleAsync(LoadTarget minimal, LoadTarget runner)
    {
        var minimalMs = new List<double>();
        var runnerMs = new List<double>();
        for (var i = 0; i < AfterIdleRounds; i++)
        {
            foreach (var (target, times) in new[] { (minimal, minimalMs), (runner, runnerMs) })
            {
                await Task.Delay(ColdStartProbe.IdleGap);
                times.Add(await LoadGenerator.SendOnceAsync(target.Client, target.Uri, target.Body, target.Expected));
            }
        }

        return (ColdStartResult.Median(minimalMs), ColdStartResult.Median(runnerMs));
    }

    /// <summary>The records API (one row): the runner's <c>/predict</c> against the minimal endpoint's records route, whose answer must be the same bytes.</summary>
    private static async Task LoadPredictAsync(ModelReport report, HttpClient runnerClient, RunnerUnderTest runner, HttpClient minimalClient, MinimalEndpoint minimal,
        HttpClient fullHostClient, MinimalEndpoint fullHost)
    {
        var model = report.Model;
        var expected = await Tabular.TabularRunnerSetup.ExpectedAsync(runnerClient, runner.PredictUri(model.Name), model.PredictBody);
        var minimalAnswer = await Tabular.TabularRunnerSetup.ExpectedAsync(minimalClient, minimal.PredictUri(model.Name), model.PredictBody);
        if (!minimalAnswer.AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException($"The minimal records route answers {System.Text.Encoding.UTF8.GetString(minimalAnswer)}, the runner " +
                System.Text.Encoding.UTF8.GetString(expected));
        }

        foreach (var concurrency in Concurrencies)
        {
            var results = await LoadGenerator.RunInterleavedAsync(
            [
                new LoadTarget($"{model.Name} runner /predict", runnerClient, runner.PredictUri(model.Name), model.PredictBody, expected),
                new LoadTarget($"{model.Name} minimal endpoint /predict", minimalClient, minimal.PredictUri(model.Name), model.PredictBody, expected),
                new LoadTarget($"{model.Name} minimal endpoint /predict (full host)", fullHostClient, fullHost.PredictUri(model.Name), model.PredictBody, expected),
            ], concurrency, Load);
            foreach (var result in results)
            {
                Progress.Write(result.ToString());
            }

            if (concurrency == 1)
            {
                (report.RunnerPredictC1, report.MinimalPredictC1, report.FullHostPredictC1) = (results[0], results[1], results[2]);
            }
            else
            {
                (report.RunnerPredictC16, report.MinimalPredictC16, report.FullHostPredictC16) = (results[0], results[1], results[2]);
            }
        }
    }

    /// <summary>
    /// The minimal endpoint's answer for the model's request, which every later answer must equal: checked first to carry
    /// the same output values as the project's answer (parsed, so only formatting may differ).
    /// </summary>
    private static async Task<byte[]> MinimalAnswerAsync(HttpClient client, Uri uri, BenchModel model, byte[] projectAnswer)
    {
        using var content = new ByteArrayContent(model.Body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(uri, content);
        var answer = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The minimal endpoint answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}");
        }

        var ours = OutputValues(answer);
        var theirs = OutputValues(projectAnswer);
        if (ours.Length != theirs.Length || ours.Zip(theirs).Any(p => Math.Abs(p.First - p.Second) > 1e-6 * Math.Max(1, Math.Abs(p.Second))))
        {
            throw new InvalidOperationException($"The minimal endpoint's outputs differ from the project's: {System.Text.Encoding.UTF8.GetString(answer)} vs " +
                System.Text.Encoding.UTF8.GetString(projectAnswer));
        }

        return answer;
    }

    private static double[] OutputValues(byte[] answer)
    {
        using var document = System.Text.Json.JsonDocument.Parse(answer);
        return [.. document.RootElement.GetProperty("outputs").EnumerateArray().SelectMany(o => o.GetProperty("data").EnumerateArray()).Select(v => v.GetDouble())];
    }
}
