namespace Serverless.Core.Tabular;

/// <summary>What a <see cref="FeatureBatch"/> does with a field or column that is not a feature.</summary>
public enum UnknownFeatures
{
    /// <summary>Refuse it: the row fails (records) or the header is refused (columns). The HTTP API's choice.</summary>
    Reject,

    /// <summary>Skip it, so files may carry ids and other pass-through columns. Batch scoring's usual choice.</summary>
    Ignore,
}
