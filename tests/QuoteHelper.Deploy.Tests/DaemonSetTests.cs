using k8s.Models;

namespace QuoteHelper.Deploy.Tests;

/// <summary>The quote-helper DaemonSet in every chart variant, against the project's rules.</summary>
public sealed class DaemonSetTests
{
    private static V1DaemonSet DaemonSet(string variant) => Manifests.Get(variant).Single<V1DaemonSet>();

    private static V1Container Helper(string variant) =>
        Assert.Single(DaemonSet(variant).Spec.Template.Spec.Containers, c => c.Name == "aesmd");

    private static bool IsHardware(string variant) => variant.StartsWith("hardware", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void UpdateStrategy_IsSurgeHandover_MaxSurge1MaxUnavailable0(string variant)
    {
        var strategy = DaemonSet(variant).Spec.UpdateStrategy;
        Assert.Equal("RollingUpdate", strategy.Type);
        Assert.Equal("1", strategy.RollingUpdate.MaxSurge?.Value);
        Assert.Equal("0", strategy.RollingUpdate.MaxUnavailable?.Value);
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void TerminationGracePeriod_ExceedsShutdownTimeout(string variant)
    {
        var args = Helper(variant).Args;
        var shutdownTimeout = int.Parse(ProjectRules.FlagValue(args, "--shutdown-timeout") ?? "missing", System.Globalization.CultureInfo.InvariantCulture);
        var grace = DaemonSet(variant).Spec.Template.Spec.TerminationGracePeriodSeconds;
        Assert.NotNull(grace);
        Assert.True(grace > shutdownTimeout, $"terminationGracePeriodSeconds {grace} must exceed --shutdown-timeout {shutdownTimeout}");
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void Args_UseOnlyTheAgreedDaemonFlags_WithTheChartPaths(string variant)
    {
        var container = Helper(variant);
        Assert.Null(container.Command); // the image's ENTRYPOINT (/app/quote-helper) runs; args start with the verb
        var args = container.Args;
        Assert.Equal("daemon", args[0]);
        var flags = args.Skip(1).ToList();
        Assert.Empty(DaemonContract.Check(flags));

        Assert.Equal(ProjectRules.SocketPath, ProjectRules.FlagValue(flags, "--socket"));
        Assert.Equal(ProjectRules.StateDir, ProjectRules.FlagValue(flags, "--state-dir"));
        Assert.Equal("0666", ProjectRules.FlagValue(flags, "--socket-mode"));
        Assert.Contains("--json-logs", flags);
        Assert.Contains("--stay-after-handover", flags); // an exited predecessor would be restarted and take the socket back
        Assert.Equal(IsHardware(variant) ? "hardware" : "simulation", ProjectRules.FlagValue(flags, "--backend"));

        // The metrics listener binds the pod IP on the port the container declares as "metrics".
        var port = Assert.Single(container.Ports, p => p.Name == "metrics");
        Assert.Equal($"http://0.0.0.0:{port.ContainerPort}", ProjectRules.FlagValue(flags, "--metrics-listen"));
        Assert.Equal("TCP", port.Protocol);
        Assert.Null(port.HostPort);

        if (IsHardware(variant))
        {
            Assert.Equal("/usr/lib/x86_64-linux-gnu/libsgx_dcap_ql.so.1", ProjectRules.FlagValue(flags, "--dcap-library"));
            Assert.DoesNotContain(flags, f => DaemonContract.SimulationOnlyFlags.Contains(f));
        }
        else
        {
            Assert.DoesNotContain("--dcap-library", flags);
        }
    }

    [Fact]
    public void Args_AllOptions_RenderEveryOptionalFlag()
    {
        var args = Helper("simulation-all-options").Args;
        Assert.Equal(["0", "1001"], ProjectRules.FlagValues(args, "--allow-uid"));
        Assert.Equal(["2000"], ProjectRules.FlagValues(args, "--allow-gid"));
        Assert.Equal("4", ProjectRules.FlagValue(args, "--max-concurrent-per-peer"));
        Assert.Equal("50", ProjectRules.FlagValue(args, "--max-requests-per-second-per-peer"));
        Assert.Equal("11", ProjectRules.FlagValue(args, "--qe-svn"));
        Assert.Equal("14", ProjectRules.FlagValue(args, "--pce-svn"));
        Assert.Equal("0c0c0202ff0100000000000000000000", ProjectRules.FlagValue(args, "--cpu-svn"));

        // ... and the defaults leave every optional flag to the daemon.
        var defaults = Helper("simulation").Args;
        foreach (var flag in new[] { "--allow-uid", "--allow-gid", "--max-concurrent-per-peer", "--max-requests-per-second-per-peer", "--qe-svn", "--pce-svn", "--cpu-svn" })
        {
            Assert.DoesNotContain(flag, defaults);
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void Probes_LivenessIsARealRoundTrip_ReadinessIsReadyz_StartupIsHealthz(string variant)
    {
        var container = Helper(variant);

        var liveness = container.LivenessProbe;
        Assert.NotNull(liveness?.Exec);
        Assert.Equal(["/app/quote-helper", "health", "--socket", ProjectRules.SocketPath], liveness.Exec.Command);
        Assert.True(liveness.TimeoutSeconds >= 5, "a .NET process start on a busy node needs more than the default 1 s");
        Assert.True(liveness.FailureThreshold >= 3);

        var readiness = container.ReadinessProbe;
        Assert.NotNull(readiness?.HttpGet);
        Assert.Equal("/readyz", readiness.HttpGet.Path);
        Assert.Equal("metrics", readiness.HttpGet.Port.Value);

        var startup = container.StartupProbe;
        Assert.NotNull(startup?.HttpGet);
        Assert.Equal("/healthz", startup.HttpGet.Path);
        Assert.Equal("metrics", startup.HttpGet.Port.Value);
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void Volumes_SocketAndStateDirectoriesAreHostPathsDirectoryOrCreate(string variant)
    {
        var spec = DaemonSet(variant).Spec.Template.Spec;
        var container = Helper(variant);
        foreach (var (mountPath, hostPath) in new[] { (ProjectRules.SocketDir, "/var/run/aesmd"), (ProjectRules.StateDir, "/var/lib/quote-helper") })
        {
            var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == mountPath);
            Assert.NotEqual(true, mount.ReadOnlyProperty);
            Assert.Null(mount.SubPath);
            var volume = Assert.Single(spec.Volumes, v => v.Name == mount.Name);
            Assert.NotNull(volume.HostPath);
            Assert.Equal(hostPath, volume.HostPath.Path);
            Assert.Equal("DirectoryOrCreate", volume.HostPath.Type);
        }

        // The read-only root filesystem still needs a scratch /tmp (QCNL cache, HOME).
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/tmp");
        Assert.Contains(container.Env, e => e.Name == "HOME" && e.Value == "/tmp");
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void SecurityContext_LeastPrivilege(string variant)
    {
        var spec = DaemonSet(variant).Spec.Template.Spec;
        Assert.Empty(ProjectRules.LeastPrivilege("DaemonSet", spec, "CHOWN", "FOWNER"));
        Assert.False(spec.AutomountServiceAccountToken ?? true, "the helper never calls the API server");

        var helper = Helper(variant).SecurityContext;
        Assert.Null(helper.Capabilities.Add); // only the init container gets CHOWN/FOWNER back
        if (IsHardware(variant))
        {
            // Root for the root-owned device nodes, but without any capability (values-hardware.yaml explains).
            Assert.Equal(0, helper.RunAsUser);
            Assert.False(helper.RunAsNonRoot);
            Assert.Null(spec.InitContainers);
        }
        else
        {
            Assert.True(helper.RunAsNonRoot);
            Assert.Equal(1654, helper.RunAsUser);
            Assert.Equal(1654, helper.RunAsGroup);

            // The init container hands the kubelet-created (root-owned) host directories to the daemon's user.
            var init = Assert.Single(spec.InitContainers);
            Assert.Equal(["CHOWN", "FOWNER"], init.SecurityContext.Capabilities.Add);
            var script = string.Join(' ', init.Command);
            Assert.Contains($"chown 1654:1654 {ProjectRules.SocketDir}", script, StringComparison.Ordinal);
            Assert.Contains($"chown 1654:1654 {ProjectRules.StateDir}", script, StringComparison.Ordinal);
            // Never a recursive walk: root with only CHOWN/FOWNER cannot read the daemon's 0700 state directory, so a
            // walk fails on every start after the first (issue 14; InitContainerTests runs the script for real).
            Assert.DoesNotContain("-R", script, StringComparison.Ordinal);
            Assert.Equal(
                init.VolumeMounts.Select(m => (m.Name, m.MountPath)).Order(),
                Helper(variant).VolumeMounts.Where(m => m.MountPath != "/tmp").Select(m => (m.Name, m.MountPath)).Order());
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void Images_ArePinned_AndHardwareUsesTheHardwareImage(string variant)
    {
        var spec = DaemonSet(variant).Spec.Template.Spec;
        Assert.Empty(ProjectRules.PinnedImages("DaemonSet", spec));
        Assert.All(ProjectRules.AllContainers(spec), c => Assert.Equal(IsHardware(variant) ? "quote-helper:0.1.0-hardware" : "quote-helper:0.1.0", c.Image));
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void Resources_RequestsAndLimitsSet_ExtendedResourcesOnlyInHardware(string variant)
    {
        var spec = DaemonSet(variant).Spec.Template.Spec;
        Assert.Empty(ProjectRules.ExtendedResourcesRequestEqualsLimit("DaemonSet", spec));
        foreach (var container in ProjectRules.AllContainers(spec))
        {
            Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory"), container.Name);
            Assert.True(container.Resources.Limits.ContainsKey("cpu") && container.Resources.Limits.ContainsKey("memory"), container.Name);
        }

        var extended = Helper(variant).Resources.Limits.Keys.Where(ProjectRules.IsExtendedResource).Order().ToList();
        var expected = variant switch
        {
            "hardware" => ["kubernetes.azure.com/sgx_epc_mem_in_MiB"],
            "hardware-intel-plugin" => new List<string> { "sgx.intel.com/enclave", "sgx.intel.com/epc", "sgx.intel.com/provision" },
            _ => [],
        };
        Assert.Equal(expected, extended);
        if (variant == "hardware-intel-plugin")
        {
            Assert.Equal("1Mi", Helper(variant).Resources.Limits["sgx.intel.com/epc"].ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void Scheduling_HardwareOnSgxNodesWithTolerations_SimulationOnLinuxNodes(string variant)
    {
        var spec = DaemonSet(variant).Spec.Template.Spec;
        Assert.Equal("linux", spec.NodeSelector["kubernetes.io/os"]);
        Assert.Equal("system-node-critical", spec.PriorityClassName);
        if (IsHardware(variant))
        {
            var terms = spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms;
            var keys = terms.SelectMany(t => t.MatchExpressions).Select(e => e.Key).ToList();
            Assert.Contains("intel.feature.node.kubernetes.io/sgx", keys);
            Assert.Contains("sgx.intel.com/capable", keys);
            Assert.Contains("node.kubernetes.io/instance-type", keys);
            Assert.Contains(spec.Tolerations, t => t.Key == "kubernetes.azure.com/sgx_epc_mem_in_MiB" && t.OperatorProperty == "Exists" && t.Effect == "NoSchedule");
        }
        else
        {
            Assert.Null(spec.Affinity);
            Assert.Null(spec.Tolerations);
        }
    }

    [Fact]
    public void Hardware_QcnlConfigMounted_FromTheConfigMapWithValidJson_AndPodsRollWhenItChanges()
    {
        var rendering = Manifests.Get("hardware");
        var configMap = rendering.Single<V1ConfigMap>();
        using var json = System.Text.Json.JsonDocument.Parse(configMap.Data["sgx_default_qcnl.conf"]);
        Assert.Equal("http://169.254.169.254/metadata/THIM/sgx/certification/v4/", json.RootElement.GetProperty("local_pck_url").GetString());

        var daemonSet = rendering.Single<V1DaemonSet>();
        var volume = Assert.Single(daemonSet.Spec.Template.Spec.Volumes, v => v.ConfigMap is not null);
        Assert.Equal(configMap.Metadata.Name, volume.ConfigMap.Name);
        var mount = Assert.Single(Helper("hardware").VolumeMounts, m => m.Name == volume.Name);
        Assert.Equal("/etc/sgx_default_qcnl.conf", mount.MountPath);
        Assert.Equal("sgx_default_qcnl.conf", mount.SubPath);
        Assert.True(daemonSet.Spec.Template.Metadata.Annotations.ContainsKey("checksum/qcnl-config"));

        Assert.Empty(Manifests.Get("simulation").All<V1ConfigMap>());
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void Metrics_HeadlessServiceSelectsTheHelperPods_OnThePortNamedMetrics(string variant)
    {
        var rendering = Manifests.Get(variant);
        var daemonSet = rendering.Single<V1DaemonSet>();
        var service = Assert.Single(rendering.All<V1Service>(), s => s.Metadata.Name == "quote-helper-metrics");
        Assert.Equal("None", service.Spec.ClusterIP);
        var podLabels = daemonSet.Spec.Template.Metadata.Labels;
        Assert.All(service.Spec.Selector, kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        Assert.All(daemonSet.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        var port = Assert.Single(service.Spec.Ports);
        Assert.Equal("metrics", port.Name);
        Assert.Equal("metrics", port.TargetPort.Value);

        foreach (var monitor in rendering.All<V1ServiceMonitor>())
        {
            var endpoint = Assert.Single(monitor.Spec.Endpoints);
            Assert.Equal("metrics", endpoint.Port);
            Assert.Equal("/metrics", endpoint.Path);
            Assert.All(monitor.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, service.Metadata.Labels[kv.Key]));
            Assert.Equal([Helm.Namespace], monitor.Spec.NamespaceSelector?.MatchNames);
        }

        foreach (var pdb in rendering.All<V1PodDisruptionBudget>())
        {
            Assert.All(pdb.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        }
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void CollateralServer_InSimulationPods_ReadsTheStateDirectoryReadOnly_BehindANodeLocalService(string variant)
    {
        var rendering = Manifests.Get(variant);
        var spec = rendering.Single<V1DaemonSet>().Spec.Template.Spec;
        var collateral = spec.Containers.SingleOrDefault(c => c.Name == "collateral");
        var service = rendering.All<V1Service>().SingleOrDefault(s => s.Metadata.Name == "quote-helper-collateral");
        if (IsHardware(variant))
        {
            // Hardware collateral comes from Intel's PCS or a PCCS, not from the helper.
            Assert.Null(collateral);
            Assert.Null(service);
            return;
        }

        Assert.NotNull(collateral);
        Assert.NotNull(service);
        Assert.Null(collateral.Command);
        Assert.Equal(
            ["pccs", "--listen", "http://0.0.0.0:8081", "--allow-remote", "--state-dir", ProjectRules.StateDir, "--wait-for-platform", "120", "--scenario", "UpToDate"],
            collateral.Args);

        // A reader: the helper's state volume, read-only; nothing else.
        var mount = Assert.Single(collateral.VolumeMounts);
        Assert.Equal(ProjectRules.StateDir, mount.MountPath);
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("/var/lib/quote-helper", Assert.Single(spec.Volumes, v => v.Name == mount.Name).HostPath.Path);

        var port = Assert.Single(collateral.Ports);
        Assert.Equal(("collateral", 8081, "TCP"), (port.Name, port.ContainerPort, port.Protocol));
        Assert.Null(port.HostPort);
        Assert.Equal("/sgx/certification/v4/rootcacrl", collateral.ReadinessProbe.HttpGet.Path);
        Assert.Equal("collateral", collateral.ReadinessProbe.HttpGet.Port.Value);
        Assert.Equal(Helper(variant).SecurityContext.RunAsUser, collateral.SecurityContext.RunAsUser); // platform.json is 0600

        // Node-local: a client reaches the helper on its own node, whose platform made its quotes.
        Assert.Equal("ClusterIP", service.Spec.Type);
        Assert.Equal("Local", service.Spec.InternalTrafficPolicy);
        var podLabels = rendering.Single<V1DaemonSet>().Spec.Template.Metadata.Labels;
        Assert.All(service.Spec.Selector, kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        var servicePort = Assert.Single(service.Spec.Ports);
        Assert.Equal(("collateral", 8081, "collateral"), (servicePort.Name, servicePort.Port, servicePort.TargetPort.Value));
    }

    [Fact]
    public void CollateralServer_Disabled_RendersNeitherContainerNorService()
    {
        var rendering = new Rendering("no-collateral", Helm.Template("--set", "collateralServer.enabled=false"));
        Assert.DoesNotContain(rendering.Single<V1DaemonSet>().Spec.Template.Spec.Containers, c => c.Name == "collateral");
        Assert.Equal(["quote-helper-metrics"], rendering.All<V1Service>().Select(s => s.Metadata.Name));
    }

    [Fact]
    public void OptionalObjects_OffByDefault()
    {
        foreach (var variant in new[] { "simulation", "hardware" })
        {
            var rendering = Manifests.Get(variant);
            Assert.Empty(rendering.All<V1ServiceMonitor>());
            Assert.Empty(rendering.All<V1PodDisruptionBudget>());
            Assert.Empty(rendering.All<V1Job>());
        }
    }

    [Fact]
    public void AllObjects_InTheReleaseNamespace_WithTheChartLabels()
    {
        foreach (var rendering in Manifests.All)
        {
            Assert.All(rendering.Objects, o =>
            {
                var metadata = ((k8s.IKubernetesObject<V1ObjectMeta>)o).Metadata;
                Assert.Equal(Helm.Namespace, metadata.NamespaceProperty);
                Assert.Equal("quote-helper", metadata.Labels["app.kubernetes.io/part-of"]);
            });
        }
    }
}
