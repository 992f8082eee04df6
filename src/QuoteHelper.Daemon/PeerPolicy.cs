using System.Collections.Concurrent;
using System.Diagnostics;

namespace QuoteHelper.Daemon;

/// <summary>What the peer policy decided for one request.</summary>
public enum PeerDecision
{
    /// <summary>Serve it.</summary>
    Allow,
    /// <summary>The peer's uid and gid are not on the allow-lists: answered with AESM 30 (service unavailable).</summary>
    NotAllowed,
    /// <summary>The peer already has its maximum of concurrent requests: answered with AESM 18 (busy).</summary>
    TooManyConcurrent,
    /// <summary>The peer exceeded its request rate: answered with AESM 18 (busy).</summary>
    RateLimited,
}

/// <summary>
/// Who may use the socket and how much (design.md §5 "fairness and safety"): optional allow-lists of peer uids and
/// gids (from SO_PEERCRED), and per-peer limits on concurrent requests and on the request rate (a token bucket), so
/// that one noisy workload cannot starve the others. Peers are keyed by uid: pids from other containers are not
/// visible across pid namespaces, uids are.
/// </summary>
public sealed class PeerPolicy
{
    private readonly HashSet<uint> _uids;
    private readonly HashSet<uint> _gids;
    private readonly int _maxConcurrent;
    private readonly double _ratePerSecond;
    private readonly ConcurrentDictionary<uint, PeerState> _peers = new();

    /// <summary>Creates the policy from the daemon options.</summary>
    public PeerPolicy(AesmDaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _uids = [.. options.AllowedUids];
        _gids = [.. options.AllowedGids];
        _maxConcurrent = options.MaxConcurrentPerPeer;
        _ratePerSecond = options.MaxRequestsPerSecondPerPeer;
    }

    /// <summary>
    /// True when a decision depends on who the peer is (an allow-list or a per-peer limit is set). Otherwise every
    /// request is allowed and the server need not read SO_PEERCRED (a system call per connection) to decide.
    /// </summary>
    public bool NeedsPeer => _uids.Count > 0 || _gids.Count > 0 || _maxConcurrent > 0 || _ratePerSecond > 0;

    /// <summary>Decides for a request from <paramref name="peer"/>; an allowed request must be ended with <see cref="Release"/>.</summary>
    public PeerDecision Admit(PeerCredentials? peer)
    {
        if ((_uids.Count > 0 || _gids.Count > 0) &&
            (peer is not { } known || !(_uids.Contains(known.Uid) || _gids.Contains(known.Gid))))
        {
            return PeerDecision.NotAllowed;
        }

        if (_maxConcurrent <= 0 && _ratePerSecond <= 0)
        {
            return PeerDecision.Allow;
        }

        var state = _peers.GetOrAdd(peer?.Uid ?? uint.MaxValue, _ => new PeerState(_ratePerSecond));
        lock (state)
        {
            if (_ratePerSecond > 0 && !state.TryTakeToken(_ratePerSecond))
            {
                return PeerDecision.RateLimited;
            }

            if (_maxConcurrent > 0 && state.Active >= _maxConcurrent)
            {
                return PeerDecision.TooManyConcurrent;
            }

            state.Active++;
            return PeerDecision.Allow;
        }
    }

    /// <summary>Ends a request admitted by <see cref="Admit"/>.</summary>
    public void Release(PeerCredentials? peer)
    {
        if (_maxConcurrent <= 0 && _ratePerSecond <= 0)
        {
            return;
        }

        if (_peers.TryGetValue(peer?.Uid ?? uint.MaxValue, out var state))
        {
            lock (state)
            {
                state.Active--;
            }
        }
    }

    private sealed class PeerState(double ratePerSecond)
    {
        private double _tokens = Math.Max(1, ratePerSecond);
        private long _lastRefill = Stopwatch.GetTimestamp();

        public int Active { get; set; }

        // Token bucket: refills at the rate, holds at most one second's worth (the burst).
        public bool TryTakeToken(double rate)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(Math.Max(1, rate), _tokens + ((now - _lastRefill) * rate / Stopwatch.Frequency));
            _lastRefill = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
