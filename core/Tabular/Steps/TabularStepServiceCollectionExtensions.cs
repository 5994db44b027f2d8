using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Serverless.Core.Tabular.Steps;

/// <summary>Registers code steps for manifests' <c>{"kind": "code"}</c> steps.</summary>
public static class TabularStepServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TStep"/> (a singleton) under its <see cref="ITabularStep.Name"/>, and the
    /// <see cref="TabularStepCatalog"/> that finds it. Registering one type twice is harmless; two types with one name fail
    /// when the catalog is built.
    /// </summary>
    public static IServiceCollection AddTabularStep<TStep>(this IServiceCollection services)
        where TStep : class, ITabularStep
    {
        services.TryAddSingleton<TStep>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITabularStep, TStep>(static sp => sp.GetRequiredService<TStep>()));
        services.TryAddSingleton<TabularStepCatalog>();
        return services;
    }
}
