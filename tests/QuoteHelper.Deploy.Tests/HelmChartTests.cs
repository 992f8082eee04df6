namespace QuoteHelper.Deploy.Tests;

/// <summary>helm lint, and the chart's own guards against values that would break a node's quoting.</summary>
public sealed class HelmChartTests
{
    [Theory]
    [InlineData("values.yaml")]
    [InlineData("values-hardware.yaml")]
    public void Lint_Strict_Passes(string valuesFile)
    {
        var result = Helm.Run("lint", "--strict", Repo.Chart, "-f", Path.Combine(Repo.Chart, valuesFile));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Helm_IsThePinnedVersion()
    {
        var result = Helm.Run("version", "--template", "{{.Version}}");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("v3.17.2", result.StdOut.Trim());
    }

    [Theory]
    [InlineData("image.tag=latest", "image.tag")]
    [InlineData("image.tag=latest-hardware", "not latest")]
    [InlineData("terminationGracePeriodSeconds=30", "must exceed daemon.shutdownTimeoutSeconds")]
    [InlineData("daemon.shutdownTimeoutSeconds=60", "must exceed daemon.shutdownTimeoutSeconds")]
    [InlineData("mode=hardwar", "mode")]
    [InlineData("sampleWorklaod.enabled=true", "sampleWorklaod")]
    [InlineData("daemon.socketMode=666x", "socketMode")]
    [InlineData("simulation.cpuSvn=0b0b", "cpuSvn")]
    [InlineData("serviceMonitor.enabled=true,service.enabled=false", "needs service.enabled")]
    [InlineData("sgx.epcResource.name=not a resource", "epcResource")]
    [InlineData("sampleWorkload.enabled=true,collateralServer.enabled=false", "sampleWorkload fetches its collateral from the collateral server: it needs collateralServer.enabled")]
    [InlineData("collateralServer.port=9464", "collateralServer.port and daemon.metricsPort must differ (one pod network namespace), both are 9464")]
    [InlineData("collateralServer.scenario=Up To Date", "collateralServer.scenario")]
    public void Template_RefusesBrokenValues(string set, string messagePart)
    {
        var error = Helm.TemplateError("--set", set);
        Assert.Contains(messagePart, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_RefusesTheSampleWorkloadInHardwareMode()
    {
        var error = Helm.TemplateError("-f", Repo.HardwareValuesFile, "--set", "sampleWorkload.enabled=true");
        Assert.Contains("needs mode: simulation", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_RefusesHardwareModeWithoutAnEpcResource()
    {
        var error = Helm.TemplateError("-f", Repo.HardwareValuesFile, "--set", "sgx.epcResource.name=");
        Assert.Contains("epcResource", error, StringComparison.Ordinal);
    }
}
