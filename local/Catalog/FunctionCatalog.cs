using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Local.Catalog;

/// <summary>
/// Reads the functions an assembly declares, the way the Functions SDK's metadata generator does: every
/// public method with <see cref="FunctionAttribute"/>, its trigger taken from the attribute on one parameter.
/// Nothing is declared twice: routes, methods and schedules come from the functions' own attributes.
/// </summary>
public sealed class FunctionCatalog
{
    private FunctionCatalog(IReadOnlyList<FunctionDescriptor> functions)
    {
        Functions = functions;
    }

    public IReadOnlyList<FunctionDescriptor> Functions { get; }

    public IEnumerable<FunctionDescriptor> OfKind(TriggerKind kind) => Functions.Where(f => f.Kind == kind);

    /// <summary>HTTP routes as declared; a trigger without a route is served at its function name, as in Azure.</summary>
    public IReadOnlyList<HttpRoute> HttpRoutes() => OfKind(TriggerKind.Http)
        .Select(f =>
        {
            var trigger = (HttpTriggerAttribute)f.TriggerAttribute!;
            var methods = (trigger.Methods ?? []).Select(m => m.ToUpperInvariant()).ToList();
            return new HttpRoute(f.Name, methods, trigger.Route ?? f.Name, trigger.AuthLevel);
        })
        .ToList();

    public static FunctionCatalog FromAssembly(Assembly assembly)
    {
        var functions = new List<FunctionDescriptor>();
        foreach (var type in assembly.GetExportedTypes().Where(t => t.IsClass))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var function = method.GetCustomAttribute<FunctionAttribute>();
                if (function is not null)
                {
                    functions.Add(Describe(function.Name, method));
                }
            }
        }

        var duplicates = functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new InvalidOperationException($"Function names must be unique; declared more than once: {string.Join(", ", duplicates)}.");
        }

        return new FunctionCatalog(functions.OrderBy(f => f.Name, StringComparer.Ordinal).ToList());
    }

    private static FunctionDescriptor Describe(string name, MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            foreach (var attribute in parameter.GetCustomAttributes())
            {
                var kind = attribute.GetType().Name switch
                {
                    nameof(HttpTriggerAttribute) => TriggerKind.Http,
                    nameof(TimerTriggerAttribute) => TriggerKind.Timer,
                    nameof(QueueTriggerAttribute) => TriggerKind.Queue,
                    "OrchestrationTriggerAttribute" => TriggerKind.Orchestration,
                    "ActivityTriggerAttribute" => TriggerKind.Activity,
                    "EntityTriggerAttribute" => TriggerKind.Entity,
                    _ when attribute.GetType().Name.EndsWith("TriggerAttribute", StringComparison.Ordinal) => TriggerKind.Unsupported,
                    _ => (TriggerKind?)null,
                };
                if (kind is not null)
                {
                    return new FunctionDescriptor(name, method, kind.Value, parameter, attribute);
                }
            }
        }

        throw new InvalidOperationException($"Function '{name}' ({method.DeclaringType!.FullName}.{method.Name}) has no trigger parameter.");
    }
}
