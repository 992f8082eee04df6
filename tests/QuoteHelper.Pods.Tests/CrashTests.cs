using System.Globalization;
using k8s.Models;

namespace QuoteHelper.Pods.Tests;

/// <summary>
/// kill -9 of the helper container under load: the pod's restart policy brings it back on the same host directories
/// and a workload using QuoteProvider (which retries while the helper is unavailable, client.md §2.3) sees no
/// failed quote, only a slower one, within the provider's bound.
/// </summary>
public sealed class CrashTests(PodEnvironment environment) : IDisposable
{
    private const int LoopSeconds = 20;

    /// <summary>QuoteProvider's bound for an unavailable helper: 20 retries, 50 ms doubling to 1 s (about 16.5 s) per call.</summary>
    private static readonly TimeSpan s_providerBound = TimeSpan.FromSeconds(16.5);

    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private V1DaemonSet DaemonSet => environment.DaemonSet;

    [Fact]
    public void HelperKilled_RestartedByThePod_WorkloadsQuotesAllSucceed()
    {
        var pod = _node.Play(_node.HelperPod(DaemonSet, "crash", environment.Image));
        Pods.WaitServing(DaemonSet, pod);
        var helper = Pods.Container(pod, Pods.Helper);

        // The workload: one `quote` after another for LoopSeconds, each timed; the first failure ends it with exit 1.
        // --wait-for-helper: the recovery of QuoteProvider's defaults, as an enclave application has it (the CLI's own
        // default is to report a missing helper at once).
        var quote = $"/app/quote-helper quote --socket {Pods.SocketPath(DaemonSet)} --wait-for-helper --report-data 01 --out /out/quote.bin";
        var script = $"end=$(( $(date +%s) + {LoopSeconds} )); n=0; while [ $(date +%s) -lt $end ]; do " +
            $"s=$(date +%s%N); {quote} >/dev/null || {{ echo \"failed after $n\"; exit 1; }}; " +
            "echo \"took $(( ($(date +%s%N) - s) / 1000000 ))\"; n=$((n+1)); done; echo \"quotes $n\"";
        var workload = Pods.WorkloadPod(_node, DaemonSet, "loop", environment.Image, []);
        workload.Spec.Containers[0].Command = ["/bin/sh", "-c", script];
        workload.Spec.Containers[0].Args = null;
        var loop = Pods.Container(_node.Play(workload), "workload");
        Thread.Sleep(TimeSpan.FromSeconds(5));

        // SIGKILL to the helper's process from the node, as a crash or the OOM killer would: `podman kill` counts as
        // a deliberate stop, after which podman applies no restart policy.
        var pid = Podman.Ok("inspect", "--format", "{{.State.Pid}}", helper).Trim();
        var kill = ProcessRunner.Run("kill", ["-KILL", pid], null, TimeSpan.FromSeconds(10));
        Assert.True(kill.ExitCode == 0, kill.ToString());
        // podman applies the pod's restartPolicy (OnFailure; exit 137 is a failure) as the kubelet would.
        Pods.WaitServing(DaemonSet, pod, TimeSpan.FromSeconds(60));
        var restarts = int.Parse(Podman.Ok("inspect", "--format", "{{.RestartCount}}", helper).Trim(), CultureInfo.InvariantCulture);
        Assert.True(restarts >= 1, $"{helper} was not restarted\n{Node.Logs(helper)}");

        var exit = Node.WaitExited(loop, TimeSpan.FromSeconds(LoopSeconds + 60));
        var output = Podman.Ok("logs", loop);
        Assert.True(exit == 0, $"a quote failed across the helper's kill -9 and restart\n{output}");
        var took = output.Split('\n').Where(l => l.StartsWith("took ", StringComparison.Ordinal))
            .Select(l => int.Parse(l[5..], CultureInfo.InvariantCulture)).ToList();
        Assert.True(took.Count > 1, output);
        var slowest = TimeSpan.FromMilliseconds(took.Max());
        TestContext.Current.TestOutputHelper?.WriteLine($"kill -9: {took.Count} quotes, none failed, slowest {slowest.TotalMilliseconds} ms, restarts {restarts}");
        Assert.True(slowest < s_providerBound + TimeSpan.FromSeconds(5), $"the slowest quote took {slowest.TotalSeconds} s\n{output}");
    }
}
