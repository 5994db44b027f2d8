namespace Serverless.Core.Models;

/// <summary>What a tabular model predicts; decides how its outputs become per-row predictions.</summary>
public enum TabularTask
{
    /// <summary>Two classes: the label is chosen by a threshold on the positive class's probability.</summary>
    Binary,

    /// <summary>Two or more classes: the label is the class with the highest probability.</summary>
    Multiclass,

    /// <summary>One number per row.</summary>
    Regression,
}
