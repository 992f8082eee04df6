using System.Text.Json;
using System.Xml.Linq;
using k8s.Models;

namespace QuoteHelper.Deploy.Tests;

/// <summary>deploy/docker/Dockerfile: multi-stage, small runtime, non-root where the mode allows, and in step with the chart.</summary>
public sealed class DockerfileTests
{
    private static readonly Dockerfile s_dockerfile = Dockerfile.Parse(File.ReadAllText(Repo.Dockerfile));

    /// <summary>The user of a stage, following FROM chains to earlier stages ("" = the base image's, root for Microsoft's images).</summary>
    private static string EffectiveUser(string stageName)
    {
        var stage = s_dockerfile[stageName];
        return stage.Last("USER") ?? (s_dockerfile.Stages.Any(s => s.Name == stage.From) ? EffectiveUser(stage.From) : "");
    }

    private static IEnumerable<string> Entrypoint(string stageName)
    {
        var stage = s_dockerfile[stageName];
        var entrypoint = stage.Last("ENTRYPOINT");
        return entrypoint is not null
            ? JsonSerializer.Deserialize<string[]>(entrypoint)!
            : s_dockerfile.Stages.Any(s => s.Name == stage.From) ? Entrypoint(stage.From) : [];
    }

    [Fact]
    public void Stages_BuildWithTheSdk_RunOnTheRuntimeImageOnly()
    {
        Assert.Equal(["build", "prebuilt", "app", "runtime-base", "hardware", "simulation"], s_dockerfile.Stages.Select(s => s.Name));
        // The defaults (no --build-arg): Microsoft's images, /app from the SDK stage.
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", s_dockerfile["build"].From);
        Assert.Equal("build", s_dockerfile["app"].From);
        // Small runtime: the runtime stages never start from the SDK; they copy only the published output.
        Assert.Matches("^mcr\\.microsoft\\.com/dotnet/(runtime|aspnet):10\\.0", s_dockerfile["runtime-base"].From);
        Assert.Equal("runtime-base", s_dockerfile["hardware"].From);
        Assert.Equal("runtime-base", s_dockerfile["simulation"].From);
        Assert.Contains(s_dockerfile["runtime-base"].All("COPY"), c => c.StartsWith("--from=app ", StringComparison.Ordinal) && c.Contains("/app", StringComparison.Ordinal));
        // Offline (deploy/image/build-local.sh): APP_SOURCE=prebuilt takes a publish output from the build context.
        Assert.Equal("scratch", s_dockerfile["prebuilt"].From);
        Assert.Equal([".artifacts/image/app/ /app/"], s_dockerfile["prebuilt"].All("COPY"));
        Assert.Contains(s_dockerfile["build"].All("RUN"), r => r.Contains("dotnet publish src/QuoteHelper.Cli/QuoteHelper.Cli.csproj -c Release -o /app", StringComparison.Ordinal));
    }

