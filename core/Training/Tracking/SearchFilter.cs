using Serverless.Core.Errors;
using Serverless.Core.Storage;

namespace Serverless.Core.Training.Tracking;

/// <summary>What a search identifier names: a metric, a param, a tag or an attribute of the entity.</summary>
public enum SearchField
{
    Metric,
    Param,
    Tag,
    Attribute,
}

/// <summary>One identifier of a filter or order_by: its kind and key (an attribute's canonical name).</summary>
public readonly record struct SearchKey(SearchField Field, string Key);

/// <summary>One comparison of a filter: identifier, comparator (upper case) and value (a double, a string or a list of strings).</summary>
public sealed record SearchClause(SearchKey Key, string Comparator, object Value);

/// <summary>
/// What a search may name: the attributes of its entity (each numeric or text, with its aliases) and whether metrics and
/// params exist for it (runs) or only tags (experiments, registered models).
/// </summary>
public sealed record SearchTarget(string Entity, IReadOnlyDictionary<string, (string Canonical, bool Numeric)> Attributes, bool HasMetricsAndParams)
{
    public static SearchTarget Runs { get; } = new("run", new Dictionary<string, (string, bool)>(StringComparer.Ordinal)
    {
        ["run_id"] = ("run_id", false), ["run_name"] = ("run_name", false), ["status"] = ("status", false), ["user_id"] = ("user_id", false),
        ["artifact_uri"] = ("artifact_uri", false), ["start_time"] = ("start_time", true), ["end_time"] = ("end_time", true),
        ["created"] = ("start_time", true), ["Created"] = ("start_time", true),
    }, HasMetricsAndParams: true);

    public static SearchTarget Experiments { get; } = new("experiment", new Dictionary<string, (string, bool)>(StringComparer.Ordinal)
    {
        ["name"] = ("name", false), ["experiment_id"] = ("experiment_id", true), ["creation_time"] = ("creation_time", true),
        ["last_update_time"] = ("last_update_time", true),
    }, HasMetricsAndParams: false);

    public static SearchTarget RegisteredModels { get; } = new("registered model", new Dictionary<string, (string, bool)>(StringComparer.Ordinal)
    {
        ["name"] = ("name", false), ["creation_timestamp"] = ("creation_timestamp", true), ["last_updated_timestamp"] = ("last_updated_timestamp", true),
    }, HasMetricsAndParams: false);

    public static SearchTarget ModelVersions { get; } = new("model version", new Dictionary<string, (string, bool)>(StringComparer.Ordinal)
    {
        ["name"] = ("name", false), ["version_number"] = ("version_number", true), ["run_id"] = ("run_id", false), ["source"] = ("source", false),
        ["creation_timestamp"] = ("creation_timestamp", true), ["last_updated_timestamp"] = ("last_updated_timestamp", true),
    }, HasMetricsAndParams: false);
}

