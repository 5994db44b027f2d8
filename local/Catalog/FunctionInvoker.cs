using System.Globalization;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Local.Catalog;

/// <summary>
/// Calls one function as the isolated worker would: a new instance of its class from the invocation's DI
/// scope (constructor injection), its parameters bound from the trigger, the route values and the
/// cancellation token, and its Task/ValueTask result awaited. Built once per function; thread-safe. Awaits keep
/// the caller's context (no ConfigureAwait(false)): orchestrator functions must resume on the Durable Task
/// engine's scheduler, or the engine never sees them finish. An HTTP function whose class
/// <see cref="SharedFunctionInstance"/> finds stateless over singletons, and which binds no service, is called on one
/// instance built on first use from the root services (<see cref="IsShared"/>, <see cref="InvokeShared"/>): no scope,
/// no instance and no argument array per request.
/// </summary>
public sealed class FunctionInvoker
{
    private readonly FunctionDescriptor _function;
    private readonly ObjectFactory? _factory;
    private readonly MethodInvoker _invoker;
    private readonly Func<InvocationContext, object?>[] _binders;
    private readonly PropertyInfo? _taskResult;
    private readonly IServiceProvider? _sharedFrom;
    private readonly Lock _sharedGate = new();
    private object? _shared;

    private FunctionInvoker(FunctionDescriptor function, IServiceProvider? sharedFrom)
    {
        _function = function;
        var method = function.Method;
        _factory = method.IsStatic ? null : ActivatorUtilities.CreateFactory(method.DeclaringType!, Type.EmptyTypes);
        _invoker = MethodInvoker.Create(method);
        var parameters = method.GetParameters();
        _binders = new Func<InvocationContext, object?>[parameters.Length];
        var bindsServices = false;
        for (var i = 0; i < parameters.Length; i++)
        {
            _binders[i] = CreateBinder(function, parameters[i], out var needsServices);
            bindsServices |= needsServices;
        }

        _sharedFrom = function.Kind == TriggerKind.Http && !bindsServices ? sharedFrom : null;
        var returnType = method.ReturnType;
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            _taskResult = returnType.GetProperty(nameof(Task<object>.Result));
        }
    }

    public FunctionDescriptor Function => _function;

    /// <summary>Builds an invoker; throws InvalidOperationException naming a parameter the runner cannot bind.</summary>
    public static FunctionInvoker Create(FunctionDescriptor function) => new(function, null);

    /// <summary>
    /// As above; an HTTP function that binds no service is called on one shared instance built from
    /// <paramref name="sharedFrom"/> (the root services) when <paramref name="canShare"/> (<see cref="SharedFunctionInstance.CanShare"/>) or it is static.
    /// </summary>
    public static FunctionInvoker Create(FunctionDescriptor function, IServiceProvider sharedFrom, bool canShare) =>
        new(function, canShare || function.Method.IsStatic ? sharedFrom : null);

    /// <summary>Whether <see cref="InvokeShared"/> may be used: one instance (or none, for a static method) serves every request.</summary>
    public bool IsShared => _sharedFrom is not null;

    /// <summary>
    /// Calls a shared HTTP function (<see cref="IsShared"/>) and returns what the method returned (a Task, a ValueTask or a
    /// value: <see cref="AwaitResultAsync"/> turns it into the result). Throws what the method throws synchronously.
    /// </summary>
    public object? InvokeShared(HttpContext http)
    {
        var instance = _factory is null ? null : Volatile.Read(ref _shared) ?? CreateShared();
        return Invoke(instance, new InvocationContext(_sharedFrom!, http, http.Request, http.RequestAborted));
    }

    public async ValueTask<object?> InvokeAsync(InvocationContext context)
    {
        var instance = _factory?.Invoke(context.Services, null);
        try
        {
            return await AwaitResultAsync(Invoke(instance, context));
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

    /// <summary>The function's result from what its method returned: a Task's or ValueTask's outcome awaited, else the value itself.</summary>
    public ValueTask<object?> AwaitResultAsync(object? returned) => returned switch
    {
        Task<Microsoft.AspNetCore.Mvc.IActionResult> { IsCompletedSuccessfully: true } done => ValueTask.FromResult<object?>(done.Result),
        Task<Microsoft.AspNetCore.Mvc.IActionResult> actionTask => AwaitActionAsync(actionTask),
        Task task => AwaitTaskAsync(task),
        ValueTask valueTask => AwaitValueTaskAsync(valueTask),
        _ => ValueTask.FromResult(returned),
    };

    private static async ValueTask<object?> AwaitActionAsync(Task<Microsoft.AspNetCore.Mvc.IActionResult> task) => await task;

    private async ValueTask<object?> AwaitTaskAsync(Task task)
    {
        await task;
        return _taskResult?.GetValue(task);
    }

    private static async ValueTask<object?> AwaitValueTaskAsync(ValueTask task)
    {
        await task;
        return null;
    }

    private object? Invoke(object? instance, InvocationContext context)
    {
        var binders = _binders;
        switch (binders.Length)
        {
            case 0:
                return _invoker.Invoke(instance);
            case 1:
                return _invoker.Invoke(instance, binders[0](context));
            case 2:
                return _invoker.Invoke(instance, binders[0](context), binders[1](context));
            case 3:
                return _invoker.Invoke(instance, binders[0](context), binders[1](context), binders[2](context));
            case 4:
                return _invoker.Invoke(instance, binders[0](context), binders[1](context), binders[2](context), binders[3](context));
            default:
                var arguments = new object?[binders.Length];
                for (var i = 0; i < arguments.Length; i++)
                {
                    arguments[i] = binders[i](context);
                }

                return _invoker.Invoke(instance, arguments.AsSpan());
        }
    }

    private object CreateShared()
    {
        lock (_sharedGate)
        {
            return _shared ??= _factory!(_sharedFrom!, null);
        }
    }

    private static Func<InvocationContext, object?> CreateBinder(FunctionDescriptor function, ParameterInfo parameter, out bool needsServices)
    {
        needsServices = false;
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
            needsServices = true;
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
