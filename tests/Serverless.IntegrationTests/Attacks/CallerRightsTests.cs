using System.Net;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Catalog;
using Serverless.Local.Hosting;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// Two kinds of caller, as Azure enforces them: clients hold a function key and reach only inference, metadata and
/// readiness (Function level); operators hold the master key and reach everything (Admin level). The whole route
/// table is tried with each credential on a runner that requires keys.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class CallerRightsTests
{
    private const string ClientKey = "client-key-for-tests";
    private const string OperatorKey = "operator-key-for-tests";

    /// <summary>The only routes a client key opens. A new route is an operator route unless it is added here on purpose.</summary>
    private static readonly string[] ClientFunctions =
        ["Infer", "InferVersion", "Predict", "PredictVersion", "ModelMetadata", "ModelVersionMetadata", "ModelReady", "ModelVersionReady"];

    private static readonly string[] AnonymousFunctions = ["ServerMetadata", "ServerLive", "ServerReady", "GetOpenApiDocument", "GetConsolePage", "GetConsoleAsset"];

    private readonly StackFixture _stack;

    public CallerRightsTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public void RouteTable_ClientRoutesAreFunctionLevel_EverythingElseButHealthIsAdmin()
    {
        var routes = FunctionCatalog.FromAssembly(typeof(Serverless.Functions.FunctionAppServiceCollectionExtensions).Assembly).HttpRoutes();

        Assert.Equal(ClientFunctions.Order(), routes.Where(r => r.AuthLevel == AuthorizationLevel.Function).Select(r => r.FunctionName).Order());
        Assert.Equal(AnonymousFunctions.Order(), routes.Where(r => r.AuthLevel == AuthorizationLevel.Anonymous).Select(r => r.FunctionName).Order());
        Assert.All(routes.Where(r => !ClientFunctions.Contains(r.FunctionName) && !AnonymousFunctions.Contains(r.FunctionName)),
            r => Assert.Equal(AuthorizationLevel.Admin, r.AuthLevel));
    }

    [Fact]
    public async Task EveryOperatorRoute_RefusesTheClientKey_AndEveryClientRouteAcceptsIt()
    {
        await using var host = await LocalFunctionHost.StartAsync(_stack.RunnerOptions(requireKeys: true) with
        {
            FunctionKey = ClientKey,
            MasterKey = OperatorKey,
        });
        using var client = new HttpClient { BaseAddress = new Uri(host.BaseAddress, host.RoutePrefix + "/") };
        await StackFixture.WaitUntilReadyAsync(client);
        var failures = new List<string>();

        foreach (var route in host.Routes)
        {
            foreach (var method in route.Methods)
            {
                var path = Fill(route.Template);
                var anonymous = await SendAsync(client, method, path, key: null);
                var asClient = await SendAsync(client, method, path, ClientKey);
                var asOperator = await SendAsync(client, method, path, OperatorKey);
                var what = $"{method} {path} ({route.FunctionName}, {route.AuthLevel})";
                switch (route.AuthLevel)
                {
                    case AuthorizationLevel.Anonymous:
                        Expect(failures, what, "anonymous", anonymous, opens: true);
                        break;
                    case AuthorizationLevel.Function:
                        Expect(failures, what, "no key", anonymous, opens: false);
                        Expect(failures, what, "client key", asClient, opens: true);
                        Expect(failures, what, "operator key", asOperator, opens: true);
                        break;
                    default:
                        Expect(failures, what, "no key", anonymous, opens: false);
                        Expect(failures, what, "client key", asClient, opens: false);
                        Expect(failures, what, "operator key", asOperator, opens: true);
                        break;
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static void Expect(List<string> failures, string what, string credential, HttpStatusCode status, bool opens)
    {
        var refused = status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
        if (opens && (refused || (int)status >= 500))
        {
            failures.Add($"{what} with {credential}: {(int)status}, expected the route to answer (a 2xx or a 4xx other than 401/403)");
        }
        else if (!opens && !refused)
        {
            failures.Add($"{what} with {credential}: {(int)status}, expected 401 or 403");
        }
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string method, string path, string? key)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Route parameters filled with names that exist nowhere, so an operator call that gets through changes nothing.</summary>
    private static string Fill(string template) => template
        .Replace("{name}", "rights-nobody", StringComparison.Ordinal)
        .Replace("{version}", "9999", StringComparison.Ordinal)
        .Replace("{alias}", "rights-alias", StringComparison.Ordinal)
        .Replace("{instanceId}", "rights-instance", StringComparison.Ordinal)
        .Replace("{sweepId}", "rights-sweep", StringComparison.Ordinal)
        .Replace("{runId}", "20000101-000000-abcdef", StringComparison.Ordinal)
        .Replace("{file}", "console.js", StringComparison.Ordinal);
}
