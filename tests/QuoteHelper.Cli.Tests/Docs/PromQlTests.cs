namespace QuoteHelper.Cli.Tests.Docs;

/// <summary>What the docs' PromQL checker accepts and refuses (the mistakes issue 8 found among them).</summary>
public sealed class PromQlTests
{
    private static readonly Dictionary<string, IReadOnlySet<string>> s_metrics = new(StringComparer.Ordinal)
    {
        ["requests_total"] = new HashSet<string> { "call", "result" },
        ["duration_seconds_bucket"] = new HashSet<string> { "call", "le" },
        ["info"] = new HashSet<string> { "qe_svn" },
    };

    private static IReadOnlyList<PromQlSelector> Parse(string query) =>
        PromQl.Parse(query, name => s_metrics.TryGetValue(name, out var labels) ? labels : null);

    [Theory]
    [InlineData("sum by (call) (rate(requests_total{result!=\"0\"}[5m])) / sum by (call) (rate(requests_total[5m]))")]
    [InlineData("sum(rate(requests_total[5m])) by (call)")]
    [InlineData("sum by (call, result) (increase(requests_total{result!=\"0\"}[10m])) > 0")]
    [InlineData("histogram_quantile(0.99, sum by (le, instance) (rate(duration_seconds_bucket{call=\"GetQuoteEx\"}[5m])))")]
    [InlineData("count(count by (qe_svn) (info)) > 1")]
    [InlineData("up{job=~\".*quote-helper.*\"} == 0")]
    [InlineData("max_over_time(rate(requests_total[1m])[10m:1m])")]
    [InlineData("requests_total offset 5m - requests_total")]
    [InlineData("topk(3, sum without (result) (rate(requests_total[5m])))")]
    [InlineData("1 < bool 2")]
    [InlineData("info * on(instance) group_left requests_total")]
    public void Parse_ValidQueries_Accepted(string query) => Assert.NotNull(Parse(query));

    [Theory]
    [InlineData("increase(requests_total[10m]) by (result)", "unexpected 'by'")]
    [InlineData("sum by (reason) (rate(requests_total[5m]))", "no label 'reason'")]
    [InlineData("rate(requests_total)", "must be a range vector")]
    [InlineData("requests_total[5m]", "must be a scalar or an instant vector")]
    [InlineData("sum(rate(requests_total[5m])", "expected ')'")]
    [InlineData("rate(requests_total[5m]))", "unexpected ')'")]
    [InlineData("requests_total{result!=success}", "quoted string")]
    [InlineData("rate(requests_total[5x])", "bad number or duration")]
    [InlineData("histogram_quantile(0.99, sum by (instance) (rate(duration_seconds_bucket[5m])))", "'le' label")]
    [InlineData("sum by (call) (rate(requests_total[5m])) by (call)", "one 'by'")]
    [InlineData("rate(sum(requests_total)[5m])", "series selector only")]
    [InlineData("frobnicate(requests_total)", "unknown function")]
    [InlineData("1 > 2", "needs 'bool'")]
    public void Parse_Mistakes_RefusedWithTheReason(string query, string reason)
    {
        var error = Assert.Throws<PromQlException>(() => Parse(query));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Selectors_ReturnedWithTheirMatchers()
    {
        var selectors = Parse("sum by (call) (rate(requests_total{result!=\"0\",call=~\"Get.*\"}[5m])) / sum(rate(requests_total[5m]))");

        Assert.Equal(2, selectors.Count);
        Assert.Equal("requests_total", selectors[0].Name);
        Assert.Equal([("result", "!=", "0"), ("call", "=~", "Get.*")], selectors[0].Matchers);
        Assert.Empty(selectors[1].Matchers);
    }

    [Fact]
    public void Queries_SplitAtCommentsAndBlankLines_JoinContinuationLines()
    {
        var markdown = "x\n```promql\n# one\na\n  / b\n# two\nc\n\nd\n```\n```sh\nnot promql\n```\n";

        Assert.Equal(["a / b", "c", "d"], OperationsDocTests.Queries(markdown));
    }
}
