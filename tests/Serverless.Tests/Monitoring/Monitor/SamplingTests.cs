using Serverless.Core.Monitoring.Monitor;

namespace Serverless.Tests.Monitoring.Monitor;

/// <summary>The monitor's bounded samples: the keyed hash, bottom-k sampling and bounded category keys.</summary>
public sealed class SamplingTests
{
    private const ulong K0 = 0x0706050403020100UL;
    private const ulong K1 = 0x0F0E0D0C0B0A0908UL;

    [Fact]
    public void SipHash_ReferenceVectors_Match()
    {
        // The SipHash-2-4 paper's vectors: key 00..0f, messages of 0, 1 and 15 bytes 00, 01, ...
        Assert.Equal(0x726fdb47dd0e0e31UL, SipHash.Hash(K0, K1, []));
        Assert.Equal(0x74f839c593dc67fdUL, SipHash.Hash(K0, K1, [0]));
        Assert.Equal(0xa129ca6149be45e5UL, SipHash.Hash(K0, K1, Enumerable.Range(0, 15).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void RowSampler_DependsOnSeedRowAndTime_NotOnInstance()
    {
        var a = new RowSampler(42);
        var b = new RowSampler(42);

        Assert.Equal(a.Priority("req-1", 0, 100), b.Priority("req-1", 0, 100));
        Assert.NotEqual(a.Priority("req-1", 0, 100), new RowSampler(43).Priority("req-1", 0, 100));
        Assert.NotEqual(a.Priority("req-1", 0, 100), a.Priority("req-1", 1, 100));
        Assert.NotEqual(a.Priority("req-1", 0, 100), a.Priority("req-1", 0, 101));
        var longId = new string('x', 5_000);
        Assert.NotEqual(a.Priority(longId, 0, 100), a.Priority(longId + "y", 0, 100));
    }

    [Fact]
    public void PrioritySample_UnderCapacity_KeepsEverythingInOrder()
    {
        var sample = new PrioritySample<int>(10);
        foreach (var i in new[] { 5, 3, 9 })
        {
            sample.Add((ulong)(100 - i), i);
        }

        Assert.False(sample.IsSample);
        Assert.Equal([5, 3, 9], sample.ToArray());
    }

    [Fact]
    public void PrioritySample_OverCapacity_KeepsTheLowestPrioritiesWhateverTheOrder()
    {
        var sampler = new RowSampler(7);
        var items = Enumerable.Range(0, 20_000).Select(i => (Priority: sampler.Priority($"r{i}", 0, 0), Value: i)).ToList();
        var expected = items.OrderBy(x => x.Priority).Take(500).Select(x => x.Value).ToArray();

        var forward = Fill(items);
        var shuffled = Fill(items.OrderBy(x => x.Value * 7919 % 20_011).ToList());

        Assert.True(forward.IsSample);
        Assert.Equal(500, forward.Count);
        Assert.Equal(20_000, forward.Offered);
        Assert.Equal(expected, forward.ToArray());
        Assert.Equal(expected, shuffled.ToArray());

        static PrioritySample<int> Fill(List<(ulong Priority, int Value)> items)
        {
            var sample = new PrioritySample<int>(500);
            foreach (var (priority, value) in items)
            {
                sample.Add(priority, value);
            }

            return sample;
        }
    }

    [Fact]
    public void PrioritySample_OfUniformValues_IsUnbiased()
    {
        var sampler = new RowSampler(11);
        var sample = new PrioritySample<double>(10_000);
        for (var i = 0; i < 1_000_000; i++)
        {
            sample.Add(sampler.Priority("same-id", i, 0), i / 1_000_000.0);
        }

        var values = sample.ToArray();
        Assert.Equal(10_000, values.Length);
        Assert.InRange(values.Average(), 0.49, 0.51); // σ of the mean ≈ 0.003
        Assert.InRange(values.Count(v => v < 0.1), 900, 1_100);
    }

    [Fact]
    public void CategoryKeys_LongValues_AreBoundedDistinctAndStable()
    {
        var a = new string('a', 32_000) + "1";
        var b = new string('a', 32_000) + "2";

        Assert.Equal("short", CategoryKeys.Key("short"));
        Assert.Equal(WindowLimits.MaxCategoryLength, CategoryKeys.Key(a).Length);
        Assert.NotEqual(CategoryKeys.Key(a), CategoryKeys.Key(b));
        Assert.Equal(CategoryKeys.Key(a), CategoryKeys.Key(new string('a', 32_000) + "1"));
        Assert.Equal(CategoryKeys.MaxShownLength, CategoryKeys.Shown(a).Length);
        Assert.Equal(39, CategoryKeys.Shown(new string('a', 38) + "😀" + "tail").Length); // never half a surrogate pair
    }
}
