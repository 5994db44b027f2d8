using Serverless.Core.Models;

namespace Serverless.Core.Features;

/// <summary>One feature a feature set declares: its name (a model feature's name when served) and type. Immutable.</summary>
public sealed record FeatureSetFeature(string Name, FeatureType Type)
{
    public bool IsNumeric => Type == FeatureType.Numeric;
}
