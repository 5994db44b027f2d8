namespace Serverless.Local.Catalog;

/// <summary>The trigger kinds the runner knows; each has its own dispatcher.</summary>
public enum TriggerKind
{
    Http,
    Timer,
    Queue,
    Orchestration,
    Activity,
    Entity,
    Unsupported,
}
