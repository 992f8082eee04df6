using k8s.Models;

namespace QuoteHelper.Deploy.Tests;

/// <summary>
/// The rendered <c>prepare-host-dirs</c> init container's script, run for real the way a node runs it: as root with
/// only CAP_CHOWN and CAP_FOWNER (setpriv drops every other capability from the bounding set, as the container
/// runtime does for <c>drop: [ALL], add: [CHOWN, FOWNER]</c>), against directories standing in for the hostPath
/// volumes, once per pod start. Issue 14: the script used to `chown -R` the state directory, which root without
/// CAP_DAC_READ_SEARCH cannot read once it is 0700 and owned by the daemon — every start after the first failed.
/// </summary>
public sealed class InitContainerTests : IDisposable
{
    private const int DaemonUid = 1654;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("qh-init-");

    public InitContainerTests()
    {
        // Like /var/run and /var/lib on a node: searchable by everyone, so the daemon's uid reaches its directories.
        File.SetUnixFileMode(_root.FullName, (UnixFileMode)0x1ED); // 0755
    }

    private string SocketDir => Path.Combine(_root.FullName, "run", "aesmd");
    private string StateDir => Path.Combine(_root.FullName, "lib", "quote-helper");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Script_RunTwiceAroundADaemonStart_SucceedsBothTimes()
    {
        // The kubelet's DirectoryOrCreate: root:root 0755.
        Directory.CreateDirectory(SocketDir);
        Directory.CreateDirectory(StateDir);

        var first = RunInit();
        Assert.True(first.ExitCode == 0, $"first start: {first}");
        Assert.Equal($"{DaemonUid}:{DaemonUid}:755", Stat(SocketDir));
        Assert.Equal($"{DaemonUid}:{DaemonUid}:700", Stat(StateDir));

        // What the daemon leaves behind: its private state file and a private subdirectory, as its own uid.
        var daemon = AsDaemon($"umask 077 && echo state > {StateDir}/platform.json && mkdir {StateDir}/cache && echo x > {StateDir}/cache/entry");
        Assert.True(daemon.ExitCode == 0, daemon.ToString());

        // Second start of the pod (restart, reboot, the surge pod of a rolling update): the same script again.
        var second = RunInit();
        Assert.True(second.ExitCode == 0, $"second start on the directories of the first: {second}");
        Assert.Equal($"{DaemonUid}:{DaemonUid}:755", Stat(SocketDir));
        Assert.Equal($"{DaemonUid}:{DaemonUid}:700", Stat(StateDir));
        Assert.Equal($"{DaemonUid}:{DaemonUid}:600", Stat(Path.Combine(StateDir, "platform.json")));

        // And the daemon still reads its state after the second start.
        var read = AsDaemon($"cat {StateDir}/platform.json {StateDir}/cache/entry");
        Assert.Equal((0, "state\nx\n"), (read.ExitCode, read.StdOut));
    }

    [Fact]
    public void Script_DirectoriesOfAnotherUserWithMode0700_HandedToTheDaemon()
    {
        // E.g. left by a helper that ran as root: the top-level directories are what the daemon needs to own.
        Directory.CreateDirectory(SocketDir);
        Directory.CreateDirectory(StateDir);
        File.SetUnixFileMode(SocketDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(StateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var chown = ProcessRunner.Run("chown", ["4321:4321", SocketDir, StateDir]);
        Assert.True(chown.ExitCode == 0, chown.ToString());

        var result = RunInit();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{DaemonUid}:{DaemonUid}:755", Stat(SocketDir));
        Assert.Equal($"{DaemonUid}:{DaemonUid}:700", Stat(StateDir));
        var write = AsDaemon($"echo ok > {StateDir}/probe && echo ok > {SocketDir}/probe");
        Assert.True(write.ExitCode == 0, write.ToString());
    }

    [Fact]
    public void Script_WithoutChownAndFowner_Fails()
    {
        // The check that setpriv really takes capabilities away (otherwise the tests above would prove nothing):
        // without CAP_CHOWN the same script cannot hand the directories over.
        Directory.CreateDirectory(SocketDir);
        Directory.CreateDirectory(StateDir);
        var result = RunInit("-all");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Operation not permitted", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>The init container's command from the simulation rendering, with the hostPath mounts pointed at the temp dirs.</summary>
    private ProcessResult RunInit(string capabilities = "-all,+chown,+fowner")
    {
        RequireRoot();
        var init = Assert.Single(Manifests.Get("simulation").Single<V1DaemonSet>().Spec.Template.Spec.InitContainers);
        Assert.Equal(0, init.SecurityContext.RunAsUser);
        Assert.Equal(["ALL"], init.SecurityContext.Capabilities.Drop);
        Assert.Equal(["CHOWN", "FOWNER"], init.SecurityContext.Capabilities.Add);
        Assert.Equal(3, init.Command.Count);
        Assert.Equal(["/bin/sh", "-c"], init.Command.Take(2));
        var mounts = init.VolumeMounts.Select(m => m.MountPath).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([ProjectRules.StateDir, ProjectRules.SocketDir], mounts);
        var script = init.Command[2]
            .Replace(ProjectRules.SocketDir, SocketDir, StringComparison.Ordinal)
            .Replace(ProjectRules.StateDir, StateDir, StringComparison.Ordinal);
        return ProcessRunner.Run("setpriv",
            ["--reuid=0", "--regid=0", "--clear-groups", $"--inh-caps={capabilities}", $"--bounding-set={capabilities}", "--no-new-privs", "/bin/sh", "-c", script]);
    }

    private static ProcessResult AsDaemon(string script) =>
        ProcessRunner.Run("setpriv", [$"--reuid={DaemonUid}", $"--regid={DaemonUid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "/bin/sh", "-c", script]);

    private static string Stat(string path)
    {
        var result = ProcessRunner.Run("stat", ["-c", "%u:%g:%a", path]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdOut.Trim();
    }

    private static void RequireRoot()
    {
        // Fail (never skip): the script is what runs on every node, and only root can play the init container's uid 0.
        var id = ProcessRunner.Run("id", ["-u"]);
        Assert.True(id.StdOut.Trim() == "0", $"these tests run the init container's script as root with setpriv; run them as root (id -u: {id.StdOut.Trim()})");
    }
}
