using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Local.Catalog;

namespace Serverless.Tests.LocalRunner;

public sealed class FunctionCatalogTests
{
    private static readonly FunctionCatalog Catalog = FunctionCatalog.FromAssembly(typeof(SampleFunctions).Assembly);

    [Fact]
    public void FromAssembly_ReadsTriggersRoutesAndMethodsFromTheDeclarations()
    {
        var route = Assert.Single(Catalog.HttpRoutes(), r => r.FunctionName == "SampleDouble");
        var timer = Assert.Single(Catalog.OfKind(TriggerKind.Timer));

        Assert.Equal("items/{id:int}/double", route.Template);
        Assert.Equal(["GET", "POST"], route.Methods);
        Assert.Equal(AuthorizationLevel.Function, route.AuthLevel);
        Assert.Equal("SampleTimer", timer.Name);
        Assert.Equal("*/1 * * * * *", ((TimerTriggerAttribute)timer.TriggerAttribute!).Schedule);
    }

    [Fact]
    public async Task Invoker_HttpFunction_BindsRouteValuesAndConstructorServices()
    {
        var services = new ServiceCollection().AddSingleton(new SampleDependency { Factor = 3 }).BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.RouteValues["id"] = "14";
        var invoker = FunctionInvoker.Create(Catalog.Functions.Single(f => f.Name == "SampleDouble"));

        var result = await invoker.InvokeAsync(new InvocationContext(services, context, context.Request, new CancellationTokenSource().Token));

        var ok = Assert.IsType<OkObjectResult>(result);
        Assert.Equal("{ id = 14, doubled = 42, cancellable = True }", ok.Value!.ToString());
    }

    [Fact]
    public void Route_JoinsPrefixAndTemplateAsTheHostDoes()
    {
        Assert.Equal("api/v2/models/{name}", HttpRoute.JoinPath("/api/", "/v2/models/{name}"));
        Assert.Equal("v2", HttpRoute.JoinPath("", "v2"));
    }
}
