using System.Diagnostics;
using k8s;
using k8s.Models;

namespace QuoteHelper.Pods.Tests;

/// <summary>
/// One simulated node: a temporary directory standing for the host's root, under which every hostPath volume of the
/// pods played here lives (hostPath /var/run/aesmd → NODE/var/run/aesmd), so a second pod, a restart or a "reboot"
/// finds what the previous pod left, as on a node. Dispose removes every pod played here by name, then the directory.
/// </summary>
internal sealed class Node : IDisposable
{
    private static readonly TimeSpan s_podmanTimeout = TimeSpan.FromSeconds(120);
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("qh-pods-");
    private readonly List<string> _pods = [];
    private readonly string _prefix = "qh-" + Guid.NewGuid().ToString("N")[..6];
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;

    public Node()
    {
        // Like / on a node: searchable by every uid, so the daemon (1654) and workloads (2000) reach their directories.
        File.SetUnixFileMode(_temp.FullName, (UnixFileMode)0x1ED); // 0755
        Directory.CreateDirectory(Root);
        File.SetUnixFileMode(Root, (UnixFileMode)0x1ED);
        Directory.CreateDirectory(PodFiles);
    }

    /// <summary>The node's "/".</summary>
    public string Root => Path.Combine(_temp.FullName, "root");

    private string PodFiles => Path.Combine(_temp.FullName, "pods");

    /// <summary>Where a hostPath of the pod spec lives on this node.</summary>
    public string HostPath(string path) => Root + "/" + path.TrimStart('/');

    /// <summary>A pod name unique to this node (podman names the containers POD-CONTAINER).</summary>
    public string PodName(string name) => $"{_prefix}-{name}";

    /// <summary>
    /// The DaemonSet's pod template as a Pod, exactly as rendered except: the image of every container and init
    /// container, every hostPath (moved under this node's root), and restartPolicy OnFailure (podman applies the
    /// pod's policy to init containers too; OnFailure gives the kubelet's order: init containers once per start).
    /// And without the containers' `ports`: in Kubernetes a containerPort without hostPort is informational (the
    /// process listens in the pod's network namespace either way, and the probes reach it at the pod's IP), but
    /// podman 4.3 publishes each on the host, so two pods of a node (old and surge) would collide on it.
    /// </summary>
    public V1Pod HelperPod(V1DaemonSet daemonSet, string name, string image)
    {
        // A deep copy, so that each pod is built from the rendering untouched.
        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(daemonSet.Spec.Template));
        var spec = template.Spec;
        spec.RestartPolicy = "OnFailure";
        foreach (var container in spec.Containers.Concat(spec.InitContainers ?? []))
        {
            container.Image = image;
            Assert.All(container.Ports ?? [], p => Assert.Null(p.HostPort)); // a hostPort would be a real difference
            container.Ports = null;
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            if (volume.HostPath is not null)
            {
                volume.HostPath.Path = HostPath(volume.HostPath.Path);
            }
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = PodName(name), Labels = template.Metadata.Labels },
            Spec = spec,
        };
    }

    /// <summary>`podman kube play` of the pod; returns its name. The pod is removed when the node is disposed.</summary>
    public string Play(V1Pod pod)
    {
        var name = pod.Metadata.Name;
        var file = Path.Combine(PodFiles, name + ".yaml");
        File.WriteAllText(file, KubernetesYaml.Serialize(pod));
        _pods.Add(name);
        var result = Podman.Run(s_podmanTimeout, "kube", "play", "--quiet", file);
        if (result.ExitCode != 0)
        {
            // E.g. "init container … exited with code 1": the failed container is still there; show its output.
            var containers = Podman.Run("ps", "--all", "--filter", $"pod={name}", "--format", "{{.Names}}").StdOut
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(c => !c.EndsWith("-infra", StringComparison.Ordinal));
            Assert.Fail($"{result}\n{string.Join('\n', containers.Select(Logs))}");
        }

        return name;
    }

    /// <summary>Stops the pod as the kubelet deletes one: SIGTERM, then SIGKILL after the grace period; then removes it.</summary>
    public void Delete(string pod, int gracePeriodSeconds)
    {
        Podman.Ok(TimeSpan.FromSeconds(gracePeriodSeconds + 60), "pod", "stop", "--time", gracePeriodSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), pod);
        Podman.Ok(s_podmanTimeout, "pod", "rm", "--force", pod);
        _pods.Remove(pod);
    }

    /// <summary>The state of one container of a pod: (status, exit code).</summary>
    public static (string Status, int ExitCode) State(string container)
    {
        var output = Podman.Ok("container", "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", container).Trim().Split(' ');
        return (output[0], int.Parse(output[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Waits (bounded) until the container has exited; returns its exit code.</summary>
    public static int WaitExited(string container, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (status, exitCode) = State(container);
            if (status is "exited" or "stopped")
            {
                return exitCode;
            }

            Assert.True(clock.Elapsed < timeout, $"{container} still {status} after {timeout.TotalSeconds} s\n{Logs(container)}");
            Thread.Sleep(250);
        }
    }

    /// <summary>Runs a command in a running container (as the container's user).</summary>
    public static ProcessResult Exec(string container, IEnumerable<string> command, TimeSpan? timeout = null) =>
        Podman.Run(timeout ?? TimeSpan.FromSeconds(60), ["exec", container, .. command]);

    /// <summary>Waits (bounded) until the container's standard output contains <paramref name="text"/>.</summary>
    public static void WaitForLog(string container, string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Podman.Run("logs", container).StdOut.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < timeout, $"no '{text}' in {container}'s log after {timeout.TotalSeconds} s\n{Logs(container)}");
            Thread.Sleep(250);
        }
    }

    public static string Logs(string container)
    {
        var result = Podman.Run("logs", container);
        return $"--- logs of {container} (exit {result.ExitCode})\n{result.StdOut}{result.StdErr}";
    }

    public void Dispose()
    {
        foreach (var pod in _pods)
        {
            if (Podman.Run("pod", "exists", pod).ExitCode == 0)
            {
                Podman.Run(s_podmanTimeout, "pod", "rm", "--force", "--time", "0", pod);
            }
        }

        RemoveAnonymousVolumes();
        _temp.Delete(recursive: true);
    }

    /// <summary>
    /// The anonymous volumes podman made for this node's pods: the image's VOLUMEs in a container that does not mount
    /// them itself (the sample Job's). `pod rm` leaves them, and an init container's cannot even be found by its
    /// container (podman removes init containers that exited 0). So: the dangling anonymous volumes (64 hex digits, in
    /// use by no container) created since this node was made.
    /// </summary>
    private void RemoveAnonymousVolumes()
    {
        var volumes = Podman.Run("volume", "ls", "--filter", "dangling=true", "--format", "{{.Name}} {{.CreatedAt.Unix}}").StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .Where(f => f.Length == 2 && f[0].Length == 64 && f[0].All(char.IsAsciiHexDigitLower)
                && long.TryParse(f[1], System.Globalization.CultureInfo.InvariantCulture, out var created) && created >= _created)
            .Select(f => f[0])
            .ToList();
        if (volumes.Count > 0)
        {
            Podman.Run(s_podmanTimeout, ["volume", "rm", .. volumes]);
        }
    }
}
