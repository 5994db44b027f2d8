namespace Serverless.Bench.Routing;

/// <summary>One API at one concurrency: the plain alias, the split chosen at random, the split routed by key, and a 100 % mirror.</summary>
public sealed record RoutingResult(string Api, int Concurrency, Measurement Plain, Measurement Random, Measurement Keyed, Measurement Mirrored)
{
    public double MirroredRatio => Mirrored.RequestsPerSecond / Plain.RequestsPerSecond;

    public double RandomRatio => Random.RequestsPerSecond / Plain.RequestsPerSecond;

    public double KeyedRatio => Keyed.RequestsPerSecond / Plain.RequestsPerSecond;

    /// <summary>The larger throughput loss of the two split variants against the plain alias.</summary>
    public double WorstLoss => 1 - Math.Min(RandomRatio, KeyedRatio);
}
