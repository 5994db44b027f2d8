using System.Globalization;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Local.Catalog;

/// <summary>
/// Calls one function as the isolated worker would: a new instance of its class from the invocation's DI
/// scope (constructor injection), its parameters bound from the trigger, the route values and the
/// cancellation token, and its Task/ValueTask result awaited. Built once per function; thread-safe. Awaits keep
/// the caller's context (no ConfigureAwait(false)): orchestrator functions must resume on the Durable Task
/// engine's scheduler, or the engine never sees them finish.
/// </summary>
public sealed class FunctionInvoker
{
    private readonly FunctionDescriptor _function;
    private readonly ObjectFactory? _factory;
    private readonly MethodInvoker _invoker;
    private readonly Func<InvocationContext, object?>[] _binders;
    private readonly PropertyInfo? _taskResult;

    private FunctionInvoker(FunctionDescriptor function)
    {
        _function = function;
        var method = function.Method;
        _factory = method.IsStatic ? null : ActivatorUtilities.CreateFactory(method.DeclaringType!, Type.EmptyTypes);
        _invoker = MethodInvoker.Create(method);
        _binders = method.GetParameters().Select(p => CreateBinder(function, p)).ToArray();
        var returnType = method.ReturnType;
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            _taskResult = returnType.GetProperty(nameof(Task<object>.Result));
        }
    }

    public FunctionDescriptor Function => _function;

    /// <summary>Builds an invoker; throws InvalidOperationException naming a parameter the runner cannot bind.</summary>
    public static FunctionInvoker Create(FunctionDescriptor function) => new(function);

    public async ValueTask<object?> InvokeAsync(InvocationContext context)
    {
        var instance = _factory?.Invoke(context.Services, null);
        try
        {
            var arguments = new object?[_binders.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                arguments[i] = _binders[i](context);
            }

            var result = _invoker.Invoke(instance, arguments.AsSpan());
            switch (result)
            {
                case Task<Microsoft.AspNetCore.Mvc.IActionResult> actionTask:
                    return await actionTask;
                case Task task:
                    await task;
                    return _taskResult?.GetValue(task);
                case ValueTask valueTask:
                    await valueTask;
                    return null;
                default:
                    return result;
            }
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private static Func<InvocationContext, object?> CreateBinder(FunctionDescriptor function, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (parameter == function.TriggerParameter)
        {
            return function.Kind switch
            {
                TriggerKind.Http when type == typeof(HttpRequest) => c => c.Http!.Request,
                TriggerKind.Http when type == typeof(HttpContext) => c => c.Http,
                TriggerKind.Http => throw Unsupported(function, parameter, "HTTP triggers bind HttpRequest (ASP.NET Core integration)"),
                _ => c => c.TriggerValue,
            };
        }

        if (type == typeof(CancellationToken))
        {
            return c => c.Cancellation;
        }

        if (type == typeof(FunctionContext))
        {
            throw Unsupported(function, parameter, "take ILogger<T> and services through the constructor instead of FunctionContext");
        }

        if (parameter.GetCustomAttributes().Any(a => a.GetType().Name == "DurableClientAttribute"))
        {
            return c => c.Services.GetRequiredService(type);
        }

        if (function.Kind == TriggerKind.Http && parameter.Name is { } name && IsRouteBindable(type))
        {
            return c => ConvertRouteValue(c.Http!.GetRouteValue(name), type, parameter);
        }

        throw Unsupported(function, parameter, "no binding for it");
    }

    private static bool IsRouteBindable(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(string) || underlying.IsPrimitive || underlying == typeof(Guid) || underlying == typeof(decimal) || underlying.IsEnum;
    }

    private static object? ConvertRouteValue(object? value, Type type, ParameterInfo parameter)
    {
        if (value is null)
        {
            return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;
        }

        if (type == typeof(string))
        {
            return value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var text = Convert.ToString(value, CultureInfo.InvariantCulture)!;
        if (underlying == typeof(Guid))
        {
            return Guid.Parse(text);
        }

        return underlying.IsEnum ? Enum.Parse(underlying, text, ignoreCase: true) : Convert.ChangeType(text, underlying, CultureInfo.InvariantCulture);
    }

    private static InvalidOperationException Unsupported(FunctionDescriptor function, ParameterInfo parameter, string why) =>
        new($"Function '{function.Name}': the local runner cannot bind parameter '{parameter.Name}' ({parameter.ParameterType.Name}): {why}.");
}
