using Serverless.Core.Errors;
using Serverless.Core.Training.Tracking;

namespace Serverless.Tests.Training.Tracking;

public sealed class SearchFilterTests
{
    private static readonly Dictionary<SearchKey, object?> Run = new()
    {
        [new SearchKey(SearchField.Metric, "rmse")] = 0.25,
        [new SearchKey(SearchField.Metric, "train/loss")] = 1.5,
        [new SearchKey(SearchField.Param, "model")] = "tree",
        [new SearchKey(SearchField.Tag, "team name")] = "Alpha",
        [new SearchKey(SearchField.Attribute, "status")] = "FINISHED",
        [new SearchKey(SearchField.Attribute, "start_time")] = 1000.0,
    };

    [Theory]
    [InlineData("metrics.rmse < 0.3", true)]
    [InlineData("metrics.rmse >= 0.3", false)]
    [InlineData("metric.rmse = 0.25 AND params.model = 'tree'", true)]
    [InlineData("metrics.`train/loss` > 1", true)]
    [InlineData("metrics.\"train/loss\" <= 1", false)]
    [InlineData("params.model != 'tree'", false)]
    [InlineData("params.model LIKE 't%e'", true)]
    [InlineData("params.model LIKE 'T%'", false)]
    [InlineData("params.model ILIKE 'T_EE'", true)]
    [InlineData("tags.`team name` = 'Alpha'", true)]
    [InlineData("attributes.status IN ('FAILED', 'FINISHED')", true)]
    [InlineData("attribute.status NOT IN ('FINISHED')", false)]
    [InlineData("status = \"FINISHED\" and created > 999", true)]
    [InlineData("metrics.absent < 1", false)]
    [InlineData("params.absent != 'x'", false)]
    [InlineData("metrics.rmse <> 0.25", false)]
    [InlineData("metrics.rmse = 2.5e-1", true)]
    public void Matches_FollowsMlflowsSemantics(string filter, bool expected)
    {
        var parsed = SearchFilter.Parse(filter, SearchTarget.Runs);

        Assert.Equal(expected, parsed.Matches(k => Run.GetValueOrDefault(k)));
    }

    [Theory]
    [InlineData("metrics.rmse < 1 OR params.a = 'b'", "OR")]
    [InlineData("metrics.rmse < 'x'", "numeric")]
    [InlineData("params.model > 'a'", "comparator")]
    [InlineData("params.model = tree", "quoted")]
    [InlineData("attributes.nope = 'x'", "attribute")]
    [InlineData("datasets.name = 'x'", "entity type")]
    [InlineData("metrics.rmse", "comparator")]
    [InlineData("params.`open = 'x'", "closing")]
    [InlineData("metrics.rmse < 1 metrics.mae < 2", "AND")]
    [InlineData("attributes.status IN 'x'", "'('")]
    public void Parse_BadFilter_IsBadRequestNamingTheProblem(string filter, string names)
    {
        var error = Assert.Throws<ServingException>(() => SearchFilter.Parse(filter, SearchTarget.Runs));

        Assert.Equal(ServingErrorKind.BadRequest, error.Kind);
        Assert.Contains(names, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Parse_MetricsOnExperiments_IsRefused()
    {
        Assert.Throws<ServingException>(() => SearchFilter.Parse("metrics.rmse < 1", SearchTarget.Experiments));
    }

    [Theory]
    [InlineData("metrics.rmse", SearchField.Metric, "rmse", true)]
    [InlineData("params.`a b` DESC", SearchField.Param, "a b", false)]
    [InlineData("start_time asc", SearchField.Attribute, "start_time", true)]
    [InlineData("attributes.created DESC", SearchField.Attribute, "start_time", false)]
    public void ParseOrderBy_ReadsKeyAndDirection(string entry, SearchField field, string key, bool ascending)
    {
        var (parsed, direction) = SearchFilter.ParseOrderBy(entry, SearchTarget.Runs);

        Assert.Equal(new SearchKey(field, key), parsed);
        Assert.Equal(ascending, direction);
    }

    [Theory]
    [InlineData("abc", "a%", true)]
    [InlineData("abc", "%c", true)]
    [InlineData("abc", "a_c", true)]
    [InlineData("abc", "a_", false)]
    [InlineData("abc", "%", true)]
    [InlineData("", "%", true)]
    [InlineData("a%c", "a%%c", true)]
    [InlineData("abcbc", "%bc", true)]
    [InlineData("ABC", "abc", false)]
    public void SqlLike_MatchesAsSqlDoes(string text, string pattern, bool expected)
    {
        Assert.Equal(expected, SqlLike.Matches(text, pattern, ignoreCase: false));
    }

    [Fact]
    public void SearchOrder_PutsMissingValuesLast_InBothDirections()
    {
        var items = new[] { ("a", (double?)2), ("b", null), ("c", 1), ("d", double.NaN) };
        object? Lookup((string Name, double? Value) item, SearchKey key) => key.Key == "run_id" ? item.Name : item.Value;

        var ascending = SearchOrder.Sort(items, ["metrics.m ASC"], SearchTarget.Runs, Lookup, [(new SearchKey(SearchField.Attribute, "run_id"), true)]);
        var descending = SearchOrder.Sort(items, ["metrics.m DESC"], SearchTarget.Runs, Lookup, [(new SearchKey(SearchField.Attribute, "run_id"), true)]);

        Assert.Equal(["c", "a", "d", "b"], ascending.Select(i => i.Item1));
        Assert.Equal(["d", "a", "c", "b"], descending.Select(i => i.Item1));
    }
}
