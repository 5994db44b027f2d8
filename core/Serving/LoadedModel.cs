using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Protocol;
using Serverless.Core.Serving.Batching;

namespace Serverless.Core.Serving;

/// <summary>
/// A warm ONNX Runtime session for one model version with what serving needs precomputed. <c>Run</c> is
/// thread-safe (InferenceSession.Run is); the session is disposed once the cache has evicted the model and the
/// last lease is released (reference counted), so an eviction never pulls a session from under a request.
/// </summary>
public sealed class LoadedModel : IInferSignature
{
    private readonly Dictionary<string, ModelInput> _inputsByName;
    private readonly HashSet<string> _outputNames;
    private readonly RunOptions _runOptions = new();
    private int _references = 1;
    private int _evicted;

    public LoadedModel(ModelVersion version, InferenceSession session, ColdStartTimings coldStart)
    {
        Version = version;
        Session = session;
        ColdStart = coldStart;
        Inputs = session.InputNames.Select((name, index) => ToInput(name, index, session.InputMetadata[name])).ToArray();
        _inputsByName = Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        OutputNames = session.OutputNames.ToArray();
        _outputNames = new HashSet<string>(OutputNames, StringComparer.Ordinal);
    }

    public ModelVersion Version { get; }

    public InferenceSession Session { get; }

    public IReadOnlyList<ModelInput> Inputs { get; }

    public IReadOnlyList<string> OutputNames { get; }

    public ColdStartTimings ColdStart { get; internal set; }

    /// <summary>Merges concurrent requests into one run when the model is batched (<see cref="BatchingOptions"/>); null otherwise.</summary>
    public DynamicBatcher? Batcher { get; internal set; }

    /// <summary>Ticks (TimeProvider timestamp) of the last lease, for least-recently-used eviction.</summary>
    internal long LastUsed;

    public ModelInput? FindInput(string name) => _inputsByName.GetValueOrDefault(name);

    public bool HasOutput(string name) => _outputNames.Contains(name);

    /// <summary>
    /// Runs the session on a parsed request. ONNX Runtime's own refusals (a value the graph rejects at run time)
    /// become BadRequest, their text cleaned of host details by <see cref="OnnxErrorText"/>. The caller disposes the returned values.
    /// </summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(InferRequest request, IReadOnlyList<string> outputNames) =>
        Run(request.InputNames, request.InputValues, outputNames);

    /// <summary>
    /// As <see cref="Run(InferRequest, IReadOnlyList{string})"/>, through the <see cref="Batcher"/> when the model has one (the
    /// request may then share a run with others). The caller keeps <paramref name="request"/> until this completes.
    /// </summary>
    public ValueTask<IDisposableReadOnlyCollection<OrtValue>> RunAsync(InferRequest request, IReadOnlyList<string> outputNames) =>
        Batcher is { } batcher ? batcher.RunAsync(request, outputNames) : ValueTask.FromResult(Run(request, outputNames));

    /// <summary>
    /// Runs the session on named input values (owned by the caller) and returns <paramref name="outputNames"/>'s
    /// values in that order; refusals become BadRequest as for an infer request. The caller disposes the result.
    /// </summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(IReadOnlyCollection<string> inputNames, IReadOnlyCollection<OrtValue> inputValues, IReadOnlyList<string> outputNames)
    {
        try
        {
            return Session.Run(_runOptions, inputNames, inputValues, (IReadOnlyCollection<string>)outputNames);
        }
        catch (OnnxRuntimeException e)
        {
            throw ServingException.BadRequest(
                $"ONNX Runtime could not run model '{Version.Name}' version '{Version.Version}' on this input: {OnnxErrorText.Clean(e.Message)}", e);
        }
    }

    internal bool TryAddReference()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Batcher?.Dispose();
            Session.Dispose();
            _runOptions.Dispose();
        }
    }

    /// <summary>Drops the cache's own reference once; the session goes when the last lease does.</summary>
    internal void Evict()
    {
        if (Interlocked.Exchange(ref _evicted, 1) == 0)
        {
            Release();
        }
    }

    internal bool IsDisposed => Volatile.Read(ref _references) <= 0;

    private static ModelInput ToInput(string name, int index, NodeMetadata metadata)
    {
        if (!metadata.IsTensor)
        {
            return new ModelInput(name, index, false, default, OipDatatypes.Bytes, [-1]);
        }

        var dims = metadata.Dimensions.Select(d => d < 0 ? -1L : d).ToArray();
        return new ModelInput(name, index, true, metadata.ElementDataType,
            OipDatatypes.FromElementType(metadata.ElementDataType) ?? metadata.ElementDataType.ToString().ToUpperInvariant(), dims);
    }
}
