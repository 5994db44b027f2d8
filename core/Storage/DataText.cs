namespace Serverless.Core.Storage;

/// <summary>
/// How error messages quote what a caller sent or named: each value cut to <see cref="MaxQuoted"/> characters, lists
/// cut to <see cref="MaxListed"/> items, so an answer never echoes a large or hostile input back. Thread-safe.
/// </summary>
public static class DataText
{
    public const int MaxQuoted = 40;
    public const int MaxListed = 20;

    /// <summary>The value in single quotes, cut to <see cref="MaxQuoted"/> characters with an ellipsis; control characters shown as '?'.</summary>
    public static string Quote(string? value)
    {
        value ??= string.Empty;
        var cut = value.Length <= MaxQuoted ? value : value[..MaxQuoted] + "...";
        return "'" + string.Create(cut.Length, cut, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = char.IsControl(text[i]) ? '?' : text[i];
            }
        }) + "'";
    }

    /// <summary>Each value quoted, comma separated, at most <see cref="MaxListed"/> of them and "and N more".</summary>
    public static string List(IEnumerable<string> values)
    {
        var all = values as IReadOnlyCollection<string> ?? values.ToList();
        var shown = string.Join(", ", all.Take(MaxListed).Select(Quote));
        return all.Count > MaxListed ? $"{shown} and {all.Count - MaxListed} more" : shown;
    }
}
