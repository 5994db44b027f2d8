namespace Serverless.Core.Protocol;

/// <summary>
/// What an infer request is checked against: the model's inputs (name, datatype, shape) and the names of its outputs.
/// A loaded model is one. Implementations are immutable and thread-safe.
/// </summary>
public interface IInferSignature
{
    IReadOnlyList<ModelInput> Inputs { get; }

    IReadOnlyList<string> OutputNames { get; }

    ModelInput? FindInput(string name);

    bool HasOutput(string name);
}
