using System.Text.Json.Serialization;

namespace Serverless.Core.Models;

/// <summary>
/// One input or output of a model as the Open Inference Protocol describes it: a name, an OIP datatype
/// (FP32, INT64, BYTES, ...) and a shape in which -1 marks a dimension that varies per request.
/// </summary>
public sealed record TensorSpec(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("shape")] long[] Shape);
