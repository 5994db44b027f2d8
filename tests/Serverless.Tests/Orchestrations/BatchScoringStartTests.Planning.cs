using System.Text;
using Microsoft.DurableTask;
using Moq;
using Serverless.Orchestrations.BatchScoring;

namespace Serverless.Tests.Orchestrations;

/// <summary>The plan a job's start makes: the same chunks (and counts) as the planning and counting activities, or none.</summary>
public sealed partial class BatchScoringStartTests
{
    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 100)]
    [InlineData(3, 137)]
    [InlineData(4, 1_000)]
    [InlineData(5, 5_000)]
    public async Task CheckAsync_SmallInput_PlansAndCountsAsThePlanningAndCountingActivitiesWould(int seed, int chunkRows)
    {
        Versions(("1", true));
        _blobs["data/in.csv"] = RaggedCsv(seed);
        var request = Request() with { ChunkRows = chunkRows };

        var started = await Starter().CheckAsync(request, default);
        var plan = await Plan().RunAsync(Mock.Of<TaskActivityContext>(), started with { StartPlan = null });
        var counts = new List<long>();
        foreach (var chunk in plan.Chunks)
        {
            counts.Add(await new CountRowsActivity(Reader(null)).RunAsync(Mock.Of<TaskActivityContext>(), new CountWork(request.Input, chunk)));
        }

        Assert.NotNull(started.StartPlan);
        Assert.True(plan.Chunks.Count > (chunkRows < 1_000 ? 3 : 0));
        Assert.Equal(plan.Chunks, started.StartPlan.Plan.Chunks);
        Assert.Equal(counts, started.StartPlan.RowCounts);
        Assert.Equal((plan.Header, plan.InputBytes, plan.ModelVersion, plan.Format),
            (started.StartPlan.Plan.Header, started.StartPlan.Plan.InputBytes, started.StartPlan.Plan.ModelVersion, started.StartPlan.Plan.Format));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1_000)]
    public async Task CheckAsync_RowsCarryIds_PlansTheActivitysChunksWithoutCounting(int chunkRows)
    {
        Versions(("1", true));
        _blobs["data/in.csv"] = RaggedCsv(11);
        var request = Request() with { ChunkRows = chunkRows, IdColumn = "customer_id" };

        var started = await Starter().CheckAsync(request, default);
        var plan = await Plan().RunAsync(Mock.Of<TaskActivityContext>(), started with { StartPlan = null });

        Assert.NotNull(started.StartPlan);
        Assert.Null(started.StartPlan.RowCounts);
        Assert.Equal(plan.Chunks, started.StartPlan.Plan.Chunks);
    }

    [Fact]
    public async Task CheckAsync_RowsCarryIdsInMoreChunksThanTheStartProbes_LeavesPlanningToTheActivities()
    {
        Versions(("1", true));
        var csv = new StringBuilder("customer_id,age,city\n");
        for (var i = 0; i < (BatchStartPlanner.MaxProbedChunks + 1) * BatchChunking.MinChunkRows; i++)
        {
            csv.Append("c").Append(i).Append(",30,Oslo\n");
        }

        _blobs["data/in.csv"] = Encoding.UTF8.GetBytes(csv.ToString());

        var started = await Starter().CheckAsync(Request() with { ChunkRows = BatchChunking.MinChunkRows, IdColumn = "customer_id" }, default);

        Assert.Null(started.StartPlan);
    }

    [Fact]
    public void ChunkCutter_BytesInAnyPieces_CutsTheSameChunks()
    {
        var csv = RaggedCsv(7);
        var whole = Cutter(csv, [csv.Length]);
        var random = new Random(7);

        for (var round = 0; round < 20; round++)
        {
            var pieces = new List<int>();
            for (var left = csv.Length; left > 0;)
            {
                var piece = Math.Min(left, random.Next(1, 300));
                pieces.Add(piece);
                left -= piece;
            }

            var cut = Cutter(csv, pieces);
            Assert.Equal(whole.Chunks, cut.Chunks);
            Assert.Equal(whole.Counts, cut.Counts);
        }

        Assert.Equal(CountRows(csv), whole.Counts.Sum());
    }

    [Fact]
    public async Task CheckAsync_InputOverTheStartPlanLimit_LeavesPlanningToTheActivities()
    {
        Versions(("1", true));
        var row = "c1,30,Oslo\n"u8.ToArray();
        var big = new byte[BatchStartPlanner.MaxBytes + 1];
        Encoding.UTF8.GetBytes("customer_id,age,city\n").CopyTo(big, 0);
        for (var i = 21; i + row.Length <= big.Length; i += row.Length)
        {
            row.CopyTo(big, i);
        }

        _blobs["data/in.csv"] = big;

        var started = await Starter().CheckAsync(Request() with { ChunkRows = 1_000_000 }, default);

        Assert.Null(started.StartPlan);
    }

    private static BatchStartPlanner.ChunkCutter Cutter(byte[] csv, List<int> pieces)
    {
        var dataStart = Array.IndexOf(csv, (byte)'\n') + 1;
        var cutter = new BatchStartPlanner.ChunkCutter(dataStart, 400, csv.Length, 0);
        var offset = dataStart;
        foreach (var piece in pieces)
        {
            var take = Math.Min(piece, csv.Length - offset);
            cutter.Add(csv.AsSpan(offset, take));
            offset += take;
        }

        cutter.End();
        return cutter;
    }

    private static long CountRows(byte[] csv)
    {
        var open = false;
        var rows = CountRowsActivity.CountLines(csv.AsSpan(Array.IndexOf(csv, (byte)'\n') + 1), ref open);
        return open ? rows + 1 : rows;
    }

    /// <summary>A CSV with rows of varied length, blank and whitespace-only lines, CRLF endings and no final newline.</summary>
    private static byte[] RaggedCsv(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("customer_id,age,city\n");
        for (var i = 0; i < 3_000; i++)
        {
            text.Append(random.Next(10) switch
            {
                0 => "\n",
                1 => "  \t\r\n",
                2 => $"c{i},{random.Next(90)},{new string('x', random.Next(200))}\r\n",
                _ => $"c{i},{random.Next(90)},Oslo\n",
            });
        }

        text.Append("last,1,Bergen");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
