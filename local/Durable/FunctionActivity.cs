using Microsoft.DurableTask;
using Serverless.Local.Catalog;

namespace Serverless.Local.Durable;

/// <summary>
/// Presents an <c>[ActivityTrigger]</c> function to the Durable Task engine as an activity: the engine
/// deserialises the input to the trigger parameter's type, and the function runs in its own DI scope.
/// </summary>
internal sealed class FunctionActivity : ITaskActivity
{
    private readonly FunctionInvoker _invoker;
    private readonly IServiceScopeFactory _scopes;

    public FunctionActivity(FunctionInvoker invoker, IServiceScopeFactory scopes)
    {
        _invoker = invoker;
        _scopes = scopes;
        InputType = invoker.Function.TriggerParameter!.ParameterType;
        OutputType = FunctionOrchestrator.UnwrapTask(invoker.Function.Method.ReturnType);
    }

    public Type InputType { get; }

    public Type OutputType { get; }

    public async Task<object?> RunAsync(TaskActivityContext context, object? input)
    {
        await using var scope = _scopes.CreateAsyncScope();
        return await _invoker.InvokeAsync(new InvocationContext(scope.ServiceProvider, null, input, CancellationToken.None)).ConfigureAwait(false);
    }
}
