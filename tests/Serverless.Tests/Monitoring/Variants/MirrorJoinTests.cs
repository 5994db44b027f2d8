using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Monitor;
using Serverless.Core.Monitoring.Variants;

namespace Serverless.Tests.Monitoring.Variants;

/// <summary>Mirror copies paired with the primaries' rows on (request id, row), in any order, within bounded samples.</summary>
public sealed class MirrorJoinTests
{
    [Fact]
    public void Build_MirrorLabels_AgreeByPrimaryAndCountTheMirrorsFailures()
    {
        var join = new MirrorJoin(WindowLimits.Default, new RowSampler(3));
        var records = new List<InferenceLogRecord>();
        for (var i = 0; i < 100; i++)
        {
            var primary = i < 60 ? "1" : "2";
            records.Add(VariantData.Served(primary, $"r{i}", label: "1"));
            if (i < 90)
            {
                // Agrees on 1..: disagrees on every tenth of version 1's and every fifth of version 2's.
                var agrees = primary == "1" ? i % 10 != 0 : i % 5 != 0;
                records.Add(VariantData.Served("5", $"r{i}", label: agrees ? "1" : "0", mirror: true, latencyMs: 1));
            }
        }

        records.AddRange(Enumerable.Range(90, 10).Select(i => VariantData.Failed("5", $"r{i}", mirror: true)));
        records.Add(VariantData.Served("5", "never-answered", label: "1", mirror: true));
        records.Reverse(); // Mirror copies may be read before the rows they copy.
        foreach (var record in records)
        {
            join.Add(record);
        }

        var mirror = Assert.Single(join.Build());

        Assert.Equal(("5", 101L, 10L, 91L, false), (mirror.Mirror, mirror.Requests, mirror.Errors, mirror.Rows, mirror.Sampled));
        Assert.Equal(10.0 / 101, mirror.ErrorRate!.Value, 12);
        Assert.Equal(["1", "2"], mirror.Primaries.Select(p => p.Primary));
        var (one, two) = (mirror.Primaries[0], mirror.Primaries[1]);
        Assert.Equal((60L, 60L), (one.PairedRows, one.LabelPairs));
        Assert.Equal(Proportions.Wilson(54, 60), one.Agreement);
        Assert.Equal((30L, 30L), (two.PairedRows, two.LabelPairs));
        Assert.Equal(24.0 / 30, two.Agreement!.Value, 12);
        Assert.Equal(0, one.ValuePairs);
        Assert.Null(one.MeanAbsoluteDifference);
    }

    [Fact]
    public void Build_MirrorValues_GiveMeanAbsoluteDifferenceAndCorrelation()
    {
        var join = new MirrorJoin(WindowLimits.Default, new RowSampler(3));
        double[] primary = [1, 2, 3, 4, 5];
        double[] mirror = [2, 4, 5, 4, 5];
        for (var i = 0; i < primary.Length; i++)
        {
            join.Add(VariantData.Served("1", $"r{i}", value: primary[i]));
            join.Add(VariantData.Served("2", $"r{i}", value: mirror[i], mirror: true));
        }

        var pairing = Assert.Single(Assert.Single(join.Build()).Primaries);

        Assert.Equal((5L, 0L, 5L), (pairing.PairedRows, pairing.LabelPairs, pairing.ValuePairs));
        Assert.Equal(1.0, pairing.MeanAbsoluteDifference!.Value, 12);
        // pearsonr([1,2,3,4,5],[2,4,5,4,5]) in reference_values.py.
        Assert.Equal(0.7745966692414834, pairing.Correlation!.Value, 12);
    }

    [Fact]
    public void Build_MoreRowsThanTheSample_PairsTheCoordinatedSampleAndSaysSo()
    {
        var join = new MirrorJoin(new WindowLimits(1_000, 1_000, 1_000), new RowSampler(11));
        for (var i = 0; i < 5_000; i++)
        {
            join.Add(VariantData.Served("1", $"r{i}", label: "1"));
            join.Add(VariantData.Served("2", $"r{i}", label: "1", mirror: true));
        }

        var mirror = Assert.Single(join.Build());

        Assert.True(mirror.Sampled);
        Assert.Equal(5_000, mirror.Rows);
        var pairing = Assert.Single(mirror.Primaries);
        Assert.Equal(1_000, pairing.PairedRows); // Every row mirrored: the two samples hold the same rows.
        Assert.Equal(1.0, pairing.Agreement!.Value);
    }

    [Fact]
    public void Build_NoMirrorCopies_IsEmpty()
    {
        var join = new MirrorJoin(WindowLimits.Default, new RowSampler(3));
        join.Add(VariantData.Served("1", "r", label: "1"));

        Assert.Empty(join.Build());
    }
}
