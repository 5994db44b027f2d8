using System.Text.Json;

namespace Serverless.Core.Protocol;

/// <summary>Property names and literals of the Open Inference Protocol's JSON, pre-encoded as UTF-8.</summary>
internal static class OipJson
{
    public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    public static readonly JsonEncodedText ModelName = JsonEncodedText.Encode("model_name");
    public static readonly JsonEncodedText ModelVersion = JsonEncodedText.Encode("model_version");
    public static readonly JsonEncodedText Outputs = JsonEncodedText.Encode("outputs");
    public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    public static readonly JsonEncodedText Datatype = JsonEncodedText.Encode("datatype");
    public static readonly JsonEncodedText Shape = JsonEncodedText.Encode("shape");
    public static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
    public static readonly JsonEncodedText Parameters = JsonEncodedText.Encode("parameters");
    public static readonly JsonEncodedText BinaryDataSize = JsonEncodedText.Encode("binary_data_size");
    public static readonly JsonEncodedText NaN = JsonEncodedText.Encode("NaN");
    public static readonly JsonEncodedText PositiveInfinity = JsonEncodedText.Encode("Infinity");
    public static readonly JsonEncodedText NegativeInfinity = JsonEncodedText.Encode("-Infinity");

    public static ReadOnlySpan<byte> IdUtf8 => "id"u8;
    public static ReadOnlySpan<byte> InputsUtf8 => "inputs"u8;
    public static ReadOnlySpan<byte> OutputsUtf8 => "outputs"u8;
    public static ReadOnlySpan<byte> ParametersUtf8 => "parameters"u8;
    public static ReadOnlySpan<byte> NameUtf8 => "name"u8;
    public static ReadOnlySpan<byte> ShapeUtf8 => "shape"u8;
    public static ReadOnlySpan<byte> DatatypeUtf8 => "datatype"u8;
    public static ReadOnlySpan<byte> DataUtf8 => "data"u8;
    public static ReadOnlySpan<byte> BinaryDataSizeUtf8 => "binary_data_size"u8;
    public static ReadOnlySpan<byte> BinaryDataUtf8 => "binary_data"u8;
    public static ReadOnlySpan<byte> BinaryDataOutputUtf8 => "binary_data_output"u8;
}
