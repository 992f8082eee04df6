namespace QuoteHelper.Sgx.Quotes;

/// <summary>Certification data types (<c>sgx_ql_cert_key_type_t</c>, dcap-quote.md §1.5).</summary>
public enum CertificationDataType : ushort
{
    /// <summary>PPID_CLEARTEXT: PPID ‖ CPUSVN ‖ PCESVN ‖ PCEID (36 bytes; an older 34-byte form lacks the PCEID).</summary>
    PpidCleartext = 1,
    /// <summary>PPID_RSA2048_ENCRYPTED: encrypted PPID (256) ‖ CPUSVN ‖ PCESVN ‖ PCEID (276 bytes).</summary>
    PpidRsa2048Encrypted = 2,
    /// <summary>PPID_RSA3072_ENCRYPTED: encrypted PPID (384) ‖ CPUSVN ‖ PCESVN ‖ PCEID (404 bytes); QE3's fallback.</summary>
    PpidRsa3072Encrypted = 3,
    /// <summary>PCK_CLEARTEXT: the PCK leaf certificate.</summary>
    PckCleartext = 4,
    /// <summary>PCK_CERT_CHAIN: ASCII PEM chain (leaf, PCK CA, root) ending in <c>"\n\0"</c>, the NUL counted.</summary>
    PckCertChain = 5,
    /// <summary>QE_REPORT_CERTIFICATION_DATA: only the outer certification data of v4/v5 quotes.</summary>
    QeReportCertificationData = 6,
}
