using k8s;
using k8s.Models;

namespace QuoteHelper.Pods.Tests;

/// <summary>
/// Once per test run: podman, runc and debootstrap (deploy/tools/install-podman.sh installs what is missing; a tool
/// still missing FAILS every test, never skips it), Helm (deploy/tools/install-helm.sh), the image built offline by
/// deploy/image/build-local.sh under names of this run, and the chart's DaemonSet and sample Job rendered with its default values (plus sampleWorkload.enabled=true, as
/// deploy/render.sh renders deploy/examples/sample-workload.yaml).
/// Dispose removes the images of the build (build-local.sh --remove). QH_PODS_IMAGE=NAME uses an existing image instead (not built, not removed;
/// for iterating on the tests).
/// </summary>
public sealed class PodEnvironment : IDisposable
{
    private readonly string _baseImage;
    private readonly Lazy<string> _rendered;
    private readonly Lazy<V1DaemonSet> _daemonSet;
    private readonly Lazy<V1Job> _sampleJob;
    private readonly Lazy<string> _image;
    private List<string>? _pauseImagesBefore;

    public PodEnvironment()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        ImageName = $"localhost/qh-pods-test:{run}";
        _baseImage = $"localhost/qh-pods-test-base:{run}";
        // Lazy: a failure is reported by each test that needs the environment, with the script's output.
        _image = new Lazy<string>(Build);
        _rendered = new Lazy<string>(Render);
        _daemonSet = new Lazy<V1DaemonSet>(() => Single<V1DaemonSet>("DaemonSet"));
        _sampleJob = new Lazy<V1Job>(() => Single<V1Job>("Job"));
    }

    public string ImageName { get; }

    /// <summary>The image built for this run (the first test to ask builds it).</summary>
    public string Image => _image.Value;

    /// <summary>The chart's DaemonSet (default values: simulation), as `helm template` renders it.</summary>
    public V1DaemonSet DaemonSet => _daemonSet.Value;

    /// <summary>The chart's sample workload Job (simulation, sampleWorkload.enabled=true), as `helm template` renders it.</summary>
    public V1Job SampleJob => _sampleJob.Value;

    public void Dispose()
    {
        // Only what this run built (by name, and the build's intermediate images by its label); nothing when the
        // image was given or never built.
        if (_image.IsValueCreated && _image.Value == ImageName)
        {
            var remove = ProcessRunner.Run("bash", [Repo.BuildImageScript, "--remove", ImageName, _baseImage], Podman.Environment, TimeSpan.FromMinutes(2));
            if (remove.ExitCode != 0)
            {
                Console.Error.WriteLine($"pod tests: removing the images failed: {remove}");
            }

            // podman builds its pods' infra image (localhost/podman-pause) on first use; remove it if this run made it
            // (by id; a pod of someone else still using it makes rmi fail, which is fine).
            foreach (var id in PauseImages().Except(_pauseImagesBefore ?? []))
            {
                Podman.Run("rmi", id);
            }
        }
    }

    private static string[] PauseImages() =>
        Podman.Run("images", "--quiet", "--no-trunc", "--filter", "reference=localhost/podman-pause").StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private string Build()
    {
        var given = System.Environment.GetEnvironmentVariable("QH_PODS_IMAGE");
        if (!string.IsNullOrEmpty(given))
        {
            Assert.True(Podman.Run("image", "exists", given).ExitCode == 0, $"QH_PODS_IMAGE={given}: no such image");
            return given;
        }

        var install = ProcessRunner.Run("bash", [Repo.InstallPodmanScript], null, TimeSpan.FromMinutes(10));
        Assert.True(install.ExitCode == 0, $"podman, runc and debootstrap are needed (deploy/tools/install-podman.sh):\n{install}");
        _pauseImagesBefore = [.. PauseImages()];
        var build = ProcessRunner.Run("bash", [Repo.BuildImageScript, ImageName, _baseImage], Podman.Environment, TimeSpan.FromMinutes(15));
        // Its phases and their times, for a slow or failed run (.artifacts/ is git-ignored).
        File.WriteAllText(Path.Combine(Repo.Root, ".artifacts", "image", "build-local.log"), build.ToString());
        Assert.True(build.ExitCode == 0, $"deploy/image/build-local.sh failed:\n{build}");
        Assert.Equal(0, Podman.Run("image", "exists", ImageName).ExitCode);
        return ImageName;
    }

    /// <summary>The one object of <paramref name="kind"/> in the rendering (other objects are not this suite's business).</summary>
    private T Single<T>(string kind)
    {
        var documents = _rendered.Value.Split("\n---", StringSplitOptions.RemoveEmptyEntries)
            .Where(d => d.Contains($"\nkind: {kind}\n", StringComparison.Ordinal))
            .ToList();
        return KubernetesYaml.Deserialize<T>(Assert.Single(documents).Trim().TrimStart('-'));
    }

    private static string Render()
    {
        var result = HelmTool.Run("template", "quote-helper", Repo.Chart, "--namespace", "kube-system", "--set", "sampleWorkload.enabled=true");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdOut;
    }
}
