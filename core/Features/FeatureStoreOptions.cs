using System.ComponentModel.DataAnnotations;
using Serverless.Core.Storage;

namespace Serverless.Core.Features;

/// <summary>Settings of the feature store (configuration section <c>FeatureStore</c>), validated at start-up.</summary>
public sealed class FeatureStoreOptions
{
    public const string SectionName = "FeatureStore";

    /// <summary>Table of feature set declarations: one row per set version.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string SetsTable { get; set; } = AppStorageNames.FeatureSetsTable;

    /// <summary>Table of the online store: one row per entity key and set version, each feature with its event time.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string OnlineTable { get; set; } = AppStorageNames.FeatureOnlineTable;

    /// <summary>Blob container of the history: every accepted row, append-only, partitioned by set, version and event date.</summary>
    [Required, ContainerName]
    public string HistoryContainer { get; set; } = AppStorageNames.FeatureHistoryContainer;

    /// <summary>
    /// Seconds an online lookup is reused in process before storage is read again (0: every request reads storage).
    /// Writes through this instance drop the keys they wrote at once; other instances' writes are seen within this window.
    /// TTLs are judged at serving time, so a cached value still expires on time.
    /// </summary>
    [Range(0, 3600)]
    public int CacheSeconds { get; set; } = 5;

    /// <summary>Entities the in-process cache holds at most; past it, stale entries go first, then everything.</summary>
    [Range(1, 10_000_000)]
    public int MaxCachedEntities { get; set; } = 100_000;

    /// <summary>Rows one <c>POST .../rows</c> may carry (a larger load belongs to materialisation).</summary>
    [Range(1, 100_000)]
    public int MaxRowsPerWrite { get; set; } = 1_000;

    /// <summary>
    /// History rows one point-in-time join may read per feature set (the rows of the event dates it can use, whichever keys they hold);
    /// past it the join is refused (BadRequest naming the set and this setting), which bounds its time and memory.
    /// </summary>
    [Range(1, 100_000_000)]
    public long MaxJoinHistoryRows { get; set; } = 5_000_000;
}
