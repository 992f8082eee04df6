namespace QuoteHelper.Pods.Tests;

/// <summary>
/// The chart's DaemonSet pod, played for real with podman on a temporary "node" (issue 14): init containers,
/// securityContext, probes' commands, volumes and args exactly as rendered; only the image and the hostPath
/// directories are substituted.
/// </summary>
public sealed class HelperPodTests(PodEnvironment environment) : IDisposable
{
    private const string ReportData = "48656c6c6f2066726f6d206120706f64";
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private string SocketDir => _node.HostPath(Pods.HostPathMountedAt(environment.DaemonSet, Path.GetDirectoryName(Pods.SocketPath(environment.DaemonSet))!));

    private string StateDir => _node.HostPath(Pods.HostPathMountedAt(environment.DaemonSet, StateMountPath));

    private string StateMountPath
    {
        get
        {
            var args = Pods.HelperContainer(environment.DaemonSet).Args;
            return args[args.IndexOf("--state-dir") + 1];
        }
    }

    private string PlayHelper(string name)
    {
        var pod = _node.Play(_node.HelperPod(environment.DaemonSet, name, environment.Image));
        Pods.WaitServing(environment.DaemonSet, pod);
        return pod;
    }

    /// <summary>Plays a workload pod running `quote` and returns the quote's bytes.</summary>
    private byte[] WorkloadQuote(string name)
    {
        var pod = _node.Play(Pods.WorkloadPod(_node, environment.DaemonSet, name, environment.Image,
            ["quote", "--socket", Pods.SocketPath(environment.DaemonSet), "--report-data", ReportData, "--out", "/out/quote.bin"]));
        var container = Pods.Container(pod, "workload");
        var exit = Node.WaitExited(container, TimeSpan.FromSeconds(60));
        var logs = Node.Logs(container);
        Assert.True(exit == 0, $"the workload's quote failed (exit {exit})\n{logs}");
        var quote = File.ReadAllBytes(_node.HostPath($"/out/{name}/quote.bin"));
        Assert.Contains($"quote-helper: wrote a {quote.Length}-byte quote to /out/quote.bin", logs, StringComparison.Ordinal);
        return quote;
    }

    private static string Stat(string path)
    {
        var result = ProcessRunner.Run("stat", ["-c", "%u:%g:%a", path], null, TimeSpan.FromSeconds(10));
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdOut.Trim();
    }

    [Fact]
    public void FirstStart_InitContainerThenHelper_ServesOnTheNodesSocket()
    {
        PlayHelper("first");

        // The kubelet-created (here: podman-created, DirectoryOrCreate) directories now belong to the daemon's user.
        var helper = Pods.HelperContainer(environment.DaemonSet).SecurityContext;
        Assert.Equal($"{helper.RunAsUser}:{helper.RunAsGroup}:755", Stat(SocketDir));
        Assert.Equal($"{helper.RunAsUser}:{helper.RunAsGroup}:700", Stat(StateDir));
        Assert.Equal($"{helper.RunAsUser}:{helper.RunAsGroup}:666", Stat(Path.Combine(SocketDir, Path.GetFileName(Pods.SocketPath(environment.DaemonSet)))));
    }

    [Fact]
    public void PodRestart_StopAndStart_Serves()
    {
        // The containers of the same pod restart (podman does not run its "once" init containers again; a new pod
        // on the same directories, below, is what runs them a second time).
        var pod = PlayHelper("restart");
        Podman.Ok(TimeSpan.FromSeconds(120), "pod", "stop", "--time", "40", pod);
        Podman.Ok(TimeSpan.FromSeconds(120), "pod", "start", pod);
        Pods.WaitServing(environment.DaemonSet, pod);
    }

    [Fact]
    public void NewPod_OnHostDirectoriesOfAPreviousPod_Serves_SameAttestationKey()
    {
        // A node reboot or a re-created pod: a new pod (new init containers) on the directories the last one left.
        var first = PlayHelper("before-reboot");
        var before = WorkloadQuote("quote-before");
        _node.Delete(first, 40);

        PlayHelper("after-reboot");
        var after = WorkloadQuote("quote-after");
        Assert.Equal(Pods.AttestationKey(before), Pods.AttestationKey(after));
    }

    [Fact]
    public void Workload_OtherUid_ReadOnlySocketDirectory_GetsAQuote()
    {
        PlayHelper("serving");
        var quote = WorkloadQuote("workload");
        Assert.Equal(Convert.FromHexString(ReportData), quote.AsSpan(48 + 320, ReportData.Length / 2).ToArray());
    }

    [Fact]
    public void Probes_LivenessCommand_ExitsZeroWhileServing_OneWhenStopped()
    {
        var pod = PlayHelper("probes");
        var helper = Pods.Container(pod, Pods.Helper);
        var liveness = Pods.LivenessCommand(environment.DaemonSet);
        var serving = Node.Exec(helper, liveness);
        Assert.True(serving.ExitCode == 0, serving.ToString());
        Assert.StartsWith("healthy: ", serving.StdOut, StringComparison.Ordinal);

        // Stopped: the same command, from a container of the same image on the node's socket directory.
        Podman.Ok(TimeSpan.FromSeconds(120), "pod", "stop", "--time", "40", pod);
        var socketDir = Path.GetDirectoryName(Pods.SocketPath(environment.DaemonSet))!;
        string[] run =
        [
            "run", "--rm", "--no-healthcheck", "--user", "1654:1654", "--read-only", "--cap-drop", "ALL", "-e", "DOTNET_EnableDiagnostics=0",
            "-v", $"{SocketDir}:{socketDir}:ro", "--entrypoint", liveness[0], environment.Image, .. liveness.Skip(1),
        ];
        var stopped = Podman.Run(TimeSpan.FromSeconds(60), run);
        Assert.True(stopped.ExitCode == 1, stopped.ToString());
        Assert.Contains("unhealthy: ", stopped.StdErr, StringComparison.Ordinal);
    }
}
