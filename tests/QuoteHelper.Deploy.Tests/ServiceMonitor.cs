using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace QuoteHelper.Deploy.Tests;

// prometheus-operator's ServiceMonitor (monitoring.coreos.com/v1) has no model in KubernetesClient. This is the part
// of its CRD schema the chart may use, so that strict parsing also rejects unknown or misplaced fields in it.
// Field names and types follow the CRD (prometheus-operator example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml).

/// <summary>monitoring.coreos.com/v1 ServiceMonitor (subset of the CRD schema).</summary>
[KubernetesEntity(Group = "monitoring.coreos.com", ApiVersion = "v1", Kind = "ServiceMonitor", PluralName = "servicemonitors")]
public sealed class V1ServiceMonitor : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public V1ServiceMonitorSpec Spec { get; set; } = new();
}

/// <summary>ServiceMonitor spec.</summary>
public sealed class V1ServiceMonitorSpec
{
    [JsonPropertyName("selector")]
    public V1LabelSelector Selector { get; set; } = new();

    [JsonPropertyName("namespaceSelector")]
    public V1ServiceMonitorNamespaceSelector? NamespaceSelector { get; set; }

    [JsonPropertyName("endpoints")]
    public IList<V1ServiceMonitorEndpoint> Endpoints { get; set; } = [];

    [JsonPropertyName("jobLabel")]
    public string? JobLabel { get; set; }
}

/// <summary>ServiceMonitor namespace selector.</summary>
public sealed class V1ServiceMonitorNamespaceSelector
{
    [JsonPropertyName("any")]
    public bool? Any { get; set; }

    [JsonPropertyName("matchNames")]
    public IList<string>? MatchNames { get; set; }
}

/// <summary>ServiceMonitor endpoint.</summary>
public sealed class V1ServiceMonitorEndpoint
{
    [JsonPropertyName("port")]
    public string? Port { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("scheme")]
    public string? Scheme { get; set; }

    [JsonPropertyName("interval")]
    public string? Interval { get; set; }

    [JsonPropertyName("scrapeTimeout")]
    public string? ScrapeTimeout { get; set; }

    [JsonPropertyName("honorLabels")]
    public bool? HonorLabels { get; set; }
}
