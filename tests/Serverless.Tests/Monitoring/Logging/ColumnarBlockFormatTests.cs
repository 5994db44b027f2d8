using System.Text;
using System.Text.Json;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;
using static Serverless.Tests.Monitoring.Logging.ColumnarBlocks;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>The columnar block format: every field read back as written, from new blocks and from blocks of the earlier JSON format.</summary>
public sealed class ColumnarBlockFormatTests
{
    private static readonly string[] NumberTexts =
    [
        "0", "1", "-1", "0.1", "-1.23457", "61.5", "1E-07", "1e+21", "123456789012345678", "0.30000001192092896",
        "1.7976931348623157E+308", "5E-324", "-0.0", "1234567.125", "0.000001", "99999999999999.99",
    ];

    [Fact]
    public void RoundTrip_EveryFieldAndValueKind_ReadsBackAsWritten()
    {
        var records = new List<InferenceLogRecord>
        {
            Record("req-1", 0, Values("""{"age": 25, "city": "Oslo", "score": null, "flag": true, "off": false, "vec": [1, 2.5, -3], "obj": {"a": [1, "x"]}, "mixed": [1, "NaN"]}"""),
                outputs: Values("""{"scores": [0.25, 0.75]}"""), label: "yes", probability: 0.75),
            Record("req-1", 1, Values("""{"age": 61.5, "city": "Bergen", "score": 3, "flag": false, "off": true, "vec": [], "obj": {}, "mixed": []}"""),
                outputs: Values("""{"scores": [0.5, 0.5]}"""), label: "no", probability: 0.5, mirror: true),
            Record("req-2", 0, Values("""{"x0": "Infinity", "x1": 1e-7}"""), version: "2", outputs: Values("""{"y": 1.5}"""), value: 1.5,
                source: InferenceLogSource.Infer),
            Failure("req-3", 503, "model busy: \u00e6\u00f8\u00e5 \"quoted\""),
            Record("req-4", 0, new Dictionary<string, JsonElement>()) with { Truncated = true, Probability = 0.125, Value = -2 },
        };

        var entity = Columnar(records);
        var read = InferenceLogBlockFormat.ReadRecords(entity);

        Assert.Equal(InferenceLogBlockFormat.FormatName, entity.GetString(InferenceLogBlockFormat.FormatProperty));
        Assert.Equal(string.Join("\n", records.Select(Describe)), string.Join("\n", read.Select(Describe)));
        Assert.Equal(["age", "city", "score", "flag", "off", "vec", "obj", "mixed"], read[0].Features.Keys);
        Assert.Equal(JsonValueKind.Null, read[0].Features["score"].ValueKind);
        Assert.Equal([0.25, 0.75], read[0].Outputs!["scores"].EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(503, read[3].StatusCode);
        Assert.Null(read[3].Outputs);
        Assert.Empty(read[4].Features);
    }

    [Fact]
    public void Numbers_ReadBackAsTheExactDoubleTheirTextParsesTo()
    {
        var features = string.Join(",", NumberTexts.Select((t, i) => $"\"n{i}\": {t}"));
        var record = Record("req", 0, Values("{" + features + "}"), probability: 0.1, value: 1e-300) with { LatencyMs = 12.3456 };

        var read = InferenceLogBlockFormat.ReadColumns(Columnar([record])).Single();

        for (var i = 0; i < NumberTexts.Length; i++)
        {
            var expected = JsonDocument.Parse(NumberTexts[i]).RootElement.GetDouble();
            var column = read.Features.Find($"n{i}")!;
            Assert.Equal(LoggedKind.Number, column.Kind(0));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(column.Number(0)));
        }

        Assert.Equal(0.1, read.Probabilities[0]);
        Assert.Equal(1e-300, read.Values[0]);
        Assert.Equal(12.3456, read.LatencyMs[0]);
    }

