using System.Collections.Concurrent;
using Prometheus;
using QuoteHelper.Aesm.Protocol;
using QuoteHelper.Quoting;

namespace QuoteHelper.Daemon;

/// <summary>
/// The daemon's Prometheus metrics (names documented in docs/protocol.md §9 and docs/operations.md), in a registry of its own so that
/// several daemons in one process (tests) never mix. Label children are resolved once and cached: the hot path
/// only increments.
/// </summary>
public sealed class DaemonMetrics
{
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Counter _connections;
    private readonly Counter _peerRejections;
    private readonly Gauge _backendInfo;
    private readonly ConcurrentDictionary<(AesmRequestKind, uint), Counter.Child> _requestChildren = new();
    private readonly ConcurrentDictionary<AesmRequestKind, Histogram.Child> _durationChildren = new();
    private readonly ConcurrentDictionary<string, Counter.Child> _connectionChildren = new(StringComparer.Ordinal);

    /// <summary>Creates the metrics in a new registry.</summary>
    public DaemonMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("quote_helper_requests_total", "AESM requests answered, by call and AESM result code.", "call", "result");
        _duration = factory.CreateHistogram("quote_helper_request_duration_seconds", "Time from a complete request to its reply being written, by call.",
            new HistogramConfiguration
            {
                LabelNames = ["call"],
                Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
            });
        InFlight = factory.CreateGauge("quote_helper_in_flight_requests", "Connections being served now.");
        _connections = factory.CreateCounter("quote_helper_connections_total", "Connections accepted, by outcome.", "outcome");
        Handovers = factory.CreateCounter("quote_helper_handovers_total", "Times this daemon handed its socket over to a successor or took it over.", "direction");
        _peerRejections = factory.CreateCounter("quote_helper_peer_rejections_total", "Requests refused by the peer policy, by reason.", "reason");
        _backendInfo = factory.CreateGauge("quote_helper_backend_info", "The quoting backend (value 1).", "mode", "qe_svn", "pce_svn", "attestation_key_id");
        Ready = factory.CreateGauge("quote_helper_ready", "1 while the daemon serves the public socket path, 0 while starting or draining.");
    }

    /// <summary>The registry to export.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Connections being served.</summary>
    public Gauge InFlight { get; }

    /// <summary>Handovers, by direction ("in" or "out").</summary>
    public Counter Handovers { get; }

    /// <summary>1 while ready.</summary>
    public Gauge Ready { get; }

    /// <summary>Counts one answered request.</summary>
    public void Answered(AesmRequestKind kind, uint errorCode, TimeSpan elapsed)
    {
        // TryGetValue first: the common case allocates nothing (GetOrAdd with a lambda would allocate its closure).
        if (!_requestChildren.TryGetValue((kind, errorCode), out var requests))
        {
            requests = _requestChildren.GetOrAdd((kind, errorCode),
                _requests.WithLabels(kind.ToString(), errorCode.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (!_durationChildren.TryGetValue(kind, out var duration))
        {
            duration = _durationChildren.GetOrAdd(kind, _duration.WithLabels(kind.ToString()));
        }

        requests.Inc();
        duration.Observe(elapsed.TotalSeconds);
    }

    /// <summary>Counts a connection outcome: served, refused_limit, malformed, unknown_request, hostile_length, timeout, ended_early.</summary>
    public void Connection(string outcome)
    {
        if (!_connectionChildren.TryGetValue(outcome, out var child))
        {
            child = _connectionChildren.GetOrAdd(outcome, _connections.WithLabels(outcome));
        }

        child.Inc();
    }

    /// <summary>Counts a request refused by the peer policy.</summary>
    public void PeerRejected(string reason) => _peerRejections.WithLabels(reason).Inc();

    /// <summary>Publishes the backend identity (replacing the previous one).</summary>
    public void SetBackend(BackendIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        foreach (var labels in _backendInfo.GetAllLabelValues().ToArray())
        {
            _backendInfo.RemoveLabelled(labels);
        }

        _backendInfo.WithLabels(identity.Mode, identity.QeSvn.ToString(System.Globalization.CultureInfo.InvariantCulture),
            identity.PceSvn.ToString(System.Globalization.CultureInfo.InvariantCulture), identity.AttestationKeyId).Set(1);
    }
}
