namespace QuoteHelper.Deploy.Tests;

/// <summary>
/// The chart rendered by deploy/tools/bin/helm (<see cref="HelmTool"/>: installed on first use, and a helm still
/// missing after that FAILS the test, naming the script: these tests must never skip silently).
/// </summary>
internal static class Helm
{
    public const string ReleaseName = "quote-helper";
    public const string Namespace = "kube-system";

    public static ProcessResult Run(params string[] arguments) => HelmTool.Run(arguments);

    /// <summary>`helm template` of the chart as release quote-helper in kube-system; fails the test on a non-zero exit.</summary>
    public static string Template(params string[] extraArguments)
    {
        var result = Run(["template", ReleaseName, Repo.Chart, "--namespace", Namespace, .. extraArguments]);
        Assert.True(result.ExitCode == 0, $"helm template {string.Join(' ', extraArguments)} failed: {result}");
        return result.StdOut;
    }

    /// <summary>`helm template` that is expected to fail; returns stderr.</summary>
    public static string TemplateError(params string[] extraArguments)
    {
        var result = Run(["template", ReleaseName, Repo.Chart, "--namespace", Namespace, .. extraArguments]);
        Assert.True(result.ExitCode != 0, $"helm template {string.Join(' ', extraArguments)} should have failed but rendered:\n{result.StdOut}");
        return result.StdErr;
    }
}
