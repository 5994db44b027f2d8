namespace Serverless.Orchestrations.BatchScoring;

/// <summary>Blob locations written as <c>container/path</c>.</summary>
public static class BlobPaths
{
    public static (string Container, string Name) Split(string path)
    {
        var trimmed = path.Trim('/');
        var slash = trimmed.IndexOf('/');
        return slash <= 0 || slash == trimmed.Length - 1
            ? throw new ArgumentException($"'{path}' is not a blob path of the form container/name.")
            : (trimmed[..slash], trimmed[(slash + 1)..]);
    }

    public static string Combine(string prefix, string name) => prefix.TrimEnd('/') + "/" + name;
}
