using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Monitoring.Logging;

/// <summary>
/// Settings of inference logging (configuration section <c>InferenceLog</c>): which predictions are logged
/// (<see cref="SampleRate"/>, per model <c>InferenceLog:SampleRates:{model}</c>), how many records may wait in
/// memory, how often they are written, and where (one table per month, <c>{TablePrefix}{yyyyMM}</c>).
/// </summary>
public sealed class InferenceLogOptions : IValidatableObject
{
    public const string SectionName = "InferenceLog";

    /// <summary>Log predictions at all. Off: nothing is buffered or written; request ids are still returned.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Fraction of requests logged (0 to 1), decided per request id so all rows of a request go together.</summary>
    [Range(0.0, 1.0)]
    public double SampleRate { get; set; } = 1.0;

    /// <summary>Per-model sample rates (model name, case-insensitive, to 0..1) that override <see cref="SampleRate"/>.</summary>
    public Dictionary<string, double> SampleRates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Most records (prediction rows) waiting in memory; beyond it new requests' records are dropped and counted.</summary>
    [Range(1, 10_000_000)]
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>Longest a record waits before it is written (a full block is written at once).</summary>
    [Range(10, 600_000)]
    public int FlushIntervalMs { get; set; } = 1000;

    /// <summary>Partitions per model and hour (request ids are hashed onto them), and concurrent writes.</summary>
    [Range(1, 99)]
    public int Shards { get; set; } = 4;

    /// <summary>Table name prefix; the month (<c>yyyyMM</c>) is appended.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,56}$")]
    public string TablePrefix { get; set; } = "inferencelog";

    /// <summary>Monthly tables whose every record is older than this many days are deleted by <see cref="InferenceLogRetention"/>.</summary>
    [Range(1, 36_500)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>The sample rate that applies to <paramref name="model"/>.</summary>
    public double SampleRateFor(string model) => SampleRates.TryGetValue(model, out var rate) ? rate : SampleRate;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (model, rate) in SampleRates)
        {
            if (!(rate >= 0 && rate <= 1))
            {
                yield return new ValidationResult($"InferenceLog:SampleRates:{model} must be between 0 and 1, not {rate}.", [nameof(SampleRates)]);
            }
        }
    }

    /// <summary>How long a monitoring run or a feedback call waits for this instance's held log records to be written first.</summary>
    public static readonly TimeSpan FlushBeforeReading = TimeSpan.FromSeconds(5);
}
