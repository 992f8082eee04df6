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
    public void Steps_CollateralThenQuoteThenVerify_HandTheirFilesOn()
    {
        var spec = Job.Spec.Template.Spec;
        Assert.Equal(["collateral", "quote"], spec.InitContainers.Select(c => c.Name));
        var collateral = spec.InitContainers[0];
        var quote = spec.InitContainers[1];
        var verify = Assert.Single(spec.Containers);
        Assert.Equal(["collateral", "quote", "verify"], new[] { collateral, quote, verify }.Select(c => c.Args[0]));

        // collateral --out/--root-out feed verify --collateral/--root; quote --out is verify's QUOTE argument.
        Assert.Equal(ProjectRules.FlagValue(collateral.Args, "--out"), ProjectRules.FlagValue(verify.Args, "--collateral"));
        Assert.Equal(ProjectRules.FlagValue(collateral.Args, "--root-out"), ProjectRules.FlagValue(verify.Args, "--root"));
        Assert.Equal(ProjectRules.FlagValue(quote.Args, "--out"), verify.Args[1]);
        Assert.Equal(ProjectRules.StateDir, ProjectRules.FlagValue(collateral.Args, "--state-dir"));

        // The hand-off files live on one emptyDir mounted by all three steps.
        var work = Assert.Single(spec.Volumes, v => v.EmptyDir is not null);
        foreach (var (container, file) in new[] { (collateral, ProjectRules.FlagValue(collateral.Args, "--out")!), (quote, ProjectRules.FlagValue(quote.Args, "--out")!), (verify, verify.Args[1]) })
        {
            var mount = Assert.Single(container.VolumeMounts, m => m.Name == work.Name);
            Assert.StartsWith(mount.MountPath + "/", file, StringComparison.Ordinal);
        }

        // Only the relying-party input step reads the state directory, read-only.
        var state = Assert.Single(collateral.VolumeMounts, m => m.MountPath == ProjectRules.StateDir);
        Assert.True(state.ReadOnlyProperty);
        Assert.Equal("/var/lib/quote-helper", Assert.Single(spec.Volumes, v => v.Name == state.Name).HostPath.Path);
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
        Assert.Equal(1654, spec.SecurityContext.RunAsUser); // the helper's user: platform.json is 0600
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
