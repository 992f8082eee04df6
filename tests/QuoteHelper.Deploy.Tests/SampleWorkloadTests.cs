using k8s.Models;

namespace QuoteHelper.Deploy.Tests;

/// <summary>The sample workload Job: a workload's quote over the shared socket, then a relying party's verification.</summary>
public sealed class SampleWorkloadTests
{
    private static V1Job Job => Manifests.Get("simulation-all-options").Single<V1Job>();

    [Fact]
    public void AesmdRule_HoldsForEveryPodTemplateInEveryRendering_AndTheSampleExercisesIt()
    {
        var containersWithAesmAddr = 0;
        foreach (var rendering in Manifests.All)
        {
            foreach (var obj in rendering.Objects)
            {
                foreach (var (owner, spec) in ProjectRules.PodSpecs(obj))
                {
                    Assert.Empty(ProjectRules.AesmdSocketVolume($"{rendering.Name} {owner}", spec));
                    containersWithAesmAddr += ProjectRules.AllContainers(spec).Count(c => c.Env?.Any(e => e.Name == "SGX_AESM_ADDR") == true);
                }
            }
        }

        Assert.True(containersWithAesmAddr > 0, "no rendered container sets SGX_AESM_ADDR: the rule was never exercised");
    }

    [Fact]
    public void QuoteStep_IsAnOutOfProcWorkload_WithTheSocketDirectoryReadOnly()
    {
        var spec = Job.Spec.Template.Spec;
        var quote = Assert.Single(spec.InitContainers, c => c.Name == "quote");
        Assert.Equal("1", Assert.Single(quote.Env, e => e.Name == "SGX_AESM_ADDR").Value);
        var mount = Assert.Single(quote.VolumeMounts, m => m.MountPath == ProjectRules.SocketDir);
        Assert.True(mount.ReadOnlyProperty, "a workload must not be able to replace the node's socket");
        Assert.DoesNotContain(quote.VolumeMounts, m => m.MountPath == ProjectRules.StateDir); // a workload never needs the helper's state
        Assert.Equal("quote", quote.Args[0]);
        Assert.Equal(ProjectRules.SocketPath, ProjectRules.FlagValue(quote.Args, "--socket"));
        var reportData = ProjectRules.FlagValue(quote.Args, "--report-data")!;
        Assert.True(reportData.Length is > 0 and <= 128 && reportData.Length % 2 == 0 && reportData.All(Uri.IsHexDigit), reportData);
    }

    [Fact]
    public void Steps_QuoteThenCollateralThenVerify_HandTheirFilesOn()
    {
        var spec = Job.Spec.Template.Spec;
        Assert.Equal(["quote", "collateral"], spec.InitContainers.Select(c => c.Name));
        var quote = spec.InitContainers[0];
        var collateral = spec.InitContainers[1];
        var verify = Assert.Single(spec.Containers);
        Assert.Equal(["quote", "collateral", "verify"], new[] { quote, collateral, verify }.Select(c => c.Args[0]));

        // quote --out is what collateral fetches for (--quote) and verify's QUOTE argument; collateral --out/--root-out
        // feed verify --collateral/--root.
        Assert.Equal(ProjectRules.FlagValue(quote.Args, "--out"), ProjectRules.FlagValue(collateral.Args, "--quote"));
        Assert.Equal(ProjectRules.FlagValue(quote.Args, "--out"), verify.Args[1]);
        Assert.Equal(ProjectRules.FlagValue(collateral.Args, "--out"), ProjectRules.FlagValue(verify.Args, "--collateral"));
        Assert.Equal(ProjectRules.FlagValue(collateral.Args, "--root-out"), ProjectRules.FlagValue(verify.Args, "--root"));

        // The hand-off files live on one emptyDir mounted by all three steps.
        var work = Assert.Single(spec.Volumes, v => v.EmptyDir is not null);
        foreach (var (container, file) in new[] { (quote, ProjectRules.FlagValue(quote.Args, "--out")!), (collateral, ProjectRules.FlagValue(collateral.Args, "--out")!), (verify, verify.Args[1]) })
        {
            var mount = Assert.Single(container.VolumeMounts, m => m.Name == work.Name);
            Assert.StartsWith(mount.MountPath + "/", file, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CollateralStep_FetchesFromTheCollateralService_AsARelyingParty_WithoutTheStateDirectory()
    {
        var rendering = Manifests.Get("simulation-all-options");
        var spec = Job.Spec.Template.Spec;
        var collateral = Assert.Single(spec.InitContainers, c => c.Name == "collateral");
        Assert.Null(ProjectRules.FlagValue(collateral.Args, "--state-dir"));

        // --pccs names the chart's collateral Service (its name, namespace and port).
        var service = Assert.Single(rendering.All<V1Service>(), s => s.Metadata.Labels["app.kubernetes.io/component"] == "collateral");
        var port = Assert.Single(service.Spec.Ports).Port;
        Assert.Equal($"http://{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc:{port}/", ProjectRules.FlagValue(collateral.Args, "--pccs"));

        // No step of the workload or the relying party mounts the helper's state directory.
        Assert.DoesNotContain(spec.Volumes, v => v.HostPath?.Path == "/var/lib/quote-helper");
        Assert.All(ProjectRules.AllContainers(spec), c => Assert.DoesNotContain(c.VolumeMounts, m => m.MountPath == ProjectRules.StateDir));
    }

    [Fact]
    public void Job_IsAHelmTest_RunsOnceNonRoot_WithLeastPrivilege()
    {
        var job = Job;
        Assert.Equal("test", job.Metadata.Annotations["helm.sh/hook"]);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.InRange(job.Spec.BackoffLimit ?? -1, 1, 10);
        Assert.NotNull(job.Spec.ActiveDeadlineSeconds);
        var spec = job.Spec.Template.Spec;
        Assert.True(spec.SecurityContext.RunAsNonRoot);
        Assert.Equal(1654, spec.SecurityContext.RunAsUser); // non-root (the helper's user by default; it reads none of its files)
        Assert.Empty(ProjectRules.LeastPrivilege("Job", spec));
        Assert.Empty(ProjectRules.PinnedImages("Job", spec));
        Assert.Empty(ProjectRules.ExtendedResourcesRequestEqualsLimit("Job", spec));
        Assert.False(spec.AutomountServiceAccountToken ?? true);

        // Its pods must not be taken for helper pods by the metrics Service or a PDB.
        var daemonSet = Manifests.Get("simulation-all-options").Single<V1DaemonSet>();
        var jobPodLabels = job.Spec.Template.Metadata.Labels;
        Assert.False(daemonSet.Spec.Selector.MatchLabels.All(kv => jobPodLabels.TryGetValue(kv.Key, out var v) && v == kv.Value));
    }

    [Fact]
    public void CheckedInExample_IsTheChartsJob()
    {
        var example = Manifests.ParseStrict(File.ReadAllText(Path.Combine(Repo.Deploy, "examples", "sample-workload.yaml")));
        var job = Assert.IsType<V1Job>(Assert.Single(example));
        Assert.Equal(k8s.KubernetesJson.Serialize(Job), k8s.KubernetesJson.Serialize(job));
    }
}