    [Fact]
    public void RuntimeImage_MatchesTheFrameworksTheCliNeeds()
    {
        // If the daemon starts serving /metrics with ASP.NET Core (Kestrel), the runtime stage must become
        // mcr.microsoft.com/dotnet/aspnet: the plain runtime image has no Microsoft.AspNetCore.App.
        var usesAspNetCore = Directory.EnumerateFiles(Path.Combine(Repo.Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(XDocument.Load)
            .Any(d => (string?)d.Root?.Attribute("Sdk") == "Microsoft.NET.Sdk.Web"
                || d.Descendants("FrameworkReference").Any(f => (string?)f.Attribute("Include") == "Microsoft.AspNetCore.App"));
        var expected = usesAspNetCore ? "mcr.microsoft.com/dotnet/aspnet:" : "mcr.microsoft.com/dotnet/runtime:";
        Assert.StartsWith(expected, s_dockerfile["runtime-base"].From, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultStage_IsSimulation_RunningAsTheChartsNonRootUser()
    {
        Assert.Equal("simulation", s_dockerfile.Stages[^1].Name); // `docker build` without --target
        var user = EffectiveUser("simulation");
        Assert.True(int.TryParse(user, out var uid) && uid > 0, $"USER '{user}' must be numeric and non-zero (runAsNonRoot can verify only numeric users)");
        var helper = Manifests.Get("simulation").Single<V1DaemonSet>().Spec.Template.Spec.Containers.Single(c => c.Name == "aesmd");
        Assert.Equal(helper.SecurityContext.RunAsUser, uid);
    }

    [Fact]
    public void HardwareStage_InstallsIntelDcap_AtThePathTheChartPasses()
    {
        var hardware = s_dockerfile["hardware"];
        var run = string.Join('\n', hardware.All("RUN"));
        Assert.Contains("libsgx-dcap-ql", run, StringComparison.Ordinal);
        Assert.Contains("libsgx-dcap-default-qpl", run, StringComparison.Ordinal);
        var args = Manifests.Get("hardware").Single<V1DaemonSet>().Spec.Template.Spec.Containers.Single().Args;
        Assert.Contains($"test -e {ProjectRules.FlagValue(args, "--dcap-library")}", run, StringComparison.Ordinal);
        Assert.Equal("0", EffectiveUser("hardware")); // documented: root-owned device nodes (values-hardware.yaml)
    }

    [Fact]
    public void Entrypoint_IsTheAppHost_ThatTheChartsProbesExec()
    {
        var assemblyName = XDocument.Load(Path.Combine(Repo.Root, "src", "QuoteHelper.Cli", "QuoteHelper.Cli.csproj")).Descendants("AssemblyName").Single().Value;
        Assert.Equal("quote-helper", assemblyName);
        foreach (var stage in new[] { "simulation", "hardware" })
        {
            Assert.Equal(["/app/quote-helper"], Entrypoint(stage));
        }

        foreach (var variant in new[] { "simulation", "hardware" })
        {
            var helper = Manifests.Get(variant).Single<V1DaemonSet>().Spec.Template.Spec.Containers.Single(c => c.Name == "aesmd");
            Assert.Equal("/app/quote-helper", helper.LivenessProbe.Exec.Command[0]);
        }
    }

    [Fact]
    public void BuildLocal_PassesOnlyDeclaredBuildArgs_AndBuildsTheSimulationTarget()
    {
        // deploy/image/build-local.sh (the offline build the pod tests use) and the Dockerfile must agree: a
        // misspelt --build-arg is silently ignored by podman and docker, and the build would pull Microsoft's images.
        var script = File.ReadAllText(Path.Combine(Repo.Deploy, "image", "build-local.sh"));
        var declared = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Repo.Dockerfile), @"^ARG (\w+)", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToHashSet();
        var passed = System.Text.RegularExpressions.Regex.Matches(script, @"--build-arg (\w+)=").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(["RUNTIME_IMAGE", "APP_SOURCE"], passed);
        Assert.All(passed, a => Assert.Contains(a, declared));
        Assert.Contains("APP_SOURCE=prebuilt", script, StringComparison.Ordinal);
        Assert.Contains(s_dockerfile.Stages, s => s.Name == "prebuilt");
        Assert.Contains("--target simulation", script, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildContext_DockerignoreAdmitsEveryCopiedPath_AndTheyExist()
    {
        var dockerignore = File.ReadAllLines(Path.Combine(Repo.Root, ".dockerignore")).Select(l => l.Trim()).ToList();
        Assert.Equal("*", dockerignore.First(l => l.Length > 0 && !l.StartsWith('#')));
        Assert.Contains("**/bin/", dockerignore);
        Assert.Contains("**/obj/", dockerignore);
        var sources = s_dockerfile["build"].All("COPY").Concat(s_dockerfile["prebuilt"].All("COPY"))
            .Select(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .SelectMany(parts => parts[..^1].Where(p => !p.StartsWith("--", StringComparison.Ordinal)))
            .ToList();
        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            Assert.Contains($"!{source}", dockerignore);
            if (source.StartsWith(".artifacts/", StringComparison.Ordinal))
            {
                continue; // made by deploy/image/build-local.sh before it builds
            }

            Assert.True(File.Exists(Path.Combine(Repo.Root, source)) || Directory.Exists(Path.Combine(Repo.Root, source)), source);
        }

        // global.json pins the developers' SDK band, which the SDK image may not have (the Dockerfile says why).
        Assert.DoesNotContain("global.json", sources);
    }
}
