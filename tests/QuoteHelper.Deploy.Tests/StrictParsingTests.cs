using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace QuoteHelper.Deploy.Tests;

/// <summary>
/// Every rendered object parses strictly into KubernetesClient's models, and means the same to an API server as
/// to the model. The negative tests prove the parser really is strict here.
/// </summary>
public sealed class StrictParsingTests
{
    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void EveryRenderedObject_ParsesStrictly_WithNameAndKind(string variant)
    {
        var rendering = Manifests.Get(variant);
        Assert.NotEmpty(rendering.Objects);
        Assert.Equal(YamlJson.Documents(rendering.Yaml).Count, rendering.Objects.Count);
        Assert.All(rendering.Objects, o =>
        {
            Assert.False(string.IsNullOrEmpty(o.ApiVersion));
            Assert.False(string.IsNullOrEmpty(o.Kind));
            Assert.False(string.IsNullOrEmpty(((IKubernetesObject<V1ObjectMeta>)o).Metadata?.Name));
        });
    }

    [Theory]
    [MemberData(nameof(Manifests.VariantNames), MemberType = typeof(Manifests))]
    public void EveryRenderedObject_ModelJsonEqualsYamlJson_NoLenientScalarsNoDroppedFields(string variant)
    {
        var rendering = Manifests.Get(variant);
        var documents = YamlJson.Documents(rendering.Yaml);
        for (var i = 0; i < documents.Count; i++)
        {
            var fromYaml = documents[i];
            var fromModel = JsonNode.Parse(KubernetesJson.Serialize(rendering.Objects[i]));
            Assert.True(
                JsonNode.DeepEquals(fromYaml, fromModel),
                $"{rendering.Objects[i].Kind} #{i}: the YAML and the parsed model differ (a quoted number, an unquoted env value, a dropped field?)\n" +
                $"yaml:  {fromYaml?.ToJsonString()}\nmodel: {fromModel?.ToJsonString()}");
        }
    }

    [Fact]
    public void StrictParser_RejectsUnknownField()
    {
        var yaml = Manifests.Get("simulation").Yaml.Replace("          imagePullPolicy: IfNotPresent\n", "          imagePullPolicy: IfNotPresent\n          bogusField: 1\n", StringComparison.Ordinal);
        Assert.Contains("bogusField", yaml, StringComparison.Ordinal);
        var error = Assert.ThrowsAny<Exception>(() => Manifests.ParseStrict(yaml));
        Assert.Contains("bogusField", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void StrictParser_RejectsUnknownFieldInTheServiceMonitorModel()
    {
        var yaml = Manifests.Get("simulation-all-options").Yaml.Replace("      path: /metrics\n", "      path: /metrics\n      bogusEndpointField: x\n", StringComparison.Ordinal);
        Assert.Contains("bogusEndpointField", yaml, StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => Manifests.ParseStrict(yaml));
    }

    [Fact]
    public void StrictParser_RejectsWrongTypeAndBadQuantity()
    {
        var simulation = Manifests.Get("simulation").Yaml;
        Assert.ThrowsAny<Exception>(() => Manifests.ParseStrict(simulation.Replace("containerPort: 9464", "containerPort: notanumber", StringComparison.Ordinal)));
        Assert.ThrowsAny<Exception>(() => Manifests.ParseStrict(simulation.Replace("memory: 96Mi", "memory: abc", StringComparison.Ordinal)));
    }

    [Fact]
    public void StrictParser_RejectsAnUnknownKind()
    {
        const string yaml = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
        Assert.ThrowsAny<Exception>(() => Manifests.ParseStrict(yaml));
    }

    [Fact]
    public void JsonComparison_CatchesWhatTheLenientScalarsAccept()
    {
        // kubernetes.md §3: the AKS docs' `value: 1` (an integer; a real API server rejects it) and a quoted port
        // both parse with KubernetesClient, so the YAML/model comparison is what catches them.
        var simulation = Manifests.Get("simulation").Yaml;
        foreach (var broken in new[]
        {
            simulation.Replace("              value: \"0\"", "              value: 0", StringComparison.Ordinal),
            simulation.Replace("containerPort: 9464", "containerPort: \"9464\"", StringComparison.Ordinal),
        })
        {
            Assert.NotEqual(simulation, broken);
            var objects = Manifests.ParseStrict(broken); // lenient: parses
            var documents = YamlJson.Documents(broken);
            Assert.Contains(Enumerable.Range(0, documents.Count), i => !JsonNode.DeepEquals(documents[i], JsonNode.Parse(KubernetesJson.Serialize(objects[i]))));
        }
    }
}
