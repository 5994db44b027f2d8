namespace Serverless.Core.Tabular;

/// <summary>
/// One feature of a tabular model. Numeric features may bound their values (<see cref="Min"/>, <see cref="Max"/>,
/// inclusive); categorical features may list their categories (<see cref="Values"/>, compared ordinally), in
/// which case any other category is refused. Immutable.
/// </summary>
public sealed record FeatureSpec(string Name, FeatureType Type, double? Min = null, double? Max = null, IReadOnlyList<string>? Values = null);
