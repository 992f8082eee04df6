using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Collateral.Pcs;

/// <summary>Where and how <see cref="PcsClient"/> fetches.</summary>
public sealed class PcsClientOptions
{
    /// <summary>Default cap on a response body: 1 MiB (a whole collateral set is ~16 KiB).</summary>
    public const int DefaultMaxResponseLength = CollateralLimits.MaxDocumentLength;

    /// <summary>
    /// The service: Intel PCS (<c>https://api.trustedservices.intel.com/</c>), a PCCS
    /// (<c>https://localhost:8081/</c>) or our server. A trailing <c>/sgx/certification/vN/</c> or
    /// <c>/tdx/certification/vN/</c> is accepted and stripped (it also sets <see cref="Version"/>), as dcap-qvl does.
    /// </summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>API version of the SGX routes. Default v4 (TCB Info v3).</summary>
    public PcsApiVersion Version { get; init; } = PcsApiVersion.V4;

    /// <summary>
    /// Largest response body read; a longer one (by Content-Length or while reading) fails with
    /// <see cref="PcsError.ResponseTooLarge"/> without being buffered. Default <see cref="DefaultMaxResponseLength"/>.
    /// </summary>
    public int MaxResponseLength { get; init; } = DefaultMaxResponseLength;

    /// <summary>Time allowed for one request, headers and body. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Intel PCS subscription key (<c>Ocp-Apim-Subscription-Key</c>); only the PCK certificate routes of
    /// API v3 need it. Default none.</summary>
    public string? ApiKey { get; init; }
}
