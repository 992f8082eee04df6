namespace QuoteHelper.Sgx.Quotes;

/// <summary>
/// Caps on every length a quote declares (house-style habit 3). Declared lengths are compared with these before any
/// allocation, so a hostile quote cannot make the parser allocate more than it was given.
/// </summary>
public static class QuoteLimits
{
    /// <summary>
    /// Largest quote buffer accepted: 1 MiB, dcap-qvl's cap on variable fields. Real v3 quotes are about 4.6 KiB.
    /// </summary>
    public const int MaxQuoteLength = 1024 * 1024;

    /// <summary>
    /// Largest certification data accepted: 64 KiB. A real three-certificate PEM chain is about 3.5 KiB, and 64 KiB is
    /// the quote buffer cap a compatible AESM server applies (aesm-protocol.md §6.7).
    /// </summary>
    public const int MaxCertificationDataLength = 64 * 1024;

    /// <summary>Most certificates accepted in a PCK_CERT_CHAIN (real chains have 3: PCK, PCK CA, root).</summary>
    public const int MaxCertificatesInChain = 8;
}
