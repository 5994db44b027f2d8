namespace Serverless.Core.Training.Runners;

/// <summary>
/// Which trainer a <see cref="ProcessTrialRunner"/> launches and with what: the built-in trainer (<c>Training:Process</c>)
/// or the torch trainer (<c>Training:Torch</c>, a <c>.py</c> run by <see cref="PythonPath"/>). <see cref="Section"/> is
/// the configuration path messages name. Immutable.
/// </summary>
public sealed record ProcessTrainer(string Kind, string Section, string? TrainerPath, string DotnetPath, string PythonPath, int MaxConcurrentTrials)
{
    /// <summary>The Debian package that gives <see cref="PythonPath"/> PyTorch.</summary>
    public const string TorchPackage = "python3-torch";

    public static ProcessTrainer BuiltIn(TrainingOptions options) => new(
        TrainingOptions.ProcessRunner, TrainingOptions.SectionName + ":Process", options.Process.TrainerPath, options.Process.DotnetPath,
        options.Torch.PythonPath, options.Process.MaxConcurrentTrials);

    public static ProcessTrainer Torch(TrainingOptions options) => new(
        TrainingOptions.TorchProcessRunner, TrainingOptions.SectionName + ":Torch", options.Torch.TrainerPath, options.Process.DotnetPath,
        options.Torch.PythonPath, options.Torch.MaxConcurrentTrials);

    /// <summary>What the trainer is, in words.</summary>
    public string Description => Kind == TrainingOptions.TorchProcessRunner ? "torch trainer (trainer-torch/train.py)" : "trainer";

    /// <summary>The settings to check when the trainer cannot be launched.</summary>
    public string LaunchHint => TrainerPath?.EndsWith(".py", StringComparison.OrdinalIgnoreCase) == true
        ? $"check {Section}:TrainerPath and {TrainingOptions.SectionName}:Torch:PythonPath, a python3 that imports torch: Debian's package {TorchPackage}"
        : $"check {Section}:TrainerPath and {TrainingOptions.SectionName}:Process:DotnetPath";
}
