namespace QuoteHelper.Collateral.Pcs;

/// <summary>Why a PCS/PCCS fetch failed (<see cref="PcsException.Reason"/>).</summary>
public enum PcsError
{
    /// <summary>The service answered with a status other than 200 (<see cref="PcsException.StatusCode"/>).</summary>
    HttpStatus = 1,

    /// <summary>The body (or its announced Content-Length) exceeds <see cref="PcsClientOptions.MaxResponseLength"/>.</summary>
    ResponseTooLarge,

    /// <summary>A header the route must carry (an issuer chain) is absent.</summary>
    MissingHeader,

    /// <summary>The body does not have the route's format (JSON with a signature, CRL, hex, PEM).</summary>
    MalformedResponse,

    /// <summary>The service could not be reached (connection refused, reset, DNS).</summary>
    Unreachable,

    /// <summary>No complete answer within <see cref="PcsClientOptions.Timeout"/>.</summary>
    Timeout,

    /// <summary>The quote given to <see cref="PcsClient.GetCollateralAsync"/> cannot be used to find its collateral.</summary>
    UnsupportedQuote,
}

/// <summary>
/// A PCS/PCCS fetch failed: <see cref="Reason"/>, the <see cref="Route"/> and, for <see cref="PcsError.HttpStatus"/>,
/// the <see cref="StatusCode"/>. Only this library creates it (house-style habit 5).
/// </summary>
#pragma warning disable CA1032 // Deliberately no public constructors: callers catch and switch on Reason.
public sealed class PcsException : Exception
#pragma warning restore CA1032
{
    internal PcsException(PcsError reason, string route, string message, int? statusCode = null, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        Route = route;
        StatusCode = statusCode;
    }

    /// <summary>What went wrong.</summary>
    public PcsError Reason { get; }

    /// <summary>The route (path and query) that failed.</summary>
    public string Route { get; }

    /// <summary>The HTTP status code when the service answered, else null.</summary>
    public int? StatusCode { get; }

    /// <summary>True for failures a cache may answer from a stale entry: unreachable, timeout, 5xx.</summary>
    public bool IsUpstreamFailure => Reason is PcsError.Unreachable or PcsError.Timeout ||
        (Reason == PcsError.HttpStatus && StatusCode >= 500);
}
