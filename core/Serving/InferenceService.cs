using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Serverless.Core.Graphs;
using Serverless.Core.Models;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Protocol;
using Serverless.Core.Registry;
using Serverless.Core.Serving.Batching;
using Serverless.Core.Tabular;

namespace Serverless.Core.Serving;

/// <summary>
/// Online inference over the Open Inference Protocol v2: resolve the version, lease its warm session, decode
/// the JSON body (or a JSON header and binary tensor data, <see cref="BinaryTensorData"/>) into native tensors, run, and
/// write the response (JSON, followed by binary outputs where the request asks for them). When the request is logged and the version
/// has a manifest, the log gets the manifest bound to the session (<see cref="TabularModelLeaser.BindAsync"/>), so a
/// tabular model's tensor traffic is logged under its feature names with its predictions, like the records API's.
/// Thread-safe; one instance per process.
/// </summary>
public sealed class InferenceService
{
    private readonly ModelResolver _resolver;
    private readonly ModelSessionCache _sessions;
    private readonly IModelRegistry _registry;
    private readonly TabularModelLeaser _tabular;
    private readonly GraphService _graphs;

    public InferenceService(ModelResolver resolver, ModelSessionCache sessions, IModelRegistry registry, TabularModelLeaser tabular, GraphService graphs)
    {
        _graphs = graphs;
        _resolver = resolver;
        _sessions = sessions;
        _registry = registry;
        _tabular = tabular;
    }

    /// <summary>
    /// Runs one infer request for name (and optional version) and writes the response to <paramref name="output"/>;
    /// returns its JSON header's length when binary outputs follow it, else -1 (see <see cref="Infer"/>).
    /// </summary>
    public ValueTask<int> InferAsync(string name, string? version, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, CancellationToken cancellationToken) =>
        InferAsync(name, version, body, output, null, cancellationToken);

