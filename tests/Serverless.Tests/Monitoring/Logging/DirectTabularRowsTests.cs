using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;
using Serverless.Core.Monitoring.Logging.Blocks.Columns;
using Serverless.Core.Tabular;

namespace Serverless.Tests.Monitoring.Logging;

/// <summary>Records API rows written straight into columns read back exactly as the same rows written as JSON and read into columns.</summary>
public sealed class DirectTabularRowsTests
{
    [Fact]
    public void DirectRows_ReadBackAsTheirJsonWould_ValueForValue()
    {
        using var harness = new LoggingHarness();
        var random = new Random(11);
        var ages = new[] { "0.1", "-1.2345678", "1e-7", "123456789", "61.5", "3.4028235e38", null, "" };
        var cities = new[] { "Oslo", "", null, new string('x', 300) };
        for (var i = 0; i < 200; i++)
        {
            var rows = 1 + (i % 3);
            var batch = new FeatureBatch(Captures.Schema, rows);
            var predictions = new TabularPrediction[rows];
            for (var r = 0; r < rows; r++)
            {
                Assert.True(batch.AddRow(new Dictionary<string, string?>
                {
                    ["age"] = ages[random.Next(ages.Length)] ?? (random.NextDouble() * 100).ToString("R", CultureInfo.InvariantCulture),
                    ["city"] = cities[random.Next(cities.Length)],
                }));
                var p = random.NextDouble();
                predictions[r] = (i % 4) switch
                {
                    0 => new TabularPrediction { Label = "yes", Probability = p, Scores = [1 - p, p] },
                    1 => new TabularPrediction { Label = new string('l', 1_500), Probability = (float)p, Scores = [(float)(1 - p), (float)p] },
                    2 => new TabularPrediction { Value = p * 1e6 },
                    _ => new TabularPrediction { Label = "3", Probability = double.NaN },
                };
            }

            var capture = harness.Logger.Begin(InferenceLogSource.Predict, "m", null, $"req-{i}", mirror: i % 7 == 0);
            capture.RecordTabular(Captures.Version("m"), batch, predictions);
            harness.Logger.Complete(capture);
        }

        var direct = new InferenceLogBlocks(harness.Options.TablePrefix, shards: 1);
        var viaJson = new ColumnsBuilder();
        var json = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(json);
        var recordJson = new InferenceLogRecordJson();
        var captured = 0;
        while (harness.Buffer.TryRead(out var capture))
        {
            Assert.True(TabularRows.TryMeasure(capture, 0, out _));
            Assert.Equal(0, direct.Add(capture).Failed);
            for (var row = 0; row < capture.RecordCount; row++)
            {
                json.ResetWrittenCount();
                writer.Reset();
                recordJson.Write(writer, capture, row);
                writer.Flush();
                viaJson.Add(json.WrittenSpan);
                captured++;
            }
        }

        var expected = InferenceLogColumns.Build(viaJson, "m").ToRecords();
        var read = direct.TakeAll().SelectMany(b => InferenceLogBlockFormat.ReadRecords(b.Entity)).ToList();

        Assert.Equal(captured, read.Count);
        Assert.Equal(string.Join("\n", expected.Select(ColumnarBlocks.Describe)), string.Join("\n", read.Select(ColumnarBlocks.Describe)));
        Assert.Contains(read, r => r.Features["city"].ValueKind == JsonValueKind.Null);
        Assert.Contains(read, r => r.Label?.Length == InferenceLogRecordJson.MaxLabelLength);
    }

    [Fact]
    public void RowsPastTheJsonBudget_OrWithNonFiniteScores_AreLeftToTheJsonPath()
    {
        using var harness = new LoggingHarness();
        var wide = harness.Logger.Begin(InferenceLogSource.Predict, "m", null, "wide");
        var batch = new FeatureBatch(Captures.Schema, 1);
        Assert.True(batch.AddRow(new Dictionary<string, string?> { ["age"] = "1", ["city"] = new string('y', 6_000) }));
        wide.RecordTabular(Captures.Version("m"), batch, [new TabularPrediction { Value = 1 }]);
        var infinite = harness.Logger.Begin(InferenceLogSource.Predict, "m", null, "inf");
        infinite.RecordTabular(Captures.Version("m"), Captures.Batch(1), [new TabularPrediction { Label = "a", Scores = [double.PositiveInfinity, 0] }]);

        Assert.False(TabularRows.TryMeasure(wide, 0, out _));
        Assert.False(TabularRows.TryMeasure(infinite, 0, out _));
        Assert.True(TabularRows.TryMeasure(Captures.Tabular(harness.Logger, "m", 1), 0, out var bound));
        Assert.InRange(bound, 100, 2_000);
    }
}
