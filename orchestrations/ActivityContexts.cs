using Microsoft.DurableTask;

namespace Serverless.Orchestrations;

/// <summary>
/// A <see cref="TaskActivityContext"/> for hosts that call activity classes themselves (function wrappers,
/// tests): carries the activity's name and, when known, the orchestration instance.
/// </summary>
public sealed class NamedActivityContext : TaskActivityContext
{
    public NamedActivityContext(string name, string instanceId = "")
    {
        Name = new TaskName(name);
        InstanceId = instanceId;
    }

    public override TaskName Name { get; }

    public override string InstanceId { get; }
}
