using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace QuoteHelper.Deploy.Tests;

/// <summary>
/// One version, from one place (issue 8, point 4): <c>&lt;Version&gt;</c> in Directory.Build.props is what
/// <c>quote-helper --version</c> prints; the chart's <c>version</c> and <c>appVersion</c> (the default image tag) and
/// every image tag written in deploy/ and docs/ must equal it.
/// </summary>
public sealed partial class VersionTests
{
    private static string ProductVersion =>
        XDocument.Load(Path.Combine(Repo.Root, "Directory.Build.props")).Descendants("Version").Single().Value;

    [Fact]
    public void ProductVersion_IsSemanticVersion() =>
        Assert.Matches(@"^\d+\.\d+\.\d+$", ProductVersion);

    [Fact]
    public void Chart_VersionAndAppVersion_EqualTheProductVersion()
    {
        var chart = File.ReadAllText(Path.Combine(Repo.Chart, "Chart.yaml"));
        Assert.Equal(ProductVersion, ChartField("version").Match(chart).Groups[1].Value);
        Assert.Equal(ProductVersion, ChartField("appVersion").Match(chart).Groups[1].Value);
    }

    [Fact]
    public void ImageTagsAndChartLabels_InDeployAndDocs_AreTheProductVersion()
    {
        var files = Directory.EnumerateFiles(Path.Combine(Repo.Root, "deploy"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/node_modules/", StringComparison.Ordinal) && !f.Contains("/tools/bin/", StringComparison.Ordinal))
            .Concat(Directory.EnumerateFiles(Path.Combine(Repo.Root, "docs"), "*.md", SearchOption.AllDirectories))
            .Append(Path.Combine(Repo.Root, "README.md"));
        var seen = 0;
        foreach (var file in files)
        {
            foreach (Match match in VersionMention().Matches(File.ReadAllText(file)))
            {
                seen++;
                Assert.True(match.Groups["v"].Value == ProductVersion,
                    $"{Path.GetRelativePath(Repo.Root, file)}: '{match.Value}' is not the product version {ProductVersion} (Directory.Build.props)");
            }
        }

        Assert.True(seen > 10, $"only {seen} version mentions found: the pattern no longer matches the files");
    }

    private static Regex ChartField(string name) => new($"^{name}:\\s*\"?([^\"\\s]+)\"?\\s*$", RegexOptions.Multiline);

    // "quote-helper:0.1.0", "quote-helper:0.1.0-hardware", "helm.sh/chart: quote-helper-0.1.0", "app.kubernetes.io/version: "0.1.0"".
    [GeneratedRegex(@"quote-helper[:-](?<v>\d+\.\d+\.\d+)|app\.kubernetes\.io/version: ""(?<v>[^""]+)""")]
    private static partial Regex VersionMention();
}
