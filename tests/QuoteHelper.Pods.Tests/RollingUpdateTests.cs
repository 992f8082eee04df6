using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using k8s.Models;

namespace QuoteHelper.Pods.Tests;

/// <summary>
/// The DaemonSet's rolling update (maxSurge 1, maxUnavailable 0) on one node, played with podman: a second helper pod
/// on the same host directories while a workload pod keeps quoting, the socket handed over, then the first pod
/// deleted as the DaemonSet controller does (SIGTERM, the pod's grace period). No quote may fail, and the platform's
/// attestation key must stay the same. Also: the probes of the old pod while it drains.
/// </summary>
public sealed class RollingUpdateTests(PodEnvironment environment) : IDisposable
{
    private const int Clients = 2;
    private const int LoadSeconds = 35;
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private V1DaemonSet DaemonSet => environment.DaemonSet;

    [Fact]
    public void SurgePod_HandoverUnderLoad_ThenOldPodDeleted_NoQuoteFails_SameAttestationKey()
    {
        var old = _node.Play(_node.HelperPod(DaemonSet, "old", environment.Image));
        Pods.WaitServing(DaemonSet, old);
        var keyBefore = Pods.AttestationKey(WorkloadQuote("quote-before"));

        // Intel-like clients (blocking GetQuoteEx, no retries: any failed request counts) for the whole update.
        var load = _node.Play(Pods.WorkloadPod(_node, DaemonSet, "load", environment.Image,
            ["bench", "quotes", "--socket", Pods.SocketPath(DaemonSet), "--clients", Clients.ToString(CultureInfo.InvariantCulture),
             "--seconds", LoadSeconds.ToString(CultureInfo.InvariantCulture), "--warmup", "1", "--json"]));
        var loadClock = Stopwatch.StartNew();
        var loadContainer = Pods.Container(load, "workload");
        // The bench's process start, reference run (three half-second runs) and 1 s warm-up, then a few seconds of load.
        Thread.Sleep(TimeSpan.FromSeconds(8));

        // The surge pod: its init container and daemon start on the directories the old pod is serving from.
        var clock = Stopwatch.StartNew();
        var surge = _node.Play(_node.HelperPod(DaemonSet, "new", environment.Image));
        var oldHelper = Pods.Container(old, Pods.Helper);
        Node.WaitForLog(oldHelper, "Handed the socket", TimeSpan.FromSeconds(60));
        var handover = clock.Elapsed;
        Pods.WaitServing(DaemonSet, surge);

        // The old pod while it stays after the handover: not ready, still live (its liveness command reaches the
        // node's socket, now served by the new pod); the new pod ready.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Probe(old, Pods.HelperContainer(DaemonSet).ReadinessProbe));
        Assert.Equal(HttpStatusCode.OK, Probe(old, Pods.HelperContainer(DaemonSet).StartupProbe));
        Assert.Equal(HttpStatusCode.OK, Probe(surge, Pods.HelperContainer(DaemonSet).ReadinessProbe));
        var liveness = Node.Exec(oldHelper, Pods.LivenessCommand(DaemonSet));
        Assert.True(liveness.ExitCode == 0, liveness.ToString());

        // The DaemonSet controller deletes the old pod: SIGTERM, SIGKILL after terminationGracePeriodSeconds.
        var grace = (int)(DaemonSet.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30);
        var deleteClock = Stopwatch.StartNew();
        Podman.Ok(TimeSpan.FromSeconds(grace + 60), "pod", "stop", "--time", grace.ToString(CultureInfo.InvariantCulture), old);
        var stopTime = deleteClock.Elapsed;
        // The whole update must lie inside the bench's measured window (warm-up failures would not count).
        Assert.True(loadClock.Elapsed < TimeSpan.FromSeconds(LoadSeconds + 2), $"the update took until {loadClock.Elapsed.TotalSeconds:F1} s after the load started, past its measured {LoadSeconds} s");
        Assert.Equal(("exited", 0), Node.State(oldHelper)); // stopped by SIGTERM within the grace period, cleanly
        Assert.True(stopTime < TimeSpan.FromSeconds(grace), $"the old pod took {stopTime.TotalSeconds:F1} s to stop (grace {grace} s)");
        _node.Delete(old, grace);

        var exit = Node.WaitExited(loadContainer, TimeSpan.FromSeconds(LoadSeconds + 60));
        var logs = Node.Logs(loadContainer);
        var report = JsonDocument.Parse(Podman.Ok("logs", loadContainer).Trim().Split('\n')[^1]).RootElement;
        var quotes = report.GetProperty("quotes").GetInt64();
        var errors = report.GetProperty("errors").GetInt64();
        var maxMs = report.GetProperty("maxMs").GetDouble();
        TestContext.Current.TestOutputHelper?.WriteLine($"rolling update across pods: {Clients} clients, {quotes} quotes served, {errors} failed, max latency {maxMs:F1} ms, " +
            $"p99 {report.GetProperty("p99Ms").GetDouble():F1} ms, handover {handover.TotalSeconds:F1} s after the surge pod was played, old pod stopped in {stopTime.TotalSeconds:F1} s");
        Assert.True(exit == 0 && errors == 0, $"quotes failed during the update\n{logs}");
        Assert.True(quotes > 0, logs);

        Assert.Equal(keyBefore, Pods.AttestationKey(WorkloadQuote("quote-after")));
    }

    private byte[] WorkloadQuote(string name)
    {
        var pod = _node.Play(Pods.WorkloadPod(_node, DaemonSet, name, environment.Image,
            ["quote", "--socket", Pods.SocketPath(DaemonSet), "--report-data", "00", "--out", "/out/quote.bin"]));
        var container = Pods.Container(pod, "workload");
        var exit = Node.WaitExited(container, TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, Node.Logs(container));
        return File.ReadAllBytes(_node.HostPath($"/out/{name}/quote.bin"));
    }


    /// <summary>An httpGet probe as the kubelet makes it: to the pod's IP, the named or numbered port, the path.</summary>
    private HttpStatusCode Probe(string pod, V1Probe probe)
    {
        Assert.NotNull(probe.HttpGet);
        var port = probe.HttpGet.Port.Value;
        if (!int.TryParse(port, CultureInfo.InvariantCulture, out var number))
        {
            number = Assert.Single(Pods.HelperContainer(DaemonSet).Ports, p => p.Name == port).ContainerPort;
        }

        var ip = Pods.IpAddress(pod);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(probe.TimeoutSeconds ?? 5) };
        using var response = http.GetAsync(new Uri($"http://{ip}:{number}{probe.HttpGet.Path}")).GetAwaiter().GetResult();
        return response.StatusCode;
    }
}
