using Serverless.Core.Buffers;
using Serverless.Core.Serving;

namespace Serverless.Bench;

/// <summary>
/// The in-process serving path without HTTP: <see cref="InferenceService.Infer"/> (JSON → tensor → Run → JSON)
/// into a pooled buffer sized as the Infer function sizes it. <see cref="Run"/> is thread-safe.
/// </summary>
public sealed class ServingPath : IDisposable
{
    private readonly byte[] _body;

    public ServingPath(BenchModel model)
    {
        _body = model.Body;
        Model = ServingSessions.CreateLoadedModel(model);
    }

    public LoadedModel Model { get; }

    /// <summary>One request; returns the response length so the call cannot be optimised away.</summary>
    public int Run()
    {
        using var output = new PooledBufferWriter(Math.Max(1024, _body.Length));
        InferenceService.Infer(Model, _body, output);
        return output.WrittenCount;
    }

    public void Dispose() => Model.Session.Dispose();
}
