using DurableTask.Core;

namespace Serverless.Local.Durable;

/// <summary>Gives the Durable Task engine a fresh orchestration or activity object per execution.</summary>
internal sealed class FactoryObjectCreator<T> : ObjectCreator<T>
{
    private readonly Func<T> _create;

    public FactoryObjectCreator(string name, Func<T> create)
    {
        Name = name;
        Version = string.Empty;
        _create = create;
    }

    public override T Create() => _create();
}
