namespace Serverless.Core.Serving;

/// <summary>A counted reference to a loaded model; keeps its session alive until disposed. Dispose exactly once.</summary>
public readonly struct ModelLease : IDisposable
{
    internal ModelLease(LoadedModel model)
    {
        Model = model;
    }

    public LoadedModel Model { get; }

    public void Dispose() => Model?.Release();
}
