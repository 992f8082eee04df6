using System.Diagnostics;
using k8s.Models;

namespace QuoteHelper.Pods.Tests;

/// <summary>What the tests need to know about the rendered helper pod and how to drive pods on a <see cref="Node"/>.</summary>
internal static class Pods
{
    /// <summary>The helper container (named like Intel's aesmd container, which Intel's webhook keys to).</summary>
    public const string Helper = "aesmd";

    public const int WorkloadUid = 2000;

    public static string Container(string pod, string container) => $"{pod}-{container}";

    public static V1Container HelperContainer(V1DaemonSet daemonSet) =>
        Assert.Single(daemonSet.Spec.Template.Spec.Containers, c => c.Name == Helper);

    /// <summary>The liveness probe's command, exactly as rendered (a real AESM round trip over the node's socket).</summary>
    public static IList<string> LivenessCommand(V1DaemonSet daemonSet) => HelperContainer(daemonSet).LivenessProbe.Exec.Command;

    /// <summary>The socket path the helper serves (its --socket argument).</summary>
    public static string SocketPath(V1DaemonSet daemonSet)
    {
        var args = HelperContainer(daemonSet).Args;
        var index = args.IndexOf("--socket");
        Assert.True(index >= 0 && index + 1 < args.Count, "the helper has no --socket argument");
        return args[index + 1];
    }

    /// <summary>The hostPath (as rendered) of the volume the helper mounts at <paramref name="mountPath"/>.</summary>
    public static string HostPathMountedAt(V1DaemonSet daemonSet, string mountPath)
    {
        var mount = Assert.Single(HelperContainer(daemonSet).VolumeMounts, m => m.MountPath == mountPath);
        var volume = Assert.Single(daemonSet.Spec.Template.Spec.Volumes, v => v.Name == mount.Name);
        Assert.NotNull(volume.HostPath);
        return volume.HostPath.Path;
    }

    /// <summary>
    /// Waits (bounded) until every init container of the pod exited 0 and the helper answers its own liveness
    /// command; fails with the containers' logs otherwise.
    /// </summary>
    public static void WaitServing(V1DaemonSet daemonSet, string pod, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        var clock = Stopwatch.StartNew();
        foreach (var init in daemonSet.Spec.Template.Spec.InitContainers ?? [])
        {
            // podman 4.3 plays init containers as its "once" kind: removed after they exit 0 (and `kube play` fails
            // when one exits non-zero, leaving it there). One still present must have exited 0.
            var name = Container(pod, init.Name);
            if (Podman.Run("container", "exists", name).ExitCode == 0)
            {
                var exit = Node.WaitExited(name, limit - clock.Elapsed);
                Assert.True(exit == 0, $"init container {init.Name} exited {exit}\n{Node.Logs(name)}");
            }
        }

        var helper = Container(pod, Helper);
        while (true)
        {
            // Not running yet, or again (a restart after a crash goes through "stopped"): wait for it, bounded.
            var (status, exitCode) = Node.State(helper);
            var probe = status == "running" ? Node.Exec(helper, LivenessCommand(daemonSet)) : null;
            if (probe?.ExitCode == 0)
            {
                return;
            }

            Assert.True(clock.Elapsed < limit, $"{helper} not healthy after {limit.TotalSeconds} s: {status} (exit {exitCode}) {probe}\n{Node.Logs(helper)}");
            Thread.Sleep(500);
        }
    }

    /// <summary>
    /// A workload pod as an enclave application runs: another uid than the helper's, no capability, read-only root
    /// filesystem, the node's socket directory mounted read-only, SGX_AESM_ADDR=1 (Intel's switch to the out-of-proc
    /// quote library), and a writable NODE/out/NAME at /out. Runs the image's CLI with <paramref name="args"/>.
    /// </summary>
    public static V1Pod WorkloadPod(Node node, V1DaemonSet daemonSet, string name, string image, IList<string> args)
    {
        var socketDir = Path.GetDirectoryName(SocketPath(daemonSet))!;
        var output = node.HostPath("/out/" + name);
        Directory.CreateDirectory(output);
        File.SetUnixFileMode(output, (UnixFileMode)0x1FF); // 0777: the workload's uid writes here
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = node.PodName(name) },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                SecurityContext = new V1PodSecurityContext
                {
                    RunAsNonRoot = true,
                    RunAsUser = WorkloadUid,
                    RunAsGroup = WorkloadUid,
                    SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                },
                Containers =
                [
                    new V1Container
                    {
                        Name = "workload",
                        Image = image,
                        Args = args,
                        Env =
                        [
                            new V1EnvVar { Name = "SGX_AESM_ADDR", Value = "1" },
                            new V1EnvVar { Name = "DOTNET_EnableDiagnostics", Value = "0" },
                            new V1EnvVar { Name = "HOME", Value = "/tmp" },
                        ],
                        SecurityContext = new V1SecurityContext
                        {
                            AllowPrivilegeEscalation = false,
                            Privileged = false,
                            ReadOnlyRootFilesystem = true,
                            Capabilities = new V1Capabilities { Drop = ["ALL"] },
                        },
                        VolumeMounts =
                        [
                            new V1VolumeMount { Name = "aesmd-socket", MountPath = socketDir, ReadOnlyProperty = true },
                            new V1VolumeMount { Name = "out", MountPath = "/out" },
                        ],
                    },
                ],
                Volumes =
                [
                    new V1Volume
                    {
                        Name = "aesmd-socket",
                        HostPath = new V1HostPathVolumeSource { Path = node.HostPath(HostPathMountedAt(daemonSet, socketDir)), Type = "Directory" },
                    },
                    new V1Volume { Name = "out", HostPath = new V1HostPathVolumeSource { Path = output, Type = "Directory" } },
                ],
            },
        };
    }

    /// <summary>The pod's IP address on podman's network (its infra container's), as the kubelet and Services reach it.</summary>
    public static string IpAddress(string pod)
    {
        var infra = Podman.Ok("pod", "inspect", "--format", "{{.InfraContainerID}}", pod).Trim();
        var ip = Podman.Ok("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", infra).Trim();
        Assert.False(string.IsNullOrEmpty(ip), $"pod {pod} has no IP address");
        return ip;
    }

    /// <summary>The ECDSA attestation public key of a v3 quote: header 48, report body 384, signature length 4, ISV report signature 64, then the key (64).</summary>
    public static string AttestationKey(byte[] quote)
    {
        Assert.True(quote.Length > 564, $"a {quote.Length}-byte quote is too short");
        Assert.Equal(3, BitConverter.ToUInt16(quote, 0));
        return Convert.ToHexString(quote, 48 + 384 + 4 + 64, 64);
    }
}
