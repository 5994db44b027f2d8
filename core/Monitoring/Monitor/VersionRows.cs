using Serverless.Core.Monitoring.Logging;

namespace Serverless.Core.Monitoring.Monitor;

/// <summary>
/// Splits a decoded block's selected rows by the version that served them (a block holds one model's records, most
/// often of one version), reusing its lists from block to block. Not thread-safe.
/// </summary>
internal sealed class VersionRows
{
    private readonly Dictionary<string, List<int>> _rows = new(StringComparer.Ordinal);

    /// <summary>Per version in the block, its selected rows (ascending); valid until the next call.</summary>
    public IEnumerable<(string Version, int[] Rows)> Split(InferenceLogColumns block)
    {
        foreach (var list in _rows.Values)
        {
            list.Clear();
        }

        var versions = block.Versions;
        List<int>? last = null;
        string? lastVersion = null;
        foreach (var row in block.Selected)
        {
            var version = versions[row];
            if (!ReferenceEquals(version, lastVersion))
            {
                if (!_rows.TryGetValue(version, out last))
                {
                    _rows[version] = last = [];
                }

                lastVersion = version;
            }

            last!.Add(row);
        }

        return _rows.Where(v => v.Value.Count > 0).Select(v => (v.Key, v.Value.ToArray())).ToList();
    }
}
