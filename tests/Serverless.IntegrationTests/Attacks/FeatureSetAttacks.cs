using System.Net;
using System.Text;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// The feature set routes under attack: malformed, oversized and deep declarations, hostile names, rows that are malformed, too many,
/// too long, from the future or for an undeclared set, and predictions whose keys cannot be looked up. Each is refused naming the problem
/// without echoing it, the runner stays flat, and nothing is stored (no row, no history blob, no table created by a read).
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class FeatureSetAttacks
{
    private const string Set = """{"entity_keys": ["customer_id"], "features": [{"name": "f1", "type": "numeric"}, {"name": "f2", "type": "numeric"}], "ttl_seconds": 3600}""";
    private const string Rows = "feature-sets/attack-set/versions/1/rows";

    private readonly AttackFixture _target;

    public FeatureSetAttacks(AttackFixture target)
    {
        _target = target;
    }

    public static TheoryData<string, string> BadDeclarations => new()
    {
        { "[1, 2]", "feature set" },
        { "{\"entity_keys\": ", "feature set" },
        { Set.Replace("ttl_seconds", "ttl", StringComparison.Ordinal), "ttl" },
        { Set.Replace("\"customer_id\"", "\"../../etc/passwd\"", StringComparison.Ordinal), "entity_keys[0]" },
        { Set.Replace("\"f1\"", $"\"{new string('f', 5_000)}\"", StringComparison.Ordinal), "features[0].name" },
        { Set.Replace("3600", "99999999999999", StringComparison.Ordinal), "ttl_seconds" },
        { $$"""{"entity_keys": ["id"], "features": [{{string.Join(",", Enumerable.Range(0, 500).Select(i => $$"""{"name": "f{{i}}", "type": "numeric"}"""))}}], "ttl_seconds": 60}""", "1 to 100" },
        { new string('[', 8_000) + new string(']', 8_000), "feature set" },
    };

    [Theory]
    [MemberData(nameof(BadDeclarations))]
    public async Task Declare_BadBody_Is400NamingTheProblem_WithoutEchoingIt(string body, string errorNames)
    {
        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync("feature-sets/attack-bad/versions/1", body), HttpStatusCode.BadRequest, errorNames);

        Assert.True(answer.Error.Length < 600, answer.Error);
        Assert.DoesNotContain("fffffffffffffffffffffffffffffffffffffffffffffffff", answer.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("feature-sets/bad%20name/versions/1", "name")]
    [InlineData("feature-sets/attack-set/versions/_1", "version")]
    public async Task Declare_HostileNames_Are400(string path, string errorNames)
    {
        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(path, Set), HttpStatusCode.BadRequest, errorNames);
    }

    [Fact]
    public async Task Declare_OverTheLimit_Is413_AndReadsOfNothingStoreNothing()
    {
        var body = Set.Replace("3600", $"3600, \"description\": \"{new string('x', 300_000)}\"", StringComparison.Ordinal);

        await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync("feature-sets/attack-big/versions/1", body), HttpStatusCode.RequestEntityTooLarge, "limit");
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync("feature-sets/attack-none/versions/1"), HttpStatusCode.NotFound, "attack-none");
        await Attack.RefusedAsync(_target, () => _target.Operator.GetJsonAsync("feature-sets/attack-none/versions"), HttpStatusCode.NotFound, "attack-none");
        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync("feature-sets/attack-none/versions/1/rows",
            """{"rows": [{"customer_id": "c1", "event_time": "2026-01-01T00:00:00Z", "f1": 1}]}"""), HttpStatusCode.NotFound, "attack-none");
    }

    public static TheoryData<string, string> BadRows => new()
    {
        { "{\"rows\": [", "rows" },
        { """{"rows": [{"customer_id": "c1", "event_time": "2026-01-01T00:00:00Z", "f1": 1}, {"customer_id": "c2", "event_time": "2026-01-01T00:00:00Z", "f1": "=cmd|' /C calc'!A0"}]}""", "row 1, column 'f1'" },
        { """{"rows": [{"customer_id": "c1", "event_time": "2999-01-01T00:00:00Z", "f1": 1}]}""", "future" },
        { $$"""{"rows": [{"customer_id": "{{new string('k', 5_000)}}", "event_time": "2026-01-01T00:00:00Z", "f1": 1}]}""", "longer than 256" },
        { $$"""{"rows": [{"customer_id": "c1", "event_time": "2026-01-01T00:00:00Z", "{{new string('z', 5_000)}}": 1}]}""", "not a column" },
        { """{"rows": [{"customer_id": {"nested": [1, 2]}, "event_time": "2026-01-01T00:00:00Z", "f1": 1}]}""", "customer_id" },
        { """{"rows": [{"customer_id": "c1", "customer_id": "c2", "event_time": "2026-01-01T00:00:00Z", "f1": 1}]}""", "more than once" },
        { "{\"rows\": " + new string('[', 5_000) + new string(']', 5_000) + "}", "rows" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public async Task WriteRows_BadRows_Are400NamingRowAndColumn_AndNothingIsStored(string body, string errorNames)
    {
        await DeclareAsync();

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync(Rows, body), HttpStatusCode.BadRequest, errorNames);

        Assert.True(answer.Error.Length < 1_500, answer.Error);
        Assert.DoesNotContain("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteRows_TooManyRowsOrBadCsv_AreRefused()
    {
        await DeclareAsync();
        var rows = string.Join(",", Enumerable.Range(0, 1_001).Select(i => $$"""{"customer_id": "c{{i}}", "event_time": "2026-01-01T00:00:00Z", "f1": 1}"""));

        await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync(Rows, $$"""{"rows": [{{rows}}]}"""), HttpStatusCode.RequestEntityTooLarge, "at most 1000 rows");
        await Attack.RefusedAsync(_target, () => _target.Operator.SendAsync(HttpMethod.Post, Rows,
            new StringContent("customer_id,event_time,f1\nc1,2026-01-01T00:00:00Z\n", Encoding.UTF8, "text/csv")), HttpStatusCode.BadRequest, "row 0");
        await Attack.RefusedAsync(_target, () => _target.Operator.SendAsync(HttpMethod.Post, Rows,
            new StringContent("customer_id,event_time,f1\nc1,2026-01-01T00:00:00Z,abc\n", Encoding.UTF8, "text/csv")), HttpStatusCode.BadRequest, "column 'f1'");
    }

    [Fact]
    public async Task Predict_JoinedModelWithoutUsableKeys_Is400_AndAClientCannotWriteRows()
    {
        await DeclareAsync();
        var model = await _target.Operator.PutBytesAsync("models/attack-joined/versions/1", ReferenceModels.LogisticRegression(features: 3));
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(ReferenceManifests.LogisticRegression(features: 3))!.AsObject();
        manifest["feature_sets"] = System.Text.Json.Nodes.JsonNode.Parse("""[{"name": "attack-set", "version": "1", "features": ["f1", "f2"]}]""");
        var registered = await _target.Operator.PutJsonAsync("models/attack-joined/versions/1/manifest", manifest.ToJsonString());
        Assert.True(model.Status is HttpStatusCode.Created or HttpStatusCode.OK, model.Body?.ToString());
        Assert.True(registered.Status is HttpStatusCode.Created or HttpStatusCode.OK, registered.Body?.ToString());

        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync("models/attack-joined/versions/1/predict", """{"instances": [{"f0": 1}]}"""),
            HttpStatusCode.BadRequest, "no entity key");
        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync("models/attack-joined/versions/1/predict",
            $$"""{"instances": [{"f0": 1, "customer_id": "{{new string('/', 2_000)}}"}]}"""), HttpStatusCode.BadRequest, null);
        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync(Rows,
            """{"rows": [{"customer_id": "c1", "event_time": "2026-01-01T00:00:00Z", "f1": 1}]}"""), HttpStatusCode.Unauthorized, null);
    }

    public static TheoryData<string, string, HttpStatusCode, string?> BadMaterialisations => new()
    {
        { "feature-sets/attack-set/versions/1/materialisations", """{"from": "last tuesday"}""", HttpStatusCode.BadRequest, "from" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"from": "2026-12-31", "to": "2026-01-01"}""", HttpStatusCode.BadRequest, "'from' (2026-12-31) is after 'to'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"blobs_per_chunk": 0}""", HttpStatusCode.BadRequest, "'blobs_per_chunk'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"max_parallelism": 2147483647}""", HttpStatusCode.BadRequest, "'max_parallelism'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"input": "file:///etc/passwd"}""", HttpStatusCode.BadRequest, "input" },
        { "feature-sets/attack-set/versions/1/materialisations", new string('[', 1_500) + new string(']', 1_500), HttpStatusCode.BadRequest, null },
        { "feature-sets/attack-set/versions/1/materialisations", $$"""{"from": "2026-01-01", "pad": "{{new string('x', 10_000)}}"}""", HttpStatusCode.RequestEntityTooLarge, "limit" },
        { "feature-sets/bad%20name/versions/1/materialisations", "{}", HttpStatusCode.BadRequest, "name" },
        { "feature-sets/attack-set/versions/_1/materialisations", "{}", HttpStatusCode.BadRequest, "version" },
        { "feature-sets/attack-none/versions/1/materialisations", "{}", HttpStatusCode.NotFound, "attack-none" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "data/../sweeps/any/data/train.csv"}""", HttpStatusCode.BadRequest, "'source'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "data/a/./b.csv"}""", HttpStatusCode.BadRequest, "'source'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "data//b.csv"}""", HttpStatusCode.BadRequest, "'source'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "sweeps/any/data/train.csv"}""", HttpStatusCode.BadRequest, "'source'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "featurehistory/attack-set/1/x.jsonl"}""", HttpStatusCode.BadRequest, "'source'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "https://evil.example/data/x.csv"}""", HttpStatusCode.BadRequest, "'source'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "data\\..\\x.csv"}""", HttpStatusCode.BadRequest, "'source'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "data/x\u0000.csv"}""", HttpStatusCode.BadRequest, "'source'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "data/attack/none.csv"}""", HttpStatusCode.BadRequest, "does not exist" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "data/attack/x.parquet"}""", HttpStatusCode.BadRequest, "'format'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "data/attack/x.csv", "from": "2026-01-01"}""", HttpStatusCode.BadRequest, "'from'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": "data/attack/x.csv", "chunk_rows": 5}""", HttpStatusCode.BadRequest, "'chunk_rows'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"format": "csv"}""", HttpStatusCode.BadRequest, "'format'" },
        { "feature-sets/attack-set/versions/1/materialisations", """{"source": 7}""", HttpStatusCode.BadRequest, "source" },
    };

    [Theory]
    [MemberData(nameof(BadMaterialisations))]
    public async Task Materialise_BadStarts_AreRefusedNamingTheProblem_AndNothingStarts(string path, string body, HttpStatusCode expected, string? errorNames)
    {
        await DeclareAsync();

        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PostJsonAsync(path, body), expected, errorNames);

        Assert.True(answer.Error.Length < 600, answer.Error);
        Assert.DoesNotContain("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Materialise_WithAClientKey_Is401()
    {
        await DeclareAsync();

        await Attack.RefusedAsync(_target, () => _target.Client.PostJsonAsync("feature-sets/attack-set/versions/1/materialisations", "{}"), HttpStatusCode.Unauthorized, null);
    }

    private async Task DeclareAsync()
    {
        var declared = await _target.Operator.PutJsonAsync("feature-sets/attack-set/versions/1", Set);
        Assert.True(declared.Status is HttpStatusCode.Created or HttpStatusCode.OK, declared.Body?.ToString());
    }
}
