using System.Text.RegularExpressions;
using QuoteHelper.Client;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Cli.Tests.Docs;

/// <summary>
/// docs/operations.md's metrics and queries against what a real daemon exports (issue 8, point 4: the alert examples
/// matched <c>result!="success"</c> while success is <c>result="0"</c>, used <c>increase(…) by (result)</c>, and named
/// calls the daemon spells differently). A daemon process with <c>--metrics-listen</c> serves requests, refusals and a
/// handover; its scrapes are the truth: every metric it exports is in the docs' tables with its type and labels, and
/// every PromQL example parses and selects metrics, labels and label values that exist.
/// </summary>
public sealed partial class OperationsDocTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Metrics of other exporters the examples may use (kube-state-metrics, Prometheus itself).</summary>
    private static readonly HashSet<string> s_external = new(StringComparer.Ordinal) { "up", "kube_daemonset_status_number_unavailable" };

    private static readonly TimeSpan s_start = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>One metric family seen in the scrapes: its type, label names and the values seen per label.</summary>
    private sealed record Family(string Type, HashSet<string> Labels, Dictionary<string, HashSet<string>> Values);

    [Fact]
    public async Task OperationsMd_MetricTableAndPromQl_MatchALiveDaemonsScrapes()
    {
        var families = await ScrapeADaemonThroughAHandover();
        var problems = new List<string>();

        foreach (var doc in new[] { "operations.md", "protocol.md" })
        {
            var table = MetricTable(RepoFiles.Read("docs", doc));
            foreach (var (name, family) in families)
            {
                if (!table.TryGetValue(name, out var row))
                {
                    problems.Add($"docs/{doc}: the daemon exports {name} ({family.Type}; labels {Join(family.Labels)}) but the metric table does not list it");
                    continue;
                }

                if (row.Type != family.Type)
                {
                    problems.Add($"docs/{doc}: {name} is a {family.Type}, the table says {row.Type}");
                }

                if (!row.Labels.SetEquals(family.Labels))
                {
                    problems.Add($"docs/{doc}: {name} has labels {Join(family.Labels)}, the table says {Join(row.Labels)}");
                }
            }

            problems.AddRange(table.Keys.Where(k => !families.ContainsKey(k)).Select(k => $"docs/{doc}: the table lists {k}, which the daemon does not export"));

            // The `call` values are the daemon's request kind names, spelled as it emits them (GetSupportedAttKeyIdNum, not Intel's …IDNum).
            var kinds = Enum.GetNames<QuoteHelper.Aesm.Protocol.AesmRequestKind>();
            foreach (var line in RepoFiles.Read("docs", doc).Split('\n').Where(l => l.StartsWith("| `quote_helper_", StringComparison.Ordinal)))
            {
                foreach (var word in BacktickedWord().Matches(line).Select(m => m.Groups[1].Value))
                {
                    if (kinds.FirstOrDefault(k => string.Equals(k, word, StringComparison.OrdinalIgnoreCase)) is { } kind && kind != word)
                    {
                        problems.Add($"docs/{doc}: the metric table names the call `{word}`, the daemon's label value is `{kind}`");
                    }
                }
            }
        }

        // Every metric name mentioned anywhere in the docs exists.
        foreach (var file in Directory.EnumerateFiles(RepoFiles.PathOf("docs"), "*.md").Append(RepoFiles.PathOf("README.md")))
        {
            foreach (Match mention in MetricMention().Matches(File.ReadAllText(file)))
            {
                if (FamilyOf(families, mention.Value) is null)
                {
                    problems.Add($"{Path.GetRelativePath(RepoFiles.Root, file)}: mentions {mention.Value}, which the daemon does not export");
                }
            }
        }

        var operations = RepoFiles.Read("docs", "operations.md");
        var queries = Queries(operations);
        if (queries.Count < 8)
        {
            problems.Add($"docs/operations.md: only {queries.Count} PromQL examples found in ```promql blocks");
        }

        // A query outside a ```promql block would escape these checks (the broken ones sat in a shell comment and in prose).
        foreach (var line in PromQlBlock().Replace(operations, "").Split('\n').Where(l => QueryOutsideBlock().IsMatch(l)))
        {
            problems.Add($"docs/operations.md: PromQL outside a ```promql block, where it is not checked: {line.Trim()}");
        }

        foreach (var query in queries)
        {
            output.WriteLine($"query: {query}");
            problems.AddRange(CheckQuery(query, families));
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static List<string> CheckQuery(string query, Dictionary<string, Family> families)
    {
        IReadOnlyList<PromQlSelector> selectors;
        try
        {
            selectors = PromQl.Parse(query, name => LabelsOf(families, name));
        }
        catch (PromQlException e)
        {
            return [$"docs/operations.md: {e.Message}"];
        }

        var problems = new List<string>();
        foreach (var selector in selectors)
        {
            if (s_external.Contains(selector.Name))
            {
                continue;
            }

            if (FamilyOf(families, selector.Name) is not { } family)
            {
                problems.Add($"docs/operations.md: '{query}' selects {selector.Name}, which the daemon does not export");
                continue;
            }

            foreach (var (label, op, value) in selector.Matchers)
            {
                if (PromQl.TargetLabels.Contains(label) || (label == "le" && selector.Name.EndsWith("_bucket", StringComparison.Ordinal)))
                {
                    continue;
                }

                if (!family.Values.TryGetValue(label, out var seen))
                {
                    problems.Add($"docs/operations.md: '{query}' matches on {label}, which {selector.Name} does not have (labels {Join(family.Labels)})");
                    continue;
                }

                // A value that never occurs makes != match everything and = match nothing: both are mistakes.
                var exists = op is "=" or "!=" ? seen.Contains(value) : seen.Any(v => PromQl.RegexMatches(value, v));
                if (!exists)
                {
                    problems.Add($"docs/operations.md: '{query}' uses {label}{op}\"{value}\", but {selector.Name}'s {label} takes {Join(seen)}");
                }
            }
        }

        return problems;
    }

    private static HashSet<string>? LabelsOf(Dictionary<string, Family> families, string name) =>
        s_external.Contains(name) ? null
        : FamilyOf(families, name) is { } family
            ? name.EndsWith("_bucket", StringComparison.Ordinal) && !families.ContainsKey(name) ? [.. family.Labels, "le"] : family.Labels
            : null;

    /// <summary>The family a series name belongs to (histograms export name_bucket, name_sum and name_count).</summary>
    private static Family? FamilyOf(Dictionary<string, Family> families, string name)
    {
        if (families.TryGetValue(name, out var family))
        {
            return family;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && families.TryGetValue(name[..^suffix.Length], out family) && family.Type == "histogram")
            {
                return family;
            }
        }

        return null;
    }

    private async Task<Dictionary<string, Family>> ScrapeADaemonThroughAHandover()
    {
        var socket = _temp.Combine("run", "aesm.socket");
        var state = _temp.Combine("state");
        var (firstPort, secondPort) = (FreePort(), FreePort());
        using var http = new HttpClient();
        var scrapes = new List<string>();

        // Rate limit 5/s per peer: a burst of 30 calls gives successes (result "0") and refusals (AESM 18, reason RateLimited).
        using var first = CliProcess.Start("daemon", "--socket", socket, "--state-dir", state, "--metrics-listen", $"http://127.0.0.1:{firstPort}",
            "--max-requests-per-second-per-peer", "5", "--stay-after-handover");
        first.WaitForLine("quote-helper: listening on", s_start);
        var client = new AesmClient(new AesmClientOptions { SocketPath = socket });
        var burst = Enumerable.Range(0, 30).Select(_ => client.GetSupportedAttKeyIdNum()).ToArray();
        Assert.Contains(burst, r => r.IsSuccess);
        Assert.Contains(burst, r => r.Status == SgxStatus.ErrorBusy);

        // A workload's three calls, after the bucket refilled.
        Thread.Sleep(1500);
        var enclave = SimulatedEnclave.ForSocket(socket);
        var target = TargetInfo.Read(client.InitQuoteEx(AttestationKeyId.DefaultEcdsaP256, true).Value!.TargetInfo);
        var size = client.GetQuoteSizeEx(AttestationKeyId.DefaultEcdsaP256).Value;
        Assert.True(client.GetQuoteEx(enclave.CreateReport(target, [1]).ToArray(), AttestationKeyId.DefaultEcdsaP256, null, size + 1024).IsSuccess);
        scrapes.Add(await http.GetStringAsync(new Uri($"http://127.0.0.1:{firstPort}/metrics"), TestContext.Current.CancellationToken));

        // A handover: the first daemon counts direction="out" and is no longer ready, the second counts "in".
        using var second = CliProcess.Start("daemon", "--socket", socket, "--state-dir", state, "--metrics-listen", $"http://127.0.0.1:{secondPort}");
        second.WaitForLine("quote-helper: listening on", s_start);
        first.WaitForLine("Handed the socket", TimeSpan.FromSeconds(10));
        scrapes.Add(await http.GetStringAsync(new Uri($"http://127.0.0.1:{firstPort}/metrics"), TestContext.Current.CancellationToken));
        scrapes.Add(await http.GetStringAsync(new Uri($"http://127.0.0.1:{secondPort}/metrics"), TestContext.Current.CancellationToken));

        first.Signal("TERM");
        second.Signal("TERM");
        Assert.Equal(0, first.WaitForExit(s_start));
        Assert.Equal(0, second.WaitForExit(s_start));
        return ParseScrapes(scrapes);
    }

    private static Dictionary<string, Family> ParseScrapes(IEnumerable<string> scrapes)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        foreach (var line in scrapes.SelectMany(s => s.Split('\n')))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                families.TryAdd(parts[2], new Family(parts[3], new HashSet<string>(StringComparer.Ordinal), new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)));
            }
        }

        foreach (var line in scrapes.SelectMany(s => s.Split('\n')).Where(l => l.Length > 0 && l[0] != '#'))
        {
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var name = brace < 0 ? line[..line.IndexOf(' ', StringComparison.Ordinal)] : line[..brace];
            var family = FamilyOf(families, name) ?? throw new InvalidDataException($"a sample without a # TYPE line: {line}");
            if (brace < 0)
            {
                continue;
            }

            foreach (Match label in LabelPair().Matches(line[brace..line.LastIndexOf('}')]))
            {
                var labelName = label.Groups[1].Value;
                if (labelName == "le" && family.Type == "histogram")
                {
                    continue;
                }

                family.Labels.Add(labelName);
                if (!family.Values.TryGetValue(labelName, out var values))
                {
                    family.Values[labelName] = values = new HashSet<string>(StringComparer.Ordinal);
                }

                values.Add(Regex.Unescape(label.Groups[2].Value));
            }
        }

        return families;
    }

    /// <summary>Rows "| `quote_helper_x` | type … | `label`, … | meaning |" of a Markdown metric table.</summary>
    private static Dictionary<string, (string Type, HashSet<string> Labels)> MetricTable(string markdown)
    {
        var rows = new Dictionary<string, (string, HashSet<string>)>(StringComparer.Ordinal);
        foreach (var line in markdown.Split('\n').Where(l => l.StartsWith("| `quote_helper_", StringComparison.Ordinal)))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            var labels = BacktickedWord().Matches(cells[3]).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            rows[cells[1].Trim('`')] = (cells[2].Split(' ')[0], labels);
        }

        return rows;
    }

    /// <summary>The expressions of the ```promql blocks: runs of lines that are not comments, separated by comments or blank lines.</summary>
    internal static List<string> Queries(string markdown)
    {
        var queries = new List<string>();
        foreach (Match block in PromQlBlock().Matches(markdown))
        {
            var current = new List<string>();
            foreach (var line in block.Groups[1].Value.Split('\n').Append(""))
            {
                if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
                {
                    if (current.Count > 0)
                    {
                        queries.Add(string.Join(' ', current.Select(l => l.Trim())));
                        current.Clear();
                    }
                }
                else
                {
                    current.Add(line);
                }
            }
        }

        return queries;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Join(IEnumerable<string> items) => "{" + string.Join(", ", items.Order(StringComparer.Ordinal)) + "}";

    [GeneratedRegex(@"\bquote_helper_[a-z_]*[a-z]\b")]
    private static partial Regex MetricMention();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();

    [GeneratedRegex(@"`([A-Za-z_]+)`")]
    private static partial Regex BacktickedWord();

    [GeneratedRegex(@"\bquote_helper_[a-z_]+\{|\b(rate|irate|increase|histogram_quantile)\(|\b(sum|count|avg|max|min) by \(")]
    private static partial Regex QueryOutsideBlock();

    [GeneratedRegex(@"```promql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex PromQlBlock();
}
