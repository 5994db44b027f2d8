using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// Binary tensor extension bodies whose lengths lie: a JSON header length past the body or absurd, binary_data_size
/// far beyond the bytes sent, a shape the bytes cannot fill, tensor bytes cut short or left over, a body over the
/// limit. Each is a 400 (413 for the limit) naming the header or the input, and nothing is allocated for what was only declared.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class BinaryTensorAttacks
{
    private const string HeaderName = "Inference-Header-Content-Length";
    private const long SmallGrowth = 32L * 1024 * 1024;
    private static readonly string InferPath = $"v2/models/{AttackFixture.Model}/infer";
    private readonly AttackFixture _target;

    public BinaryTensorAttacks(AttackFixture target)
    {
        _target = target;
    }

    private static string Json(string shape, long size) =>
        $$$"""{"inputs": [{"name": "input", "datatype": "FP32", "shape": {{{shape}}}, "parameters": {"binary_data_size": {{{size}}}}}]}""";

    [Theory]
    [InlineData("2147483647")]
    [InlineData("99999999999")]
    [InlineData("9223372036854775807")]
    public async Task Infer_HeaderLengthFarPastTheBody_Is400NamingTheHeader(string headerLength)
    {
        await Attack.RefusedAsync(_target, () => PostAsync(Bytes(Json("[1, 3]", 12), 12), headerLength), HttpStatusCode.BadRequest, HeaderName, SmallGrowth);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0x10")]
    [InlineData("1e9")]
    [InlineData("99999999999999999999999999")]
    public async Task Infer_HeaderLengthNotANonNegativeInteger_Is400NamingTheHeader(string headerLength)
    {
        await Attack.RefusedAsync(_target, () => PostAsync(Bytes(Json("[1, 3]", 12), 12), headerLength), HttpStatusCode.BadRequest, HeaderName, SmallGrowth);
    }

    [Theory]
    [InlineData(1_000_000_000_000L)]
    [InlineData(long.MaxValue)]
    [InlineData(2_147_483_648L)]
    public async Task Infer_BinaryDataSizeFarBeyondTheBytesSent_Is400WithoutAllocatingIt(long size)
    {
        var json = Json("[1, 3]", size);

        await Attack.RefusedAsync(_target, () => PostAsync(Bytes(json, 12), Length(json)), HttpStatusCode.BadRequest, "'input'", SmallGrowth);
    }

    [Theory]
    [InlineData("[333333333, 3]")]
    [InlineData("[4611686018427387904, 3]")]
    [InlineData("[0, 3, 9223372036854775807]")]
    public async Task Infer_ShapeFarLargerThanItsBytes_Is400WithoutAllocatingIt(string shape)
    {
        var json = Json(shape, 12);

        await Attack.RefusedAsync(_target, () => PostAsync(Bytes(json, 12), Length(json)), HttpStatusCode.BadRequest, "input", SmallGrowth);
    }

    [Fact]
    public async Task Infer_TensorBytesCutShort_Is400NamingTheInput()
    {
        var json = Json("[10, 3]", 120);

        await Attack.RefusedAsync(_target, () => PostAsync(Bytes(json, 50), Length(json)), HttpStatusCode.BadRequest, "'input'", SmallGrowth);
    }

    [Fact]
    public async Task Infer_BytesLeftOverAfterTheInputs_Is400()
    {
        var json = Json("[1, 3]", 12);

        await Attack.RefusedAsync(_target, () => PostAsync(Bytes(json, 100_000), Length(json)), HttpStatusCode.BadRequest, "binary_data_size", SmallGrowth);
    }

    [Fact]
    public async Task Infer_HeaderLengthZero_Is400SayingTheJsonHeaderIsInvalid()
    {
        await Attack.RefusedAsync(_target, () => PostAsync(Bytes(Json("[1, 3]", 12), 12), "0"), HttpStatusCode.BadRequest, "JSON header", SmallGrowth);
    }

    [Fact]
    public async Task Infer_BinaryBodyOverTheLimit_Is413()
    {
        var json = Json("[1, 3]", 12);

        await Attack.RefusedAsync(_target, () => PostAsync(Bytes(json, (int)AttackFixture.MaxRequestBodyBytes + 12), Length(json)),
            HttpStatusCode.RequestEntityTooLarge, "limit", SmallGrowth);
    }

    private static string Length(string json) => Encoding.UTF8.GetByteCount(json).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Bytes(string json, int tensorBytes) => [.. Encoding.UTF8.GetBytes(json), .. new byte[tensorBytes]];

    private Task<JsonAnswer> PostAsync(byte[] body, string headerLength)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return _target.Client.SendAsync(HttpMethod.Post, InferPath, content, new Dictionary<string, string> { [HeaderName] = headerLength });
    }
}
