using k8s;
using k8s.Models;

namespace QuoteHelper.Deploy.Tests;

/// <summary>
/// The project's rules for Kubernetes objects, as functions that return violations (empty = compliant), so that
/// each rule is tested both on the rendered chart (no violation) and on a broken object (a violation): a rule that
/// cannot fail is no rule.
/// </summary>
internal static class ProjectRules
{
    public const string SocketDir = "/var/run/aesmd";
    public const string SocketPath = "/var/run/aesmd/aesm.socket";
    public const string StateDir = "/var/lib/quote-helper";

    /// <summary>Resources that are not extended resources (kubernetes.md §1.6: only extended ones must have requests == limits).</summary>
    private static readonly string[] s_standardResources = ["cpu", "memory", "ephemeral-storage"];

    /// <summary>Every pod template in an object (DaemonSet, Job, Deployment, StatefulSet, bare Pod).</summary>
    public static IEnumerable<(string Owner, V1PodSpec Spec)> PodSpecs(IKubernetesObject obj) => obj switch
    {
        V1DaemonSet d => [($"DaemonSet/{d.Metadata.Name}", d.Spec.Template.Spec)],
        V1Job j => [($"Job/{j.Metadata.Name}", j.Spec.Template.Spec)],
        V1Deployment d => [($"Deployment/{d.Metadata.Name}", d.Spec.Template.Spec)],
        V1StatefulSet s => [($"StatefulSet/{s.Metadata.Name}", s.Spec.Template.Spec)],
        V1Pod p => [($"Pod/{p.Metadata.Name}", p.Spec)],
        _ => [],
    };

    public static IEnumerable<V1Container> AllContainers(V1PodSpec spec) =>
        (spec.InitContainers ?? []).Concat(spec.Containers ?? []);

    /// <summary>
    /// Wherever a container sets SGX_AESM_ADDR (out-of-proc quoting), it must mount the node's /var/run/aesmd at
    /// /var/run/aesmd from a hostPath volume (the AKS docs' rule; without it the workload finds no socket,
    /// MicrosoftDocs/azure-docs#93869). The value must be a non-empty string.
    /// </summary>
    public static List<string> AesmdSocketVolume(string owner, V1PodSpec spec, string hostDir = SocketDir)
    {
        var violations = new List<string>();
        foreach (var container in AllContainers(spec))
        {
            var env = container.Env?.FirstOrDefault(e => e.Name == "SGX_AESM_ADDR");
            if (env is null)
            {
                continue;
            }

            var where = $"{owner} container {container.Name}";
            if (string.IsNullOrEmpty(env.Value))
            {
                violations.Add($"{where}: SGX_AESM_ADDR has no value (use \"1\")");
            }

            var mount = container.VolumeMounts?.FirstOrDefault(m => m.MountPath.TrimEnd('/') == SocketDir);
            if (mount is null)
            {
                violations.Add($"{where}: sets SGX_AESM_ADDR but mounts nothing at {SocketDir}");
                continue;
            }

            if (!string.IsNullOrEmpty(mount.SubPath) || !string.IsNullOrEmpty(mount.SubPathExpr))
            {
                violations.Add($"{where}: {SocketDir} is mounted with a subPath; the socket is re-created on every start and a subPath would pin a stale one");
            }

            var volume = spec.Volumes?.FirstOrDefault(v => v.Name == mount.Name);
            if (volume?.HostPath is null)
            {
                violations.Add($"{where}: volume {mount.Name} mounted at {SocketDir} is not a hostPath");
            }
            else if (volume.HostPath.Path.TrimEnd('/') != hostDir)
            {
                violations.Add($"{where}: hostPath {volume.HostPath.Path} is not the helper's socket directory {hostDir}");
            }
            else if (volume.HostPath.Type is not ("DirectoryOrCreate" or "Directory"))
            {
                violations.Add($"{where}: hostPath {hostDir} has type '{volume.HostPath.Type}', expected DirectoryOrCreate or Directory");
            }
        }

        return violations;
    }

