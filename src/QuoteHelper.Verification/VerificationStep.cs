namespace QuoteHelper.Verification;

/// <summary>
/// The numbered steps of the verification pipeline, the same numbers as dcap-quote.md §7.1 and docs/verification.md.
/// <see cref="VerificationResult.FailedStep"/> names the step that rejected a quote.
/// </summary>
public enum VerificationStep
{
    /// <summary>1. Parse the quote (v3/v4/v5 layout, §1, §2), Intel vendor id.</summary>
    ParseQuote = 1,
    /// <summary>2. Extract the PCK chain (type-5 certification data or a chain supplied with the collateral), identify leaf / CA / root.</summary>
    ExtractPckChain = 2,
    /// <summary>3. The chain's root is the configured trusted root.</summary>
    TrustAnchor = 3,
    /// <summary>4. Root CA CRL and PCK CRL: encoding, issuer, signature, CRL Number and AKI, validity window.</summary>
    Crls = 4,
    /// <summary>5. PCK chain: signatures, names, revocation, validity.</summary>
    PckChain = 5,
    /// <summary>6. TCB Info: signing chain, signature over the received bytes, content, validity.</summary>
    TcbInfo = 6,
    /// <summary>7. QE Identity: signing chain, signature over the received bytes, content, validity.</summary>
    QeIdentity = 7,
    /// <summary>8. Decode the PCK certificate's SGX extension.</summary>
    PckExtension = 8,
    /// <summary>9. FMSPC and PCE-ID of the PCK equal those of the TCB Info.</summary>
    FmspcAndPceId = 9,
    /// <summary>10. QE report signature by the PCK key.</summary>
    QeReportSignature = 10,
    /// <summary>11. QE report data binds the attestation key and auth data.</summary>
    QeReportData = 11,
    /// <summary>12. QE report matches the QE Identity; QE TCB status from its ISVSVN.</summary>
    QeIdentityMatch = 12,
    /// <summary>13. Quote signature by the attestation key.</summary>
    QuoteSignature = 13,
    /// <summary>14. Platform TCB level from the PCK certificate's TCB: status and advisory IDs.</summary>
    PlatformTcbLevel = 14,
    /// <summary>15. Merge the QE and platform statuses (Intel's rule, §5.7).</summary>
    StatusMerge = 15,
    /// <summary>16. Result: Revoked is terminal; expiry flag or (strict) failure.</summary>
    Result = 16,
}
