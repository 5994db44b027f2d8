using Microsoft.DurableTask;
using Serverless.Local.Catalog;

namespace Serverless.Local.Durable;

/// <summary>
/// Presents an <c>[OrchestrationTrigger]</c> function to the Durable Task engine as an orchestrator: each
/// execution (and each replay) invokes the function with the engine's <see cref="TaskOrchestrationContext"/>.
/// The function reads its input with <c>context.GetInput&lt;T&gt;()</c>, as under Azure Functions.
/// </summary>
internal sealed class FunctionOrchestrator : ITaskOrchestrator
{
    private readonly FunctionInvoker _invoker;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggers;

    public FunctionOrchestrator(FunctionInvoker invoker, IServiceProvider services)
    {
        _invoker = invoker;
        _services = services;
        _loggers = services.GetRequiredService<ILoggerFactory>();
        OutputType = UnwrapTask(invoker.Function.Method.ReturnType);
    }

    public Type InputType => typeof(object);

    public Type OutputType { get; }

    public async Task<object?> RunAsync(TaskOrchestrationContext context, object? input) =>
        await _invoker.InvokeAsync(new InvocationContext(_services, null, new InputConvertingContext(context, _loggers), CancellationToken.None));

    internal static Type UnwrapTask(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? type.GetGenericArguments()[0]
            : type == typeof(Task) || type == typeof(ValueTask) || type == typeof(void) ? typeof(object) : type;
}
