namespace Serverless.Core.Models;

/// <summary>
/// One feature of a tabular model. Numeric features may bound their values (<see cref="Min"/>, <see cref="Max"/>,
/// inclusive); categorical features may list their categories (<see cref="Values"/>, compared ordinally), in
/// which case any other category is refused. A feature that allows missing values (<see cref="AllowMissing"/>)
/// accepts an absent one (null, an empty cell, a missing field) and hands the model NaN (numeric) or an empty
/// string (categorical), for models that impute inside their graph as ML.NET and scikit-learn pipelines export
/// them. Immutable.
/// </summary>
public sealed record FeatureSpec(string Name, FeatureType Type, double? Min = null, double? Max = null, IReadOnlyList<string>? Values = null,
    bool AllowMissing = false);