    [Fact]
    public void RowsWithDifferentFeatures_KeepTheirOwnNamesAndOrder_AndAbsentIsNotNull()
    {
        var records = new List<InferenceLogRecord>
        {
            Record("a", 0, Values("""{"age": 1, "city": "Oslo"}""")),
            Record("b", 0, Values("""{"city": "Bergen", "age": 2}""")),
            Record("c", 0, Values("""{"age": null}""")),
            Record("d", 0, Values("""{"other.shape": "[1,2]", "other.count": 2}""")),
            Record("e", 0, Values("""{"age": 5, "city": "Oslo"}""")),
        };

        var block = InferenceLogBlockFormat.ReadColumns(Columnar(records)).Single();
        var read = block.ToRecords();

        Assert.Equal(records.Select(Describe), read.Select(Describe));
        Assert.Equal(["city", "age"], read[1].Features.Keys);
        Assert.False(read[2].Features.ContainsKey("city"));
        var city = block.Features.Find("city")!;
        Assert.Equal([LoggedKind.String, LoggedKind.String, LoggedKind.Absent, LoggedKind.Absent, LoggedKind.String], city.Kinds.ToArray());
        Assert.Equal([LoggedKind.Number, LoggedKind.Number, LoggedKind.Null, LoggedKind.Absent, LoggedKind.Number], block.Features.Find("age")!.Kinds.ToArray());
        Assert.Equal(1, block.Features.Layout(3).Length == 2 ? 1 : 0);
    }

    [Fact]
    public void Categories_AreDictionaryEncoded_OneSharedStringPerDistinctValue()
    {
        var cities = new[] { "Oslo", "Bergen", "Oslo", "Trondheim", "Oslo", "Bergen" };
        var records = cities.Select((c, i) => Record($"r{i}", 0, Values($$"""{"city": "{{c}}", "n": {{i}}}"""))).ToList();

        var block = InferenceLogBlockFormat.ReadColumns(Columnar(records)).Single();
        var city = block.Features.Find("city")!;

        Assert.Equal(["Oslo", "Bergen", "Trondheim"], city.Texts);
        Assert.Equal([0, 1, 0, 2, 0, 1], Enumerable.Range(0, cities.Length).Select(city.TextCode));
        Assert.Same(city.Text(0), city.Text(2));
        Assert.Equal(cities, Enumerable.Range(0, cities.Length).Select(city.Category));
        Assert.Equal("3", block.Features.Find("n")!.Category(3));
        Assert.Same(block.Versions[0], block.Versions[5]);
    }

    [Fact]
    public void JsonBlock_OfTheEarlierFormat_ReadsAsRecordsAndAsColumns_LikeTheSameRecordsInColumns()
    {
        var records = new List<InferenceLogRecord>
        {
            Record("a", 0, Values("""{"age": 25.5, "city": "Oslo"}"""), outputs: Values("""{"scores": [0.25, 0.75]}"""), label: "yes", probability: 0.75),
            Record("a", 1, Values("""{"age": null, "city": "Bergen"}"""), mirror: true),
            Failure("b", 400),
        };
        var old = JsonBlock(records);

        var asRecords = InferenceLogBlockFormat.ReadRecords(old);
        var asColumns = InferenceLogBlockFormat.ReadColumns(old).Single();

        Assert.Equal(string.Join("\n", records.Select(Describe)), string.Join("\n", asRecords.Select(Describe)));
        Assert.Equal(records.Select(Describe), asColumns.ToRecords().Select(Describe));
        Assert.Equal(InferenceLogBlockFormat.ReadColumns(Columnar(records)).Single().ToRecords().Select(Describe), asColumns.ToRecords().Select(Describe));
        Assert.Equal(0.75, asColumns.Outputs.Find("scores")!.Array(0)[1]);
    }

    [Fact]
    public void JsonBlock_BadJson_IsInvalidDataNamingTheEntity()
    {
        var old = JsonBlock(Encoding.UTF8.GetBytes("""[{"id": "a", "row": 0, "f": {"x": 1}}, {"id": """));

        var records = Assert.Throws<InvalidDataException>(() => InferenceLogBlockFormat.ReadRecords(old));
        var columns = Assert.Throws<InvalidDataException>(() => InferenceLogBlockFormat.ReadColumns(old));

        Assert.Contains("pk/old", records.Message);
        Assert.Contains("pk/old", columns.Message);
    }

