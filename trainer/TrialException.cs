namespace Serverless.Trainer;

/// <summary>
/// A trial that cannot run as specified (an unknown algorithm or hyperparameter, a missing column, a target the
/// task cannot use...). The message names the problem and how to fix it; the trainer prints it and exits 1.
/// </summary>
public sealed class TrialException : Exception
{
    public TrialException(string message)
        : base(message)
    {
    }

    public TrialException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
