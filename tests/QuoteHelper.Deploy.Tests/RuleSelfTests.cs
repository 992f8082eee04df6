using k8s;
using k8s.Models;

namespace QuoteHelper.Deploy.Tests;

/// <summary>Each project rule reports a violation on an object broken in exactly the way the rule guards against.</summary>
public sealed class RuleSelfTests
{
    /// <summary>A fresh copy of the rendered sample Job's pod spec (the objects of the shared renderings stay untouched).</summary>
    private static V1PodSpec SampleSpec() =>
        KubernetesJson.Deserialize<V1Job>(KubernetesJson.Serialize(Manifests.Get("simulation-all-options").Single<V1Job>())).Spec.Template.Spec;

    private static V1PodSpec HardwareSpec() =>
        KubernetesJson.Deserialize<V1DaemonSet>(KubernetesJson.Serialize(Manifests.Get("hardware").Single<V1DaemonSet>())).Spec.Template.Spec;

    private static V1Container Quote(V1PodSpec spec) => spec.InitContainers.Single(c => c.Name == "quote");

    [Fact]
    public void AesmdRule_Baseline_NoViolation() => Assert.Empty(ProjectRules.AesmdSocketVolume("Job", SampleSpec()));

    [Fact]
    public void AesmdRule_SgxAesmAddrWithoutTheMount_IsAViolation()
    {
        var spec = SampleSpec();
        Quote(spec).VolumeMounts = [.. Quote(spec).VolumeMounts.Where(m => m.MountPath != ProjectRules.SocketDir)];
        Assert.Contains(ProjectRules.AesmdSocketVolume("Job", spec), v => v.Contains("mounts nothing at /var/run/aesmd", StringComparison.Ordinal));
    }

    [Fact]
    public void AesmdRule_MountFromAnEmptyDir_IsAViolation()
    {
        var spec = SampleSpec();
        var volume = spec.Volumes.Single(v => v.Name == Quote(spec).VolumeMounts.Single(m => m.MountPath == ProjectRules.SocketDir).Name);
        volume.HostPath = null;
        volume.EmptyDir = new V1EmptyDirVolumeSource();
        Assert.Contains(ProjectRules.AesmdSocketVolume("Job", spec), v => v.Contains("is not a hostPath", StringComparison.Ordinal));
    }

    [Fact]
    public void AesmdRule_WrongHostDirectoryOrType_IsAViolation()
    {
        var spec = SampleSpec();
        var volume = spec.Volumes.Single(v => v.HostPath?.Path == ProjectRules.SocketDir);
        volume.HostPath.Path = "/var/run/aesm";
        Assert.Contains(ProjectRules.AesmdSocketVolume("Job", spec), v => v.Contains("is not the helper's socket directory", StringComparison.Ordinal));

        volume.HostPath.Path = ProjectRules.SocketDir;
        volume.HostPath.Type = "Socket";
        Assert.Contains(ProjectRules.AesmdSocketVolume("Job", spec), v => v.Contains("has type 'Socket'", StringComparison.Ordinal));
    }

    [Fact]
    public void AesmdRule_EmptyValue_IsAViolation()
    {
        var spec = SampleSpec();
        Quote(spec).Env.Single(e => e.Name == "SGX_AESM_ADDR").Value = "";
        Assert.Contains(ProjectRules.AesmdSocketVolume("Job", spec), v => v.Contains("has no value", StringComparison.Ordinal));
    }

    [Fact]
    public void ExtendedResourceRule_RequestDiffersFromLimitOrIsMissing_IsAViolation()
    {
        var spec = HardwareSpec();
        Assert.Empty(ProjectRules.ExtendedResourcesRequestEqualsLimit("DaemonSet", spec));
        var helper = spec.Containers.Single();
        helper.Resources.Requests["kubernetes.azure.com/sgx_epc_mem_in_MiB"] = new ResourceQuantity("2");
        Assert.Single(ProjectRules.ExtendedResourcesRequestEqualsLimit("DaemonSet", spec));
        helper.Resources.Requests.Remove("kubernetes.azure.com/sgx_epc_mem_in_MiB");
        Assert.Single(ProjectRules.ExtendedResourcesRequestEqualsLimit("DaemonSet", spec));

        // cpu/memory may differ: they are not extended resources.
        helper.Resources.Requests["kubernetes.azure.com/sgx_epc_mem_in_MiB"] = new ResourceQuantity("1");
        helper.Resources.Requests["cpu"] = new ResourceQuantity("10m");
        Assert.Empty(ProjectRules.ExtendedResourcesRequestEqualsLimit("DaemonSet", spec));
    }

    [Fact]
    public void LeastPrivilegeRule_EachWeakening_IsAViolation()
    {
        var weakenings = new (string Expected, Action<V1PodSpec> Weaken)[]
        {
            ("allowPrivilegeEscalation", s => s.Containers[0].SecurityContext.AllowPrivilegeEscalation = true),
            ("readOnlyRootFilesystem", s => s.Containers[0].SecurityContext.ReadOnlyRootFilesystem = null),
            ("privileged", s => s.Containers[0].SecurityContext.Privileged = true),
            ("does not drop ALL", s => s.Containers[0].SecurityContext.Capabilities.Drop = ["NET_RAW"]),
            ("adds capability SYS_ADMIN", s => s.Containers[0].SecurityContext.Capabilities.Add = ["SYS_ADMIN"]),
            ("seccomp", s => s.SecurityContext.SeccompProfile = null),
            ("host namespace", s => s.HostNetwork = true),
            ("hostPort", s => s.Containers[0].Ports[0].HostPort = 9464),
            ("no securityContext", s => s.Containers[0].SecurityContext = null),
        };
        Assert.Empty(ProjectRules.LeastPrivilege("DaemonSet", HardwareSpec()));
        foreach (var (expected, weaken) in weakenings)
        {
            var spec = HardwareSpec();
            weaken(spec);
            Assert.Contains(ProjectRules.LeastPrivilege("DaemonSet", spec), v => v.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("quote-helper")]
    [InlineData("quote-helper:latest")]
    [InlineData("registry.example.com:5000/quote-helper")]
    [InlineData("registry.example.com:5000/quote-helper:latest-hardware")]
    public void PinnedImageRule_UnpinnedImage_IsAViolation(string image)
    {
        var spec = HardwareSpec();
        spec.Containers[0].Image = image;
        Assert.Single(ProjectRules.PinnedImages("DaemonSet", spec));
    }

    [Theory]
    [InlineData("registry.example.com:5000/quote-helper:0.1.0")]
    [InlineData("quote-helper@sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    public void PinnedImageRule_PinnedImage_NoViolation(string image)
    {
        var spec = HardwareSpec();
        spec.Containers[0].Image = image;
        Assert.Empty(ProjectRules.PinnedImages("DaemonSet", spec));
    }

    [Fact]
    public void DaemonContract_UnknownFlagOrMissingValue_IsAViolation()
    {
        Assert.Empty(DaemonContract.Check(["--socket", "/s", "--json-logs", "--allow-uid", "1"]));
        Assert.Single(DaemonContract.Check(["--socket", "/s", "--linger"]));
        Assert.Single(DaemonContract.Check(["--socket", "--json-logs"]));
        Assert.Single(DaemonContract.Check(["--backend"]));
    }
}