    [Fact]
    public void TruncatedPayload_AtEveryLength_IsInvalidData()
    {
        var entity = Columnar(Enumerable.Range(0, 20).Select(i =>
            Record($"r{i}", i % 3, Values($$"""{"a": {{i}}.5, "b": "c{{i % 4}}", "v": [{{i}}, 1]}"""), outputs: Values("""{"scores": [0.5, 0.5]}"""), label: "x")));
        var payload = Payload(entity);

        for (var length = 0; length < payload.Length; length++)
        {
            var cut = WithPayload(entity, payload.AsSpan(0, length));
            var error = Assert.Throws<InvalidDataException>(() => InferenceLogBlockFormat.ReadColumns(cut));
            Assert.Contains("pk/", error.Message);
        }

        Assert.Equal(20, InferenceLogBlockFormat.ReadColumns(WithPayload(entity, payload)).Single().Count);
    }

    [Fact]
    public void CorruptPayload_AnyFlippedByte_ReadsOrIsInvalidData_NeverAnotherError()
    {
        var entity = Columnar(Enumerable.Range(0, 12).Select(i =>
            Record($"r{i}", i % 2, Values($$$"""{"a": {{{i}}}, "b": "c{{{i % 3}}}", "v": [{{{i}}}], "o": {"k": 1}}"""), label: "x", probability: 0.5)));
        var payload = Payload(entity);
        var random = new Random(7);

        for (var i = 0; i < payload.Length; i++)
        {
            foreach (var value in new byte[] { (byte)(payload[i] ^ 0xFF), (byte)random.Next(256), 0x80 })
            {
                var corrupt = (byte[])payload.Clone();
                corrupt[i] = value;
                try
                {
                    foreach (var block in InferenceLogBlockFormat.ReadColumns(WithPayload(entity, corrupt)))
                    {
                        _ = block.ToRecords().Select(Describe).ToList();
                    }
                }
                catch (InvalidDataException)
                {
                }
            }
        }
    }

    [Fact]
    public void UnknownFormatOrNotCompressed_IsInvalidData()
    {
        var entity = Columnar([Record("a", 0, Values("""{"x": 1}"""))]);
        var unknown = new Azure.Data.Tables.TableEntity(entity) { [InferenceLogBlockFormat.FormatProperty] = "parquet-9" };
        var garbage = new Azure.Data.Tables.TableEntity(entity) { [InferenceLogBlockFormat.DataProperty] = new byte[] { 1, 2, 3, 4 } };
        var noMarker = WithPayload(entity, "not columns"u8);

        Assert.Contains("parquet-9", Assert.Throws<InvalidDataException>(() => InferenceLogBlockFormat.ReadColumns(unknown)).Message);
        Assert.Throws<InvalidDataException>(() => InferenceLogBlockFormat.ReadRecords(garbage));
        Assert.Contains("marker", Assert.Throws<InvalidDataException>(() => InferenceLogBlockFormat.ReadColumns(noMarker)).Message);
    }

    [Fact]
    public void TypicalRows_TakeFewerBytesThanTheJsonFormat()
    {
        var random = new Random(5);
        var records = Enumerable.Range(0, 2_000).Select(i =>
        {
            var features = string.Join(",", Enumerable.Range(0, 15).Select(f => $"\"n{f}\": {(float)Math.Round(random.NextDouble() * 4 - 2, 5)}")
                .Concat(Enumerable.Range(0, 5).Select(f => $"\"c{f}\": \"{(char)('a' + random.Next(6))}\"")));
            var p = (float)Math.Round(random.NextDouble(), 4);
            return Record($"{Guid.NewGuid():N}", i % 10, Values("{" + features + "}"), outputs: Values($"{{\"scores\": [{1 - p}, {p}]}}"), label: p >= 0.5 ? "1" : "0",
                probability: p);
        }).ToList();

        var columnar = Columnar(records).GetBinary(InferenceLogBlockFormat.DataProperty)!.Length;
        var json = JsonBlock(records).GetBinary(InferenceLogBlockFormat.DataProperty)!.Length;

        Assert.True(columnar < json * 0.75, $"columnar {columnar} bytes, JSON {json} bytes");
    }

    private static Dictionary<string, JsonElement> Values(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
}
