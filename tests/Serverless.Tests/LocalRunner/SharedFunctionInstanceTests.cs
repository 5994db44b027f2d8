using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Functions;
using Serverless.Functions.Inference;
using Serverless.Local.Catalog;

namespace Serverless.Tests.LocalRunner;

public sealed class SharedFunctionInstanceTests
{
    private static readonly FunctionCatalog Catalog = FunctionCatalog.FromAssembly(typeof(SampleFunctions).Assembly);

    [Fact]
    public void CanShare_SingletonDependenciesAndReadonlyFields_IsTrue() =>
        Assert.True(SharedFunctionInstance.CanShare(typeof(SampleFunctions), new ServiceCollection().AddSingleton<SampleDependency>()));

    [Fact]
    public void CanShare_ScopedOrTransientOrMissingDependency_IsFalse()
    {
        Assert.False(SharedFunctionInstance.CanShare(typeof(SampleFunctions), new ServiceCollection().AddScoped<SampleDependency>()));
        Assert.False(SharedFunctionInstance.CanShare(typeof(SampleFunctions), new ServiceCollection().AddTransient<SampleDependency>()));
        Assert.False(SharedFunctionInstance.CanShare(typeof(SampleFunctions), new ServiceCollection()));
    }

    [Fact]
    public void CanShare_LastRegistrationWins()
    {
        var services = new ServiceCollection().AddSingleton<SampleDependency>().AddScoped<SampleDependency>();

        Assert.False(SharedFunctionInstance.CanShare(typeof(SampleFunctions), services));
    }

    [Fact]
    public void CanShare_MutableFieldOrDisposable_IsFalse()
    {
        var services = new ServiceCollection().AddSingleton<SampleDependency>();

        Assert.False(SharedFunctionInstance.CanShare(typeof(MutableFunctions), services));
        Assert.False(SharedFunctionInstance.CanShare(typeof(DisposableFunctions), services));
    }

    [Fact]
    public void CanShare_OpenGenericSingletons_OptionsAndLoggers_AreSingletons()
    {
        var services = new ServiceCollection().AddLogging().AddOptions();

        Assert.True(SharedFunctionInstance.CanShare(typeof(OptionsAndLoggerFunctions), services));
        Assert.False(SharedFunctionInstance.CanShare(typeof(SnapshotFunctions), services));
    }

    [Fact]
    public void CanShare_TheAppsInferenceAndPredictFunctions_AreShared()
    {
        var services = new ServiceCollection().AddLogging();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }).Build();
        services.AddFunctionApp(configuration);

        Assert.True(SharedFunctionInstance.CanShare(typeof(InferenceFunctions), services));
        Assert.True(SharedFunctionInstance.CanShare(typeof(PredictFunctions), services));
    }

    [Fact]
    public async Task InvokeShared_BuildsOneInstanceForEveryRequest_AndAnswersAsInvokeAsync()
    {
        var services = new ServiceCollection().AddSingleton(new SampleDependency { Factor = 3 }).BuildServiceProvider();
        var invoker = FunctionInvoker.Create(Catalog.Functions.Single(f => f.Name == "SampleDouble"), services, canShare: true);
        var first = new DefaultHttpContext();
        first.Request.RouteValues["id"] = "14";
        var second = new DefaultHttpContext();
        second.Request.RouteValues["id"] = "5";

        var a = Assert.IsType<OkObjectResult>(await invoker.AwaitResultAsync(invoker.InvokeShared(first)));
        var b = Assert.IsType<OkObjectResult>(await invoker.AwaitResultAsync(invoker.InvokeShared(second)));

        Assert.True(invoker.IsShared);
        Assert.Equal("{ id = 14, doubled = 42, cancellable = False }", a.Value!.ToString());
        Assert.Equal("{ id = 5, doubled = 15, cancellable = False }", b.Value!.ToString());
    }

    [Fact]
    public void Create_NotShareable_IsNotShared()
    {
        var services = new ServiceCollection().BuildServiceProvider();

        Assert.False(FunctionInvoker.Create(Catalog.Functions.Single(f => f.Name == "SampleDouble"), services, canShare: false).IsShared);
    }

    private sealed class MutableFunctions(SampleDependency dependency)
    {
        public SampleDependency Dependency { get; set; } = dependency;
    }

    private sealed class DisposableFunctions(SampleDependency dependency) : IDisposable
    {
        private readonly SampleDependency _dependency = dependency;

        public override string ToString() => _dependency.ToString()!;

        public void Dispose()
        {
        }
    }

    private sealed class OptionsAndLoggerFunctions(IOptions<LoggerFilterOptions> options, ILogger<OptionsAndLoggerFunctions> logger)
    {
        private readonly IOptions<LoggerFilterOptions> _options = options;
        private readonly ILogger _logger = logger;

        public override string ToString() => $"{_options} {_logger}";
    }

    private sealed class SnapshotFunctions(IOptionsSnapshot<LoggerFilterOptions> options)
    {
        private readonly IOptionsSnapshot<LoggerFilterOptions> _options = options;

        public override string ToString() => _options.ToString()!;
    }
}
