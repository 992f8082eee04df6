using k8s;
using k8s.Models;

namespace QuoteHelper.Pods.Tests;

/// <summary>
/// The chart's sample workload Job, played as a pod beside a helper pod: a workload's quote over the node's socket,
/// then a relying party's collateral fetched over HTTP from the helper pod's collateral container (the PCCS API),
/// then verify against the root that collateral's chains end in. Played exactly as rendered except the image, the
/// hostPaths and the collateral URL: the Service name (cluster DNS and a Service proxy do not exist under podman)
/// becomes the helper pod's IP with the same port, which is what the node-local Service routes to.
/// </summary>
public sealed class SampleJobTests(PodEnvironment environment) : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public void SampleJob_QuotesFetchesCollateralOverHttp_AndVerifies()
    {
        var daemonSet = environment.DaemonSet;
        var helper = _node.Play(_node.HelperPod(daemonSet, "helper", environment.Image));
        Pods.WaitServing(daemonSet, helper);

        // The collateral container serves once the helper has made the platform (pccs --wait-for-platform).
        var collateral = Pods.Container(helper, "collateral");
        Node.WaitForLog(collateral, "listening on", TimeSpan.FromSeconds(60));

        var job = environment.SampleJob;
        var pod = JobPod(job, Pods.IpAddress(helper));
        var played = _node.Play(pod);

        var verify = Pods.Container(played, "verify");
        var exit = Node.WaitExited(verify, TimeSpan.FromSeconds(120));
        var output = Podman.Ok("logs", verify);
        Assert.True(exit == 0, $"the sample Job's verify exited {exit}\n{output}\n{Node.Logs(collateral)}");
        Assert.Contains("UpToDate", output, StringComparison.Ordinal);

        // The helper's state directory was mounted by no container of the Job.
        var stateHostPath = Pods.HostPathMountedAt(daemonSet, "/var/lib/quote-helper");
        Assert.DoesNotContain(job.Spec.Template.Spec.Volumes, v => v.HostPath?.Path == stateHostPath);
    }

    /// <summary>The Job's pod template as a Pod, with only the image, the hostPaths and the collateral URL substituted.</summary>
    private V1Pod JobPod(V1Job job, string helperIp)
    {
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(job.Spec.Template));
        var spec = template.Spec;
        foreach (var container in spec.Containers.Concat(spec.InitContainers ?? []))
        {
            container.Image = environment.Image;
            var pccs = container.Args?.IndexOf("--pccs") ?? -1;
            if (pccs >= 0)
            {
                var service = new Uri(container.Args![pccs + 1]);
                Assert.EndsWith(".svc", service.Host, StringComparison.Ordinal); // the Service's cluster DNS name
                container.Args[pccs + 1] = $"http://{helperIp}:{service.Port}/";
            }
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            if (volume.HostPath is not null)
            {
                volume.HostPath.Path = _node.HostPath(volume.HostPath.Path);
            }
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = _node.PodName("sample-job"), Labels = template.Metadata.Labels },
            Spec = spec,
        };
    }
}
