using QuoteHelper.Cli.Commands;

namespace QuoteHelper.Cli.Tests.Docs;

/// <summary>
/// The CLI's docs cannot drift from the code (issue 8, point 4): docs/cli.md's reference section and docs/errors.md
/// §7's exit-code table are regenerated from the command tree and <see cref="CliErrors"/> and must equal what is
/// checked in (UPDATE_DOCS=1 rewrites them); README's verb list names every verb.
/// </summary>
public sealed class CliReferenceDocTests
{
    [Fact]
    public void CliMd_ReferenceSection_IsGeneratedFromTheCommandTree() =>
        GeneratedSection.Check(Path.Combine("docs", "cli.md"), CliReference.CliSection, CliReference.Markdown(CliRoot.Create()));

    [Fact]
    public void ErrorsMd_ExitCodeTable_IsGeneratedFromCliErrors() =>
        GeneratedSection.Check(Path.Combine("docs", "errors.md"), CliReference.ExitCodeSection, CliReference.ExitCodes());

    [Fact]
    public void CliErrors_EveryExitCodeConstant_IsDocumented()
    {
        var constants = typeof(CliErrors).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int)).Select(f => (int)f.GetRawConstantValue()!).Order().ToArray();
        Assert.Equal([64, 65, 66, 69, 74, 75, 77, 78], constants);
        Assert.Equal(constants, CliErrors.Documented.Select(c => c.Code).Order().ToArray());
    }

    [Fact]
    public void ReadmeAndCliMd_NameEveryVerb()
    {
        var readme = RepoFiles.Read("README.md");
        var row = readme.Split('\n').Single(l => l.StartsWith("| CLI |", StringComparison.Ordinal));
        foreach (var verb in CliRoot.Create().Subcommands.Where(c => !c.Hidden))
        {
            Assert.Contains($" {verb.Name} ", row.Replace("`", " ", StringComparison.Ordinal).Replace("|", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        // Every verb has a hand-written section (what it does, examples, exit codes) besides its generated reference.
        var cli = RepoFiles.Read("docs", "cli.md");
        foreach (var verb in CliRoot.Create().Subcommands.Where(c => !c.Hidden))
        {
            Assert.Contains($"## `quote-helper {verb.Name}", cli, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Diff_ShowsChangedLinesWithContext()
    {
        var diff = GeneratedSection.Diff("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nD\ne\nf\ng\n");
        Assert.Equal("  b\n  c\n- d\n+ D\n  e\n  f\n", diff);
    }
}

/// <summary><c>quote-helper --version</c> is the one product version (Directory.Build.props), plus the commit.</summary>
public sealed class CliVersionTests
{
    [Fact]
    public void Version_IsTheOneInDirectoryBuildProps()
    {
        var props = System.Xml.Linq.XDocument.Load(RepoFiles.PathOf("Directory.Build.props"));
        var version = props.Descendants("Version").Single().Value;

        var (code, output) = CliProcess.Run(TimeSpan.FromSeconds(30), "--version");

        Assert.Equal(0, code);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(version)}(\\+[0-9a-f]{{7,40}})?$", output.Trim());
    }
}

/// <summary>docs/operations.md names the shared framework the CLI actually needs on a host (issue 8: it said ".NET runtime").</summary>
public sealed class HostRuntimeDocTests
{
    [Fact]
    public void OperationsMd_NamesTheAspNetCoreRuntime_WhichTheCliRunsOn()
    {
        var runtimeConfig = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "quote-helper.runtimeconfig.json"));
        Assert.Contains("\"Microsoft.AspNetCore.App\"", runtimeConfig, StringComparison.Ordinal);

        var operations = RepoFiles.Read("docs", "operations.md");
        Assert.Contains("needs the ASP.NET Core 10 runtime on the host", operations, StringComparison.Ordinal);
        Assert.Contains("`Microsoft.AspNetCore.App` shared framework", operations, StringComparison.Ordinal);
        Assert.DoesNotContain("needs the .NET 10 runtime", operations, StringComparison.Ordinal);
    }
}
