namespace QuoteHelper.Quoting.Hardware;

/// <summary>
/// Settings of the hardware backend: where Intel's DCAP quote library is and how it loads its enclaves. Every default
/// is stated with the reason and the risk (docs/hardware.md).
/// </summary>
public sealed class DcapQuotingOptions
{
    /// <summary>The soname Intel's <c>libsgx-dcap-ql</c> package installs.</summary>
    public const string DefaultLibraryPath = "libsgx_dcap_ql.so.1";

    /// <summary>
    /// The DCAP quote library: a soname searched the way <c>dlopen</c> searches, or a path. Default
    /// <see cref="DefaultLibraryPath"/>. Whatever is loaded here runs in the daemon's process with its privileges.
    /// </summary>
    public string LibraryPath { get; set; } = DefaultLibraryPath;

    /// <summary>
    /// Whether QE3 and the PCE stay loaded between calls (<c>sgx_qe_set_enclave_load_policy</c>). Default
    /// <see cref="DcapEnclaveLoadPolicy.Persistent"/>, like Intel's aesmd: one helper per node holds them once. Ephemeral
    /// frees EPC between requests at the cost of an enclave load (tens of milliseconds) per call.
    /// </summary>
    public DcapEnclaveLoadPolicy LoadPolicy { get; set; } = DcapEnclaveLoadPolicy.Persistent;

    /// <summary>
    /// Full path of the QE3 enclave (<c>sgx_ql_set_path(SGX_QL_QE3_PATH)</c>), or null (default) for the library's own
    /// search (next to the library, then the system library directories).
    /// </summary>
    public string? QuotingEnclavePath { get; set; }

    /// <summary>Full path of the PCE enclave (<c>SGX_QL_PCE_PATH</c>), or null (default) for the library's own search.</summary>
    public string? ProvisioningCertificationEnclavePath { get; set; }

    /// <summary>
    /// Full path of the quote provider library that supplies PCK certificates (<c>SGX_QL_QPL_PATH</c>, e.g. Intel's
    /// <c>libdcap_quoteprov.so.1</c> or Azure's DCAP client), or null (default) for <c>libdcap_quoteprov.so.1</c> on the
    /// library search path. Without a QPL, quotes carry encrypted-PPID certification data (type 3) that most
    /// verifiers cannot use.
    /// </summary>
    public string? QuoteProviderLibraryPath { get; set; }

    /// <summary>
    /// Use the core functions <c>sgx_ql_init_quote</c>, <c>sgx_ql_get_quote_size</c> and <c>sgx_ql_get_quote</c> (from
    /// <c>libsgx_qe3_logic</c>, which the DCAP library loads) when they can be found through the loaded library, as
    /// Intel's aesmd does. Default true: they return the attestation key's <c>pub_key_id</c> and fill
    /// <c>qe_report_info</c>, which the <c>sgx_qe_*</c> wrapper functions cannot. When false or not found, the
    /// wrapper functions are used (docs/hardware.md, "pub_key_id and qe_report_info").
    /// </summary>
    public bool UseCoreFunctions { get; set; } = true;

    /// <summary>
    /// Certify the attestation key when the daemon starts (one InitQuoteEx on behalf of the clients), so that
    /// GetQuoteSizeEx and GetQuoteEx do not answer 42 after a restart. Default true. A failure is logged, not fatal:
    /// clients then see the error from their own InitQuoteEx.
    /// </summary>
    public bool EagerAttestationKey { get; set; } = true;
}

/// <summary><c>sgx_ql_request_policy_t</c>: how the DCAP library keeps its enclaves loaded.</summary>
public enum DcapEnclaveLoadPolicy
{
    /// <summary><c>SGX_QL_PERSISTENT</c>: load once, keep loaded until the library is unloaded.</summary>
    Persistent = 0,

    /// <summary><c>SGX_QL_EPHEMERAL</c>: load and unload the enclaves for every call.</summary>
    Ephemeral = 1,
}
