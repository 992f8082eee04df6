namespace QuoteHelper.Collateral.Pcs;

/// <summary>Version of Intel's PCS/PCCS API (dcap-quote.md §6): v3 serves TCB Info v2, v4 serves TCB Info v3.</summary>
public enum PcsApiVersion
{
    /// <summary>API v3 (<c>/sgx/certification/v3/</c>): TCB Info v2, header <c>SGX-TCB-Info-Issuer-Chain</c>.</summary>
    V3 = 3,

    /// <summary>API v4 (<c>/sgx|tdx/certification/v4/</c>): TCB Info v3, header <c>TCB-Info-Issuer-Chain</c>.</summary>
    V4 = 4,
}

/// <summary>Which router of the API: SGX (<c>/sgx/…</c>) or TDX (<c>/tdx/…</c>, v4 only: <c>tcb</c> and <c>qe/identity</c>).</summary>
public enum PcsTee
{
    /// <summary><c>/sgx/certification/vN/</c>.</summary>
    Sgx,

    /// <summary><c>/tdx/certification/v4/</c>.</summary>
    Tdx,
}

/// <summary>The PCK CA that issued a PCK certificate (the <c>ca</c> parameter of <c>pckcrl</c>).</summary>
public enum PckCaType
{
    /// <summary>Intel SGX PCK Processor CA (<c>ca=processor</c>).</summary>
    Processor,

    /// <summary>Intel SGX PCK Platform CA (<c>ca=platform</c>).</summary>
    Platform,
}

/// <summary>Encoding of the PCK CRL body (the <c>encoding</c> parameter of <c>pckcrl</c>; PEM when absent).</summary>
public enum PckCrlEncoding
{
    /// <summary>PEM, <c>application/x-pem-file</c> (the PCS default).</summary>
    Pem,

    /// <summary>DER, <c>application/pkix-crl</c> (<c>encoding=der</c>).</summary>
    Der,
}

/// <summary>Header names of the PCS/PCCS API (dcap-quote.md §6.2). Chains in headers are URL-encoded PEM.</summary>
public static class PcsHeaders
{
    /// <summary>Issuer chain of TCB Info on API v4 (and the TDX router).</summary>
    public const string TcbInfoIssuerChain = "TCB-Info-Issuer-Chain";

    /// <summary>Issuer chain of TCB Info on API v3.</summary>
    public const string SgxTcbInfoIssuerChain = "SGX-TCB-Info-Issuer-Chain";

    /// <summary>Issuer chain of QE / QvE / TD_QE identities.</summary>
    public const string EnclaveIdentityIssuerChain = "SGX-Enclave-Identity-Issuer-Chain";

    /// <summary>Issuer chain of the PCK CRL.</summary>
    public const string PckCrlIssuerChain = "SGX-PCK-CRL-Issuer-Chain";

    /// <summary>Issuer chain of a PCK certificate.</summary>
    public const string PckCertificateIssuerChain = "SGX-PCK-Certificate-Issuer-Chain";

    /// <summary>TCBm of a PCK certificate: hex CPUSVN ‖ PCESVN.</summary>
    public const string Tcbm = "SGX-TCBm";

    /// <summary>FMSPC of a PCK certificate, hex.</summary>
    public const string Fmspc = "SGX-FMSPC";

    /// <summary>CA type of a PCK certificate: <c>processor</c> or <c>platform</c>.</summary>
    public const string PckCertificateCaType = "SGX-PCK-Certificate-CA-Type";

    /// <summary>Request id every PCS response carries.</summary>
    public const string RequestId = "Request-ID";

    /// <summary>Warning (RFC 7234); the cache adds <c>110 - "Response is Stale"</c> to a stale answer.</summary>
    public const string Warning = "Warning";

    /// <summary>The headers a cache keeps and a proxy passes on (besides Content-Type).</summary>
    public static IReadOnlyList<string> Forwarded { get; } =
    [
        TcbInfoIssuerChain, SgxTcbInfoIssuerChain, EnclaveIdentityIssuerChain, PckCrlIssuerChain,
        PckCertificateIssuerChain, Tcbm, Fmspc, PckCertificateCaType, RequestId, Warning,
        "TCB-Evaluation-Data-Numbers-Issuer-Chain",
    ];
}

/// <summary>Content types of PCS responses.</summary>
public static class PcsContentTypes
{
    /// <summary>TCB Info and identities.</summary>
    public const string Json = "application/json";

    /// <summary>PEM bodies (PCK certificate, PEM CRL).</summary>
    public const string Pem = "application/x-pem-file";

    /// <summary>DER CRL — and, as Intel's PCCS does, the hex text of <c>rootcacrl</c>.</summary>
    public const string Crl = "application/pkix-crl";

    /// <summary>Error messages.</summary>
    public const string Text = "text/plain; charset=utf-8";
}
