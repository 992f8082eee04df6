namespace QuoteHelper.Collateral.Caching;

/// <summary>When <see cref="CollateralCache"/> may answer with an entry that is no longer fresh.</summary>
public enum StaleServing
{
    /// <summary>Never: an entry past its freshness is not served (the default; verifiers then see the upstream error).</summary>
    Never,

    /// <summary>
    /// Only when the upstream service fails (unreachable, timeout, 5xx), and only for
    /// <see cref="CollateralCacheOptions.MaxStaleness"/> past the entry's freshness. The answer carries
    /// <c>Warning: 110 - "Response is Stale"</c>. Verifiers still judge the document's own dates: past its
    /// nextUpdate, Intel's QVL flags the collateral as expired and dcap-qvl rejects it.
    /// </summary>
    OnUpstreamFailure,
}

/// <summary>Policy and bounds of <see cref="CollateralCache"/> (docs/collateral.md, "Cache").</summary>
public sealed class CollateralCacheOptions
{
    /// <summary>
    /// Directory for the disk copy (one file per entry, written atomically, mode 0600), or null for memory only (the
    /// default). Entries written by one instance are found by the next one.
    /// </summary>
    public string? Directory { get; init; }

    /// <summary>
    /// Longest an entry is fresh, whatever its nextUpdate says: 24 h by default (Azure's cap; Intel's QCNL uses 48 h
    /// or 168 h). Freshness also ends at the document's nextUpdate (TCB Info, QE Identity, CRL) and at an upstream
    /// <c>Cache-Control: max-age</c>, whichever comes first.
    /// </summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The stale-serving rule. Default <see cref="StaleServing.Never"/>.</summary>
    public StaleServing StaleServing { get; init; } = StaleServing.Never;

    /// <summary>How long past its freshness an entry may still be served under <see cref="StaleServing.OnUpstreamFailure"/>. Default 0.</summary>
    public TimeSpan MaxStaleness { get; init; } = TimeSpan.Zero;

    /// <summary>Most entries kept (memory and disk each); the entry closest to expiry is evicted first. Default 256.</summary>
    public int MaxEntries { get; init; } = 256;

    /// <summary>Largest body stored (1 MiB by default; larger responses are passed on but not cached).</summary>
    public int MaxEntryLength { get; init; } = 1024 * 1024;
}