    /// <summary>Extended resources cannot be overcommitted: requests must equal limits (kubernetes.md §1.6).</summary>
    public static List<string> ExtendedResourcesRequestEqualsLimit(string owner, V1PodSpec spec)
    {
        var violations = new List<string>();
        foreach (var container in AllContainers(spec))
        {
            var requests = container.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>();
            var limits = container.Resources?.Limits ?? new Dictionary<string, ResourceQuantity>();
            foreach (var name in requests.Keys.Union(limits.Keys).Where(IsExtendedResource))
            {
                var request = requests.TryGetValue(name, out var r) ? r?.ToString() : null;
                var limit = limits.TryGetValue(name, out var l) ? l?.ToString() : null;
                if (request is null || limit is null || request != limit)
                {
                    violations.Add($"{owner} container {container.Name}: {name} request '{request}' != limit '{limit}'");
                }
            }
        }

        return violations;
    }

    public static bool IsExtendedResource(string name) =>
        !s_standardResources.Contains(name) && !name.StartsWith("hugepages-", StringComparison.Ordinal);

    /// <summary>
    /// Least privilege for every container: no privilege escalation, read-only root filesystem, ALL capabilities
    /// dropped (and at most <paramref name="allowedAddedCapabilities"/> added back), not privileged, seccomp
    /// RuntimeDefault (pod or container level), no host namespaces.
    /// </summary>
    public static List<string> LeastPrivilege(string owner, V1PodSpec spec, params string[] allowedAddedCapabilities)
    {
        var violations = new List<string>();
        if (spec.HostNetwork == true || spec.HostPID == true || spec.HostIPC == true)
        {
            violations.Add($"{owner}: uses a host namespace (hostNetwork/hostPID/hostIPC)");
        }

        var podSeccomp = spec.SecurityContext?.SeccompProfile?.Type;
        foreach (var container in AllContainers(spec))
        {
            var where = $"{owner} container {container.Name}";
            var sc = container.SecurityContext;
            if (sc is null)
            {
                violations.Add($"{where}: no securityContext");
                continue;
            }

            if (sc.AllowPrivilegeEscalation != false)
            {
                violations.Add($"{where}: allowPrivilegeEscalation is not false");
            }

            if (sc.ReadOnlyRootFilesystem != true)
            {
                violations.Add($"{where}: readOnlyRootFilesystem is not true");
            }

            if (sc.Privileged == true)
            {
                violations.Add($"{where}: privileged");
            }

            if (sc.Capabilities?.Drop?.Contains("ALL") != true)
            {
                violations.Add($"{where}: does not drop ALL capabilities");
            }

            foreach (var added in sc.Capabilities?.Add ?? [])
            {
                if (!allowedAddedCapabilities.Contains(added))
                {
                    violations.Add($"{where}: adds capability {added}");
                }
            }

            if ((sc.SeccompProfile?.Type ?? podSeccomp) != "RuntimeDefault")
            {
                violations.Add($"{where}: seccomp profile is not RuntimeDefault");
            }

            foreach (var port in container.Ports ?? [])
            {
                if (port.HostPort is not null)
                {
                    violations.Add($"{where}: hostPort {port.HostPort} (two pods of a surge update could not share it)");
                }
            }
        }

        return violations;
    }

    /// <summary>Every image names an explicit tag (or digest) that is not "latest".</summary>
    public static List<string> PinnedImages(string owner, V1PodSpec spec)
    {
        var violations = new List<string>();
        foreach (var container in AllContainers(spec))
        {
            var image = container.Image ?? "";
            if (image.Contains("@sha256:", StringComparison.Ordinal))
            {
                continue;
            }

            var lastSlash = image.LastIndexOf('/');
            var colon = image.IndexOf(':', lastSlash + 1);
            var tag = colon < 0 ? "" : image[(colon + 1)..];
            if (tag.Length == 0 || tag == "latest" || tag.StartsWith("latest-", StringComparison.Ordinal))
            {
                violations.Add($"{owner} container {container.Name}: image '{image}' is not pinned to a version");
            }
        }

        return violations;
    }

    /// <summary>The value that follows <paramref name="flag"/> in an argument list (the last one if repeated).</summary>
    public static string? FlagValue(IList<string> args, string flag)
    {
        string? value = null;
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == flag)
            {
                value = args[i + 1];
            }
        }

        return value;
    }

    public static List<string> FlagValues(IList<string> args, string flag)
    {
        var values = new List<string>();
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == flag)
            {
                values.Add(args[i + 1]);
            }
        }

        return values;
    }
}
