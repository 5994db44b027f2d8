using Serverless.Core.Training;

namespace Serverless.Tests.Training.Runners;

internal static class TrialSpecs
{
    public static TrialSpec Create(string trialId = "trial-1") => new()
    {
        TrialId = trialId,
        SweepId = "sweep-1",
        TrainUri = "file:///data/train.csv",
        ValidationUri = "file:///data/validation.csv",
        Target = "label",
        Task = "binary",
        Features = [new TrialFeature("x", TrialFeature.Numeric)],
        Algorithm = "lightgbm",
        OutputUri = $"file:///out/{trialId}",
    };
}
