using Microsoft.ML.OnnxRuntime;

namespace Serverless.Bench;

/// <summary>
/// The compute limit: <c>InferenceSession.Run</c> through the OrtValue API with the input created once and the
/// outputs disposed each call. <see cref="Run"/> is thread-safe (one shared session, as serving shares one).
/// </summary>
public sealed class RawRunPath : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _data;
    private readonly OrtValue _input;
    private readonly string[] _inputNames;
    private readonly OrtValue[] _inputValues;
    private readonly string[] _outputNames;

    public RawRunPath(BenchModel model)
    {
        _session = ServingSessions.CreateSession(model);
        _data = model.Input.ToArray();
        _input = OrtValue.CreateTensorValueFromMemory(_data, model.Shape);
        _inputNames = [BenchModel.InputName];
        _inputValues = [_input];
        _outputNames = _session.OutputNames.ToArray();
    }

    /// <summary>One run; returns the output count so the call cannot be optimised away.</summary>
    public int Run()
    {
        using var outputs = _session.Run(_runOptions, _inputNames, _inputValues, _outputNames);
        return outputs.Count;
    }

    public void Dispose()
    {
        _input.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
