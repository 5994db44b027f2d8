using System.Reflection;

namespace Serverless.Local.Catalog;

/// <summary>
/// One function of the app as its own <c>[Function]</c> declaration states it: name, method, trigger kind and
/// the trigger attribute (HttpTrigger route and methods, TimerTrigger schedule, ...).
/// </summary>
public sealed record FunctionDescriptor(
    string Name,
    MethodInfo Method,
    TriggerKind Kind,
    ParameterInfo? TriggerParameter,
    Attribute? TriggerAttribute)
{
    public string EntryPoint => $"{Method.DeclaringType!.FullName}.{Method.Name}";
}
