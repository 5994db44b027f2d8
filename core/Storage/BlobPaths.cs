namespace Serverless.Core.Storage;

/// <summary>Blob locations written as <c>container/path</c> strings (already checked by <see cref="DataPath"/>).</summary>
public static class BlobPaths
{
    /// <summary><paramref name="prefix"/> and <paramref name="name"/> joined by one '/'.</summary>
    public static string Combine(string prefix, string name) => prefix.TrimEnd('/') + "/" + name;
}
