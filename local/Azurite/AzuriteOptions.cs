namespace Serverless.Local.Azurite;

/// <summary>Where Azurite is installed and keeps its data, and the ports it listens on.</summary>
public sealed record AzuriteOptions
{
    /// <summary>The npm package version installed on first use.</summary>
    public const string PackageVersion = "3.37.0";

    public required string InstallDirectory { get; init; }

    /// <summary>Folder for Azurite's data; null keeps everything in memory (tests).</summary>
    public string? DataDirectory { get; init; }

    public int BlobPort { get; init; } = 10000;

    public int QueuePort { get; init; } = 10001;

    public int TablePort { get; init; } = 10002;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
