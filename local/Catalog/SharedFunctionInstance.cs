using System.Reflection;

namespace Serverless.Local.Catalog;

/// <summary>
/// Whether one instance of a function class can serve every invocation, so a request needs neither a DI scope nor a new
/// instance: the class has one public constructor whose every parameter is a singleton service, no mutable instance
/// field (every field readonly, in base classes too), and it is not disposable. Such an instance behaves exactly as a
/// fresh one would: what it holds is what the scope would have handed a new one. Anything else (a scoped or transient
/// dependency, <see cref="IServiceProvider"/>, a collection, a settable property) keeps one instance per invocation.
/// </summary>
internal static class SharedFunctionInstance
{
    public static bool CanShare(Type type, IServiceCollection services)
    {
        if (type.IsAbstract || typeof(IDisposable).IsAssignableFrom(type) || typeof(IAsyncDisposable).IsAssignableFrom(type))
        {
            return false;
        }

        var constructors = type.GetConstructors();
        if (constructors.Length != 1)
        {
            return false;
        }

        for (var declaring = type; declaring is not null && declaring != typeof(object); declaring = declaring.BaseType)
        {
            foreach (var field in declaring.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!field.IsInitOnly)
                {
                    return false;
                }
            }
        }

        foreach (var parameter in constructors[0].GetParameters())
        {
            if (LifetimeOf(parameter.ParameterType, services) != ServiceLifetime.Singleton)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The lifetime the container resolves <paramref name="type"/> with (the last registration wins; a closed one before an open generic), or null.</summary>
    private static ServiceLifetime? LifetimeOf(Type type, IServiceCollection services)
    {
        var closed = Last(type, services);
        if (closed is not null || !type.IsConstructedGenericType)
        {
            return closed?.Lifetime;
        }

        return Last(type.GetGenericTypeDefinition(), services)?.Lifetime;
    }

    private static ServiceDescriptor? Last(Type serviceType, IServiceCollection services)
    {
        ServiceDescriptor? found = null;
        foreach (var descriptor in services)
        {
            if (!descriptor.IsKeyedService && descriptor.ServiceType == serviceType)
            {
                found = descriptor;
            }
        }

        return found;
    }
}
