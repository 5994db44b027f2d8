using System.Text.Json;

namespace Serverless.Core.Features;

/// <summary>Where a served value of a feature-set feature came from.</summary>
public enum FeatureStatus : byte
{
    /// <summary>Looked up and within its TTL.</summary>
    Present,

    /// <summary>The set holds no value for the key (never written).</summary>
    Missing,

    /// <summary>The set's value is older than its TTL, so it counts as missing.</summary>
    Expired,

    /// <summary>The request sent the value, so nothing was looked up.</summary>
    Request,
}

/// <summary>
/// Per row, the status of each feature a set supplies, written into the records answer as <c>"feature_status": [{"feature": "present" |
/// "missing" | "expired" | "request"}, ...]</c> (one object per row, in order) when the caller asks for it. Not thread-safe while filled.
/// </summary>
public sealed class FeatureStatusReport
{
    private static readonly JsonEncodedText Property = JsonEncodedText.Encode("feature_status");
    private static readonly JsonEncodedText[] Names =
        [JsonEncodedText.Encode("present"), JsonEncodedText.Encode("missing"), JsonEncodedText.Encode("expired"), JsonEncodedText.Encode("request")];

    private readonly JsonEncodedText[] _features;
    private readonly FeatureStatus[] _statuses;

    internal FeatureStatusReport(IReadOnlyList<string> features, int rows)
    {
        _features = features.Select(f => JsonEncodedText.Encode(f)).ToArray();
        _statuses = new FeatureStatus[features.Count * rows];
        Rows = rows;
    }

    public int Rows { get; }

    public FeatureStatus this[int row, int sourced]
    {
        get => _statuses[(row * _features.Length) + sourced];
        internal set => _statuses[(row * _features.Length) + sourced] = value;
    }

    /// <summary>Writes the <c>feature_status</c> property into the object <paramref name="writer"/> is in.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartArray(Property);
        for (var r = 0; r < Rows; r++)
        {
            writer.WriteStartObject();
            for (var f = 0; f < _features.Length; f++)
            {
                writer.WriteString(_features[f], Names[(int)this[r, f]]);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