/// <summary>
/// MLflow's search filter (<c>metrics.rmse &lt; 1 AND params.model = 'tree' AND tags.`team x` LIKE 'a%' AND attributes.status != 'FAILED'</c>):
/// clauses joined by AND; identifiers <c>metrics.</c>, <c>params.</c>, <c>tags.</c>, <c>attributes.</c> (and MLflow's other spellings)
/// with a bare, backticked or double-quoted key; comparators =, !=, &lt;, &lt;=, &gt;, &gt;= on numbers and =, !=, LIKE, ILIKE, IN,
/// NOT IN on text; values are numbers or quoted strings. An entity without the key named does not match. Any other text is a
/// BadRequest naming where it went wrong. Immutable once parsed; thread-safe.
/// </summary>
public sealed class SearchFilter
{
    private static readonly string[] NumericComparators = ["=", "!=", "<", "<=", ">", ">="];
    private static readonly string[] TextComparators = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];

    private SearchFilter(IReadOnlyList<SearchClause> clauses)
    {
        Clauses = clauses;
    }

    public IReadOnlyList<SearchClause> Clauses { get; }

    public static SearchFilter Parse(string? filter, SearchTarget target)
    {
        var clauses = new List<SearchClause>();
        if (string.IsNullOrWhiteSpace(filter))
        {
            return new SearchFilter(clauses);
        }

        var reader = new SearchTokens(filter);
        while (true)
        {
            var key = ParseKey(reader, target);
            var comparator = reader.Comparator();
            var numeric = key.Field == SearchField.Metric || (key.Field == SearchField.Attribute && target.Attributes[key.Key].Numeric);
            var allowed = numeric ? NumericComparators : TextComparators;
            if (key.Field is SearchField.Param or SearchField.Tag)
            {
                allowed = ["=", "!=", "LIKE", "ILIKE"];
            }

            if (!allowed.Contains(comparator, StringComparer.Ordinal))
            {
                throw ServingException.BadRequest(
                    $"Invalid comparator '{comparator}' for {Describe(key)} in the filter: use one of {string.Join(", ", allowed)}.");
            }

            object value = comparator is "IN" or "NOT IN" ? reader.StringList()
                : numeric ? reader.Number(Describe(key))
                : reader.QuotedString(Describe(key));
            clauses.Add(new SearchClause(key, comparator, value));
            if (reader.AtEnd)
            {
                return new SearchFilter(clauses);
            }

            reader.And();
        }
    }

    /// <summary>An order_by entry: <c>identifier [ASC|DESC]</c>.</summary>
    public static (SearchKey Key, bool Ascending) ParseOrderBy(string entry, SearchTarget target)
    {
        var reader = new SearchTokens(entry);
        var key = ParseKey(reader, target);
        var ascending = true;
        if (!reader.AtEnd)
        {
            var direction = reader.Word().ToUpperInvariant();
            ascending = direction switch
            {
                "ASC" => true,
                "DESC" => false,
                _ => throw ServingException.BadRequest($"Invalid order_by {DataText.Quote(entry)}: the direction must be ASC or DESC."),
            };
        }

        return reader.AtEnd ? (key, ascending) : throw ServingException.BadRequest($"Invalid order_by {DataText.Quote(entry)}: expected 'key [ASC|DESC]'.");
    }

    /// <summary>Whether an entity matches every clause; <paramref name="lookup"/> gives the entity's value (double or string) or null when it has none.</summary>
    public bool Matches(Func<SearchKey, object?> lookup) => Clauses.All(c => Matches(c, lookup(c.Key)));

    private static bool Matches(SearchClause clause, object? actual) => (actual, clause.Value) switch
    {
        (null, _) => false,
        (double a, double v) => clause.Comparator switch
        {
            "=" => a == v,
            "!=" => a != v,
            "<" => a < v,
            "<=" => a <= v,
            ">" => a > v,
            _ => a >= v,
        },
        (string a, IReadOnlyList<string> list) => list.Contains(a, StringComparer.Ordinal) == (clause.Comparator == "IN"),
        (string a, string v) => clause.Comparator switch
        {
            "=" => a == v,
            "!=" => a != v,
            "LIKE" => SqlLike.Matches(a, v, ignoreCase: false),
            _ => SqlLike.Matches(a, v, ignoreCase: true),
        },
        _ => false,
    };

    private static SearchKey ParseKey(SearchTokens reader, SearchTarget target)
    {
        var (prefix, key) = reader.Identifier();
        var field = prefix?.ToLowerInvariant() switch
        {
            "metric" or "metrics" when target.HasMetricsAndParams => SearchField.Metric,
            "param" or "params" or "parameter" or "parameters" when target.HasMetricsAndParams => SearchField.Param,
            "tag" or "tags" => SearchField.Tag,
            null or "attribute" or "attributes" or "attr" or "run" => SearchField.Attribute,
            _ => throw ServingException.BadRequest(
                $"Invalid entity type {DataText.Quote(prefix)} in the search: a {target.Entity} is searched by " +
                (target.HasMetricsAndParams ? "metrics., params., tags. or attributes." : "tags. or its attributes") + "."),
        };
        if (field != SearchField.Attribute)
        {
            return new SearchKey(field, key);
        }

        return target.Attributes.TryGetValue(key, out var attribute)
            ? new SearchKey(field, attribute.Canonical)
            : throw ServingException.BadRequest(
                $"Invalid attribute key {DataText.Quote(key)} specified. Valid keys are {DataText.List(target.Attributes.Keys.Where(k => k != "Created"))}.");
    }

    private static string Describe(SearchKey key) => $"{key.Field.ToString().ToLowerInvariant()} {DataText.Quote(key.Key)}";
}
