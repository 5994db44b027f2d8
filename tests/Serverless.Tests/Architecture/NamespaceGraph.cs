using System.Text.RegularExpressions;

namespace Serverless.Tests.Architecture;

/// <summary>
/// The namespace dependency graph of a C# source tree, read from its files: namespace A depends on namespace B when a
/// file of A names a type that B declares, through a <c>using</c> of B, an enclosing namespace, or a qualified name
/// (<c>Serverless.Core.B.T</c>, or <c>B.T</c> relative to A's namespace). Comments and string literals are ignored,
/// and a <c>using</c> counts only when the file names one of that namespace's types.
/// </summary>
internal sealed partial class NamespaceGraph
{
    private NamespaceGraph(IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> edges) => Edges = edges;

    /// <summary>For each namespace, the namespaces it depends on, each with the files (relative paths) that make the dependency.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Edges { get; }

    public static NamespaceGraph FromSources(string root)
    {
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: Path.GetRelativePath(root, f), Code: Strip(File.ReadAllText(f))))
            .Select(f => (f.Path, f.Code, Namespace: NamespaceDeclaration().Match(f.Code) is { Success: true } m ? m.Groups[1].Value : string.Empty))
            .ToList();

        var types = files.GroupBy(f => f.Namespace)
            .ToDictionary(g => g.Key, g => g.SelectMany(f => TypeDeclaration().Matches(f.Code).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal));
        var edges = new Dictionary<string, Dictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        void Add(string from, string to, string path)
        {
            if (from == to)
            {
                return;
            }

            if (!edges.TryGetValue(from, out var targets))
            {
                edges[from] = targets = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            }

            if (!targets.TryGetValue(to, out var paths))
            {
                targets[to] = paths = new SortedSet<string>(StringComparer.Ordinal);
            }

            paths.Add(path);
        }

        foreach (var (path, code, ns) in files)
        {
            var body = UsingDirective().Replace(code, string.Empty);
            var names = Identifier().Matches(body).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            var parts = ns.Split('.');
            var imported = UsingDirective().Matches(code).Select(m => m.Groups[1].Value)
                .Concat(Enumerable.Range(1, parts.Length - 1).Select(i => string.Join('.', parts[..i])));
            foreach (var import in imported)
            {
                if (types.TryGetValue(import, out var declared) && declared.Overlaps(names))
                {
                    Add(ns, import, path);
                }
            }

            foreach (Match reference in QualifiedName().Matches(body))
            {
                var qualifier = reference.Groups[1].Value.TrimEnd('.');
                var type = reference.Groups[2].Value;
                for (var i = parts.Length; i >= 0; i--)
                {
                    var candidate = i == 0 ? qualifier : string.Join('.', parts[..i]) + "." + qualifier;
                    if (types.TryGetValue(candidate, out var declared))
                    {
                        if (declared.Contains(type))
                        {
                            Add(ns, candidate, path);
                        }

                        break;
                    }
                }
            }
        }

        return new NamespaceGraph(edges.ToDictionary(
            e => e.Key,
            e => (IReadOnlyDictionary<string, IReadOnlyList<string>>)e.Value.ToDictionary(t => t.Key, t => (IReadOnlyList<string>)t.Value.ToList()),
            StringComparer.Ordinal));
    }

    /// <summary>The strongly connected components with more than one namespace: each is a set of namespaces that depend on each other in a cycle.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        // Tarjan's algorithm, iterative enough for a few dozen namespaces.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<IReadOnlyList<string>>();
        var next = 0;

        void Visit(string node)
        {
            index[node] = low[node] = next++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var target in Edges.TryGetValue(node, out var targets) ? targets.Keys : [])
            {
                if (!index.ContainsKey(target))
                {
                    Visit(target);
                    low[node] = Math.Min(low[node], low[target]);
                }
                else if (onStack.Contains(target))
                {
                    low[node] = Math.Min(low[node], index[target]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    components.Add(component);
                }
            }
        }

        foreach (var node in Edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }

    /// <summary>Whether <paramref name="from"/> depends on <paramref name="to"/>, directly or through other namespaces.</summary>
    public bool Reaches(string from, string to)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        var pending = new Stack<string>([from]);
        while (pending.TryPop(out var node))
        {
            foreach (var target in Edges.TryGetValue(node, out var targets) ? targets.Keys : [])
            {
                if (target == to)
                {
                    return true;
                }

                if (seen.Add(target))
                {
                    pending.Push(target);
                }
            }
        }

        return false;
    }

    /// <summary>The edges inside one component, as "A -> B (files)" lines.</summary>
    public IEnumerable<string> Describe(IReadOnlyCollection<string> component) =>
        from source in component
        where Edges.ContainsKey(source)
        from edge in Edges[source]
        where component.Contains(edge.Key)
        orderby source, edge.Key
        select $"{source} -> {edge.Key} ({string.Join(", ", edge.Value)})";

    /// <summary>The code without comments, string and character literals (so names in them are not references).</summary>
    private static string Strip(string code)
    {
        code = RawString().Replace(code, "\"\"");
        code = CommentOrLiteral().Replace(code, m => m.Value.StartsWith('/') ? (m.Value.StartsWith("/*", StringComparison.Ordinal) ? " " : string.Empty) : "\"\"");
        return code;
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum|delegate\s+[\w<>\[\],.? ]+?)\s+(?:class\s+|struct\s+)?([A-Za-z_]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\b[A-Za-z_]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"(?<![\w.])((?:[A-Z]\w*\.)+)([A-Z]\w*)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("\"\"\"[\\s\\S]*?\"\"\"")]
    private static partial Regex RawString();

    [GeneratedRegex(@"//[^\n]*|/\*[\s\S]*?\*/|@""(?:[^""]|"""")*""|""(?:[^""\\\n]|\\.)*""|'(?:[^'\\\n]|\\.)+'")]
    private static partial Regex CommentOrLiteral();
}