    /// <summary>As above, settling the request id with <paramref name="log"/> and handing it the tensors.</summary>
    public async ValueTask<int> InferAsync(string name, string? version, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log,
        CancellationToken cancellationToken)
    {
        var resolved = await _resolver.ResolveAsync(name, version, cancellationToken).ConfigureAwait(false);
        return await InferAsync(resolved, body, -1, output, log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As above for a version already chosen (by its <see cref="ModelRoute"/>, for a split), with the body's JSON header
    /// length (<paramref name="headerLength"/>, -1 when the whole body is JSON).
    /// </summary>
    public async ValueTask<int> InferAsync(ModelVersion resolved, ReadOnlyMemory<byte> body, long headerLength, IBufferWriter<byte> output, InferenceLogCapture? log,
        CancellationToken cancellationToken)
    {
        if (resolved.IsGraph)
        {
            return await _graphs.InferAsync(resolved, body, headerLength, output, log, timings: false, cancellationToken).ConfigureAwait(false);
        }

        log?.SetVersion(resolved);
        using var lease = await _sessions.AcquireAsync(resolved, cancellationToken).ConfigureAwait(false);
        var tabular = log is { Enabled: true } && resolved.ManifestSha256 is not null ? await TryBindAsync(resolved, lease.Model, cancellationToken).ConfigureAwait(false) : null;
        return lease.Model.Batcher is { } batcher
            ? await InferBatchedAsync(lease.Model, batcher, body, output, log, tabular, headerLength).ConfigureAwait(false)
            : Infer(lease.Model, body.Span, output, log, tabular, headerLength);
    }

    /// <summary>
    /// <see cref="Infer"/> for a batched version: the request is parsed and validated first (a malformed one never joins a
    /// batch), then its tensors wait in the <see cref="DynamicBatcher"/> to share a run with other requests.
    /// </summary>
    private static async ValueTask<int> InferBatchedAsync(LoadedModel model, DynamicBatcher batcher, ReadOnlyMemory<byte> body, IBufferWriter<byte> output,
        InferenceLogCapture? log, TabularModel? tabular, long headerLength)
    {
        using var request = InferRequestParser.Parse(body.Span, headerLength, model);
        var (id, outputNames) = Prepare(model, request, log);
        using var outputs = await batcher.RunAsync(request, outputNames).ConfigureAwait(false);
        return Respond(model, request, id, outputNames, outputs, output, log, tabular);
    }

    /// <summary>
    /// The serving path for an already leased model: parse, run, write. Synchronous and allocation-light. With
    /// <paramref name="log"/>, the response id is the one it settles (the body's id, else the <c>x-request-id</c>
    /// header's, else a new one) and it copies the inputs and first output before they are disposed.
    /// </summary>
    /// <param name="tabular">The version's bound manifest, if it has one: the log names the features and reads the predictions with it.</param>
    /// <param name="headerLength">
    /// The binary tensor extension: the body's first <paramref name="headerLength"/> bytes are the JSON and the rest binary
    /// tensor data (the request's <see cref="BinaryTensorData.HeaderName"/>); -1: the whole body is JSON.
    /// </param>
    /// <returns>The answer's JSON header length when binary outputs follow it, else -1 (the answer is all JSON).</returns>
    public static int Infer(LoadedModel model, ReadOnlySpan<byte> body, IBufferWriter<byte> output, InferenceLogCapture? log = null, TabularModel? tabular = null,
        long headerLength = -1)
    {
        using var request = InferRequestParser.Parse(body, headerLength, model);
        var (id, outputNames) = Prepare(model, request, log);
        using var outputs = model.Run(request, outputNames);
        return Respond(model, request, id, outputNames, outputs, output, log, tabular);
    }

    /// <summary>The answer's id (the one <paramref name="log"/> settles, before the run, so a failure is logged under it too) and the outputs to run.</summary>
    private static (string Id, IReadOnlyList<string> OutputNames) Prepare(LoadedModel model, InferRequest request, InferenceLogCapture? log) =>
        (log is null ? request.Id ?? Guid.NewGuid().ToString("N") : log.ResolveRequestId(request.Id), (IReadOnlyList<string>?)request.RequestedOutputs ?? model.OutputNames);

    /// <summary>Writes the answer and hands the tensors to the log; returns the JSON header length, or -1 when the answer is all JSON.</summary>
    private static int Respond(LoadedModel model, InferRequest request, string id, IReadOnlyList<string> outputNames, IReadOnlyCollection<OrtValue> outputs,
        IBufferWriter<byte> output, InferenceLogCapture? log, TabularModel? tabular)
    {
        var responseHeaderLength = InferResponseWriter.Write(output, model.Version.Name, model.Version.Version, id, outputNames, outputs, request);
        log?.RecordTensors(model.Version, request, outputNames, outputs, tabular);
        return responseHeaderLength;
    }

    /// <summary>
    /// The manifest for the log, or null when it cannot be had (storage failing, a manifest that no longer fits): the
    /// request is still answered, and its records keep the tensor names, which the monitor maps to the manifest's features itself.
    /// </summary>
    private async ValueTask<TabularModel?> TryBindAsync(ModelVersion resolved, LoadedModel model, CancellationToken cancellationToken)
    {
        try
        {
            return await _tabular.BindAsync(resolved, model, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Model metadata: every registered version, and the signature of the resolved one.</summary>
    public async Task<ModelMetadata> GetMetadataAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var resolved = await _resolver.ResolveAsync(name, version, cancellationToken).ConfigureAwait(false);
        var versions = await _registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
        return new ModelMetadata(name, versions.Select(v => v.Version).ToList(), resolved.IsGraph ? ModelMetadata.GraphPlatform : ModelMetadata.OnnxPlatform,
            resolved.Inputs, resolved.Outputs);
    }

    /// <summary>Loads the resolved version if needed (so readiness probes warm it) and returns it.</summary>
    public async Task<ModelVersion> EnsureLoadedAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var resolved = await _resolver.ResolveAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (resolved.IsGraph)
        {
            await _graphs.WarmAsync(resolved, _sessions, cancellationToken).ConfigureAwait(false);
            return resolved;
        }

        using var lease = await _sessions.AcquireAsync(resolved, cancellationToken).ConfigureAwait(false);
        return resolved;
    }

    /// <summary>The cold-start timings of a version if it is loaded in this process.</summary>
    public ColdStartTimings? GetColdStart(ModelVersion version) => _sessions.TryGetLoaded(version)?.ColdStart;
}
