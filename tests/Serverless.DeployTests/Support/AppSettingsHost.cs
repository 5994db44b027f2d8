using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Functions;

namespace Serverless.DeployTests.Support;

/// <summary>
/// The function app's own wiring (<see cref="FunctionAppServiceCollectionExtensions.AddFunctionApp"/>) over app
/// settings as the Functions host hands them to the worker: environment variables, <c>__</c> read as <c>:</c>.
/// </summary>
internal static class AppSettingsHost
{
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string> settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
            .Build();

    public static ServiceProvider Build(IReadOnlyDictionary<string, string> settings)
    {
        var configuration = Configuration(settings);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(configuration);
        services.AddFunctionApp(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>Every options class the wiring configures or validates (IConfigureOptions/IValidateOptions of T).</summary>
    public static IReadOnlyList<Type> OptionsTypes(IReadOnlyDictionary<string, string> settings)
    {
        var services = new ServiceCollection();
        services.AddFunctionApp(Configuration(settings));
        return services
            .Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(IConfigureOptions<>) || t.GetGenericTypeDefinition() == typeof(IValidateOptions<>)))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.Namespace?.StartsWith("Serverless.", StringComparison.Ordinal) == true)
            .Distinct()
            .ToList();
    }

    /// <summary>Resolves IOptions&lt;T&gt;.Value, which runs T's validation.</summary>
    public static object? Value(IServiceProvider provider, Type optionsType)
    {
        var type = typeof(IOptions<>).MakeGenericType(optionsType);
        try
        {
            return type.GetProperty(nameof(IOptions<object>.Value))!.GetValue(provider.GetRequiredService(type));
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
