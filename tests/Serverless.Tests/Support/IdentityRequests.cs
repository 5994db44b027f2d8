using Serverless.TestModels;

namespace Serverless.Tests.Support;

/// <summary>
/// Requests for <see cref="ReferenceModels.AllDatatypesIdentity"/>: every input with a [2, 2] sample of edge values,
/// any of which a test can override.
/// </summary>
internal static class IdentityRequests
{
    /// <summary>Per OIP datatype, four elements (shape [2, 2]) that probe the type's edges.</summary>
    public static readonly IReadOnlyDictionary<string, string> SampleData = new Dictionary<string, string>
    {
        ["BOOL"] = "[[true,false],[false,true]]",
        ["UINT8"] = "[[0,1],[254,255]]",
        ["UINT16"] = "[[0,1],[65534,65535]]",
        ["UINT32"] = "[[0,1],[4294967294,4294967295]]",
        ["UINT64"] = "[[0,9007199254740993],[18446744073709551614,18446744073709551615]]",
        ["INT8"] = "[[-128,-1],[0,127]]",
        ["INT16"] = "[[-32768,-1],[0,32767]]",
        ["INT32"] = "[[-2147483648,-1],[0,2147483647]]",
        ["INT64"] = "[[-9223372036854775808,-1],[0,9223372036854775807]]",
        ["FP16"] = "[[1.5,-2.25],[0,65504]]",
        ["FP32"] = "[[1.5,-0.25],[0.1,123456.5]]",
        ["FP64"] = "[[1.5,-0.25],[0.1,1e300]]",
        ["BYTES"] = """[["a\"b","ü"],["","tab\tline\nend \u00e9 \ud83d\ude00"]]""",
    };

    /// <summary>A request for every input with its sample data, shape [2, 2], asking for every output.</summary>
    public static string Build() => With(null, "", null);

    /// <summary>A request for every input, with one datatype's data (and optionally shape) replaced.</summary>
    public static string With(string? datatype, string dataJson, long[]? shape = null) =>
        InferJson.Request(ReferenceModels.OipDatatypes
            .Select(d => d.Datatype == datatype
                ? InferJson.Input(ReferenceModels.IdentityInputName(d.Datatype), d.Datatype, shape ?? [2, 2], dataJson)
                : InferJson.Input(ReferenceModels.IdentityInputName(d.Datatype), d.Datatype, [2, 2], SampleData[d.Datatype]))
            .ToArray());

    /// <summary>
    /// A request for every input (one datatype's data replaced) that asks only for that datatype's output, so a
    /// failure writing another datatype cannot mask this one.
    /// </summary>
    public static string Only(string datatype, string? dataJson = null) =>
        InferJson.AskingFor(With(datatype, dataJson ?? SampleData[datatype]), ReferenceModels.IdentityOutputName(datatype));
}
