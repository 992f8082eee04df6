namespace QuoteHelper.Verification;

/// <summary>A piece of collateral that has a validity window checked against the evaluation time (docs/verification.md §3).</summary>
public enum CollateralItem
{
    /// <summary>The root CA CRL: [thisUpdate, nextUpdate].</summary>
    RootCaCrl = 1,
    /// <summary>The PCK CRL: [thisUpdate, nextUpdate].</summary>
    PckCrl,
    /// <summary>The root certificate of the PCK chain: [notBefore, notAfter].</summary>
    RootCertificate,
    /// <summary>The PCK Processor or Platform CA certificate: [notBefore, notAfter].</summary>
    PckCaCertificate,
    /// <summary>The PCK certificate: [notBefore, notAfter].</summary>
    PckCertificate,
    /// <summary>The TCB Signing certificate that signed the TCB Info: [notBefore, notAfter].</summary>
    TcbInfoSigningCertificate,
    /// <summary>The TCB Info: [issueDate, nextUpdate].</summary>
    TcbInfo,
    /// <summary>The TCB Signing certificate that signed the QE Identity: [notBefore, notAfter].</summary>
    QeIdentitySigningCertificate,
    /// <summary>The QE Identity: [issueDate, nextUpdate].</summary>
    QeIdentity,
}
