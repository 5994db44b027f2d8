using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Functions.Inference;

/// <summary>A model's readiness: loaded and warm, or registered but not loadable, with why (the error shape's <c>error</c> and <c>code</c>).</summary>
public sealed record ModelReadinessResponse(
    string Name,
    bool Ready,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null);

// The infer and predict bodies are read and written by core's streaming readers and writers (no records on the hot
// path); these records are their shapes for the OpenAPI document, and the contract tests hold the answers to them.

/// <summary>An OIP v2 inference request: the input tensors, optionally an id and the outputs wanted.</summary>
public sealed record InferRequestBody(string? Id, IReadOnlyList<InferInputTensor> Inputs, IReadOnlyList<InferRequestedOutput>? Outputs, JsonElement? Parameters);

/// <summary>
/// One input tensor: <c>datatype</c> is an OIP datatype (BOOL, UINT8…UINT64, INT8…INT64, FP16, BF16, FP32, FP64, BYTES);
/// <c>data</c> is flat or nested row-major, non-finite floats as "NaN", "Infinity", "-Infinity". Under the binary tensor
/// extension an input has no <c>data</c> but <c>parameters.binary_data_size</c>: its byte count after the JSON header.
/// </summary>
public sealed record InferInputTensor(string Name, string Datatype, IReadOnlyList<long> Shape, JsonElement? Data = null, JsonElement? Parameters = null);

/// <summary>An output to return (all of them when <c>outputs</c> is absent); <c>parameters.binary_data</c> true asks for it as binary data.</summary>
public sealed record InferRequestedOutput(string Name, JsonElement? Parameters);

/// <summary>An OIP v2 inference response; <c>id</c> is the request's id (the body's, else the <c>x-request-id</c> header's, else a new one).</summary>
public sealed record InferResponseBody(string ModelName, string ModelVersion, string Id, IReadOnlyList<InferOutputTensor> Outputs);

/// <summary>
/// One output tensor, <c>data</c> flat; sequence and map outputs are BYTES holding JSON text. An output asked for as
/// binary data has no <c>data</c> but <c>parameters.binary_data_size</c>: its byte count after the JSON header.
/// </summary>
public sealed record InferOutputTensor(string Name, string Datatype, IReadOnlyList<long> Shape, JsonElement? Data = null, JsonElement? Parameters = null);

/// <summary>
/// The records API's request: the rows as <c>instances</c> (or its synonym <c>dataframe_records</c>), objects of feature
/// values, or as <c>dataframe_split</c> (column names once, then rows of cells). Send exactly one of them.
/// </summary>
public sealed record PredictRequestBody(
    IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>? Instances,
    IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>? DataframeRecords,
    DataframeSplit? DataframeSplit);

/// <summary>Rows as column names and arrays of cells.</summary>
public sealed record DataframeSplit(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<JsonElement>> Data);

/// <summary>
/// The records API's answer: one prediction per row, in order. With <c>?feature_status=true</c>, for a model that takes features from
/// feature sets, <c>feature_status</c> says per row whether each such feature was present, missing, expired or sent in the request. For an inference graph, <c>graph</c>: the members that served.
/// </summary>
public sealed record PredictResponseBody(
    string ModelName,
    string ModelVersion,
    IReadOnlyList<RowPrediction> Predictions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<IReadOnlyDictionary<string, string>>? FeatureStatus = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Graphs.GraphAnswerBody? Graph = null);

/// <summary>
/// One row's prediction: classification gives <c>label</c> (a class label, or the model's class index as a number) and,
/// with a probability output, <c>probability</c> (that label's) and <c>scores</c> (every class's, in class order);
/// regression gives <c>value</c>. Fields a model does not produce are absent. The manifest's post steps add
/// <c>model_label</c> (the model's own label, when they changed it), <c>annotations</c> (their notes) and <c>rules</c> (the
/// names of the rules that held), each only when there is something to say.
/// </summary>
public sealed record RowPrediction(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Label,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Probability,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? Scores,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Value,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? ModelLabel = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Annotations = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Rules = null);
