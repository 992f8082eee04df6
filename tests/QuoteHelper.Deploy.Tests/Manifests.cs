using System.Collections.Concurrent;
using System.Reflection;
using k8s;
using k8s.Models;

namespace QuoteHelper.Deploy.Tests;

/// <summary>One rendering of the chart: its YAML text and every object in it, parsed strictly.</summary>
internal sealed class Rendering
{
    public Rendering(string name, string yaml)
    {
        Name = name;
        Yaml = yaml;
        Objects = Manifests.ParseStrict(yaml);
    }

    public string Name { get; }
    public string Yaml { get; }
    public IReadOnlyList<IKubernetesObject> Objects { get; }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();
    public T Single<T>() => Assert.Single(Objects.OfType<T>());

    public override string ToString() => Name;
}

/// <summary>The chart variants the tests check, rendered once per test run, and the strict parser.</summary>
internal static class Manifests
{
    /// <summary>Named renderings: the two values files, and each with every optional object switched on.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Variants = new Dictionary<string, string[]>
    {
        ["simulation"] = [],
        ["hardware"] = ["-f", Repo.HardwareValuesFile],
        ["simulation-all-options"] =
        [
            "--set", "sampleWorkload.enabled=true,serviceMonitor.enabled=true,podDisruptionBudget.enabled=true",
            "--set", "daemon.allowUids={0,1001},daemon.allowGids={2000},daemon.maxConcurrentPerPeer=4,daemon.maxRequestsPerSecondPerPeer=50",
            "--set", "simulation.qeSvn=11,simulation.pceSvn=14,simulation.cpuSvn=0c0c0202ff0100000000000000000000",
        ],
        ["hardware-intel-plugin"] =
        [
            "-f", Repo.HardwareValuesFile,
            "--set", "sgx.epcResource.name=sgx.intel.com/epc,sgx.epcResource.quantity=1Mi",
            "--set", "sgx.deviceResources.sgx\\.intel\\.com/enclave=1,sgx.deviceResources.sgx\\.intel\\.com/provision=1",
            "--set", "serviceMonitor.enabled=true,podDisruptionBudget.enabled=true",
        ],
    };

    private static readonly ConcurrentDictionary<string, Lazy<Rendering>> s_renderings = new();

    public static Rendering Get(string variant) =>
        s_renderings.GetOrAdd(variant, v => new Lazy<Rendering>(() => new Rendering(v, Helm.Template(Variants[v])))).Value;

    public static IEnumerable<Rendering> All => Variants.Keys.Select(Get);

    public static TheoryData<string> VariantNames => [.. Variants.Keys];

    /// <summary>apiVersion/kind → model type: every model in KubernetesClient plus the ServiceMonitor CRD subset.</summary>
    public static IDictionary<string, Type> TypeMap { get; } = BuildTypeMap();

    /// <summary>
    /// Parses every document with KubernetesYaml in strict mode: an unknown field, a wrong type or an unknown kind
    /// throws. Empty documents (a template that rendered nothing) are not allowed either.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject> ParseStrict(string yaml)
    {
        var objects = KubernetesYaml.LoadAllFromString(yaml, TypeMap, strict: true);
        var result = new List<IKubernetesObject>();
        foreach (var item in objects)
        {
            result.Add(item as IKubernetesObject ?? throw new InvalidDataException($"not a Kubernetes object: {item?.GetType()}"));
        }

        return result;
    }

    private static Dictionary<string, Type> BuildTypeMap()
    {
        var map = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var type in typeof(V1Pod).Assembly.GetTypes().Append(typeof(V1ServiceMonitor)))
        {
            var entity = type.GetCustomAttribute<KubernetesEntityAttribute>();
            if (entity is null || string.IsNullOrEmpty(entity.Kind) || !typeof(IKubernetesObject).IsAssignableFrom(type))
            {
                continue;
            }

            var apiVersion = string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
            map[$"{apiVersion}/{entity.Kind}"] = type;
        }

        return map;
    }
}
