using System.Globalization;
using Serverless.Core.Errors;

namespace Serverless.Core.Storage;

/// <summary>
/// A blob (or a folder of blobs) in one of the data containers, as a request names it: <c>container/path</c>.
/// The one parser every request reader uses: anything else is a 400 naming the field — a container that is not a
/// data container (the message lists those that are), an absolute URL, a backslash, a control character (C0, DEL,
/// C1) or unpaired surrogate, an empty, <c>.</c> or <c>..</c> path segment, a name over Azure's limits (container
/// 3-63 characters of valid syntax, blob name at most 1,024 characters and 254 segments), or a blob name ending in
/// '.' or '/'. Immutable; thread-safe.
/// </summary>
public sealed record DataPath
{
    public const int MaxBlobNameLength = 1024;
    public const int MaxSegments = 254;

    /// <summary>Room a folder leaves for the names of the files a job writes under it.</summary>
    public const int PrefixHeadroom = 64;

    private DataPath(string container, string name)
    {
        Container = container;
        Name = name;
    }

    public string Container { get; }

    /// <summary>The blob name, or the folder's name without a trailing '/' (empty for the container's root).</summary>
    public string Name { get; }

    /// <summary>A blob: <c>container/path</c>.</summary>
    public static DataPath Parse(string? text, string field, DataContainers containers) => Parse(text, field, containers, folder: false);

    /// <summary>A folder: <c>container</c> or <c>container/prefix</c>, with or without one trailing '/'.</summary>
    public static DataPath ParsePrefix(string? text, string field, DataContainers containers) => Parse(text, field, containers, folder: true);

    /// <summary>Azure's container naming rule in words, for messages.</summary>
    public const string ContainerNameRule = "3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit";

    /// <summary>True for a valid Azure container name: <see cref="ContainerNameRule"/>.</summary>
    public static bool IsValidContainerName(string? name)
    {
        if (name is not { Length: >= 3 and <= 63 } || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The path of <paramref name="relative"/> (e.g. <c>parts/part-00001.csv</c>) under this folder.</summary>
    public DataPath Child(string relative) => new(Container, Name.Length == 0 ? relative : Name + "/" + relative);

    /// <summary>True when <paramref name="blob"/> lies in this folder (at any depth), or is this very path.</summary>
    public bool Contains(DataPath blob) =>
        string.Equals(blob.Container, Container, StringComparison.Ordinal)
        && (Name.Length == 0 || string.Equals(blob.Name, Name, StringComparison.Ordinal) || blob.Name.StartsWith(Name + "/", StringComparison.Ordinal));

    public override string ToString() => Name.Length == 0 ? Container : Container + "/" + Name;

    private static DataPath Parse(string? text, string field, DataContainers containers, bool folder)
    {
        var what = folder ? "a folder as container/prefix" : "a blob as container/path";
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Bad(field, $"is required: {what} in one of the data containers ({string.Join(", ", containers.Names)}).");
        }

        CheckCharacters(text, field);
        if (text.Contains("://", StringComparison.Ordinal) || text.StartsWith("http:", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
        {
            throw Bad(field, $"must be {what} in this app's storage account, not a URL.");
        }

        if (text.Contains('\\', StringComparison.Ordinal))
        {
            throw Bad(field, "contains a backslash; separate folders with '/'.");
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? text : text[..slash];
        var name = slash < 0 ? string.Empty : text[(slash + 1)..];
        if (folder && name.EndsWith('/'))
        {
            name = name[..^1];
        }

        CheckContainer(container, field, containers);
        if (name.Length == 0)
        {
            return folder && (slash < 0 || slash == text.Length - 1)
                ? new DataPath(container, name)
                : throw Bad(field, $"must be {what}: it names no {(folder ? "folder" : "blob")} after the container {DataText.Quote(container)}.");
        }

        CheckName(name, field, folder);
        return new DataPath(container, name);
    }

    private static void CheckCharacters(string text, string field)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x20 || c is >= '\u007F' and <= '\u009F')
            {
                throw Bad(field, $"contains a control character (U+{(int)c:X4} at position {i + 1}).");
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw Bad(field, $"contains an unpaired surrogate (position {i + 1}).");
            }
        }
    }

    private static void CheckContainer(string container, string field, DataContainers containers)
    {
        if (container.Length == 0)
        {
            throw Bad(field, "has an empty path segment: it must start with a container name, not '/'.");
        }

        if (!IsValidContainerName(container))
        {
            throw Bad(field, $"names container {DataText.Quote(container)}, which is not a valid container name ({ContainerNameRule}).");
        }

        if (!containers.Contains(container))
        {
            throw Bad(field, $"names container '{container}', which is not a data container; requests may name only " +
                             $"{string.Join(", ", containers.Names)} ({DataStorageOptions.DataContainersSetting}).");
        }
    }

    private static void CheckName(string name, string field, bool folder)
    {
        var maxLength = folder ? MaxBlobNameLength - PrefixHeadroom : MaxBlobNameLength;
        if (name.Length > maxLength)
        {
            throw Bad(field, string.Create(CultureInfo.InvariantCulture,
                $"has a {(folder ? "folder" : "blob")} name of {name.Length} characters; at most {maxLength} are allowed (Azure's limit is {MaxBlobNameLength})."));
        }

        var segments = 0;
        foreach (var segment in name.Split('/'))
        {
            segments++;
            if (segment.Length == 0)
            {
                throw Bad(field, "has an empty path segment ('//'" + (name.EndsWith('/') ? " or a trailing '/': name a blob, not a folder" : "") + ").");
            }

            if (segment is "." or "..")
            {
                throw Bad(field, "has a '.' or '..' path segment; name the blob by its own path.");
            }
        }

        var maxSegments = folder ? MaxSegments - 2 : MaxSegments;
        if (segments > maxSegments)
        {
            throw Bad(field, string.Create(CultureInfo.InvariantCulture, $"has {segments} path segments; at most {maxSegments} are allowed (Azure's limit is {MaxSegments})."));
        }

        if (name.EndsWith('.'))
        {
            throw Bad(field, "ends with '.'; Azure does not allow a blob name to end with a dot.");
        }
    }

    private static ServingException Bad(string field, string problem) => ServingException.BadRequest($"'{field}' {problem}");
}
