namespace QuoteHelper.Verification;

/// <summary>Why the pipeline rejected a quote; each reason belongs to one <see cref="VerificationStep"/> (docs/verification.md).</summary>
public enum VerificationFailureReason
{
    // Step 1
    /// <summary>1: shorter than its fixed part or its declared lengths.</summary>
    QuoteTooShort = 1,
    /// <summary>1: longer than the 1 MiB cap.</summary>
    QuoteTooLong,
    /// <summary>1: version not 3, 4 or 5.</summary>
    UnsupportedQuoteVersion,
    /// <summary>1: attestation key type not ECDSA-P256.</summary>
    UnsupportedAttestationKeyType,
    /// <summary>1: TEE type not SGX or TDX (or TDX in a v3 quote), or a v5 body type that does not fit.</summary>
    UnsupportedTeeType,
    /// <summary>1: a declared length (signature data, auth data, certification data, v5 body) is inconsistent.</summary>
    QuoteLengthInconsistent,
    /// <summary>1: certification data type not 1..5 (or outer type not 6 in v4/v5).</summary>
    UnknownCertificationDataType,
    /// <summary>1: the QE vendor id is not Intel's.</summary>
    UnknownQeVendor,

    // Step 2
    /// <summary>2: the quote carries no PCK chain (type ≠ 5) and none was supplied with the collateral.</summary>
    PckChainMissing,
    /// <summary>2: the PEM chain has junk, bad base64, other labels, or a certificate that does not parse.</summary>
    PckChainMalformed,
    /// <summary>2: more than 8 certificates.</summary>
    PckChainTooManyCertificates,
    /// <summary>2: not exactly 3 certificates, or they do not form leaf ← CA ← self-signed root by subject/issuer.</summary>
    PckChainIncomplete,

    // Step 3
    /// <summary>3: the chain's root is not the trusted root.</summary>
    UntrustedRoot,

    // Step 4
    /// <summary>4: the root CA CRL does not parse.</summary>
    RootCrlMalformed,
    /// <summary>4: the PCK CRL does not parse.</summary>
    PckCrlMalformed,
    /// <summary>4: a CRL lacks the CRL Number or Authority Key Identifier extension, or nextUpdate.</summary>
    CrlMissingRequiredField,
    /// <summary>4: a CRL's issuer name is not its expected issuer (root, resp. the PCK's CA).</summary>
    CrlIssuerMismatch,
    /// <summary>4: a CRL's signature does not verify with its issuer's key.</summary>
    CrlSignatureInvalid,
    /// <summary>4: the PCK CRL issuer chain does not parse or does not chain to the trusted root.</summary>
    PckCrlIssuerChainInvalid,
    /// <summary>4 (strict expiry only): t past a CRL's nextUpdate.</summary>
    CrlExpired,

    // Step 5
    /// <summary>5: a certificate of the PCK chain is not signed by its issuer (or not ecdsa-with-SHA256).</summary>
    CertificateSignatureInvalid,
    /// <summary>5: a certificate's CN or CA flag is not what its position requires (§4.2).</summary>
    CertificateProfileInvalid,
    /// <summary>5 (strict expiry only): t past a certificate's notAfter.</summary>
    CertificateExpired,
    /// <summary>5: the PCK CA is revoked by the root CRL.</summary>
    IntermediateRevoked,
    /// <summary>5: the PCK certificate is revoked by the PCK CRL.</summary>
    PckRevoked,

    // Steps 6 and 7
    /// <summary>6/7: the TCB signing chain does not parse, is not 2 certificates, or does not chain to the trusted root.</summary>
    SigningChainInvalid,
    /// <summary>6/7: the TCB Signing certificate is revoked by the root CRL.</summary>
    SigningCertificateRevoked,
    /// <summary>6: the TCB Info signature does not verify over the received bytes.</summary>
    TcbInfoSignatureInvalid,
    /// <summary>6: the TCB Info is not the JSON of §5.1.</summary>
    TcbInfoMalformed,
    /// <summary>6: TCB Info version not 2/3, id not matching the TEE, or tcbType ≠ 0.</summary>
    TcbInfoUnsupported,
    /// <summary>6 (strict expiry only): t past the TCB Info nextUpdate or its signer certificate's notAfter.</summary>
    TcbInfoExpired,
    /// <summary>7: the QE Identity signature does not verify over the received bytes.</summary>
    QeIdentitySignatureInvalid,
    /// <summary>7: the QE Identity is not the JSON of §5.2.</summary>
    QeIdentityMalformed,
    /// <summary>7: QE Identity version not 2, or id not QE (SGX) / TD_QE (TDX).</summary>
    QeIdentityUnsupported,
    /// <summary>7 (strict expiry only): t past the QE Identity nextUpdate or its signer certificate's notAfter.</summary>
    QeIdentityExpired,

    // Step 8
    /// <summary>8: the PCK certificate has no valid SGX extension.</summary>
    PckExtensionMalformed,

    // Step 9
    /// <summary>9: the PCK's FMSPC differs from the TCB Info's (collateral for another platform).</summary>
    FmspcMismatch,
    /// <summary>9: the PCK's PCE-ID differs from the TCB Info's.</summary>
    PceIdMismatch,

    // Step 10
    /// <summary>10: the QE report signature does not verify with the PCK key.</summary>
    QeReportSignatureInvalid,

    // Step 11
    /// <summary>11: QE report data ≠ SHA256(attestation key ‖ auth data).</summary>
    QeReportDataMismatch,

    // Step 12
    /// <summary>12: (miscselect &amp; mask) ≠ expected.</summary>
    QeMiscSelectMismatch,
    /// <summary>12: (attributes &amp; mask) ≠ expected.</summary>
    QeAttributesMismatch,
    /// <summary>12: MRSIGNER ≠ expected.</summary>
    QeMrSignerMismatch,
    /// <summary>12: ISVPRODID ≠ expected.</summary>
    QeIsvProdIdMismatch,
    /// <summary>12: no QE TCB level has an ISVSVN ≤ the QE's.</summary>
    QeTcbNotSupported,

    // Step 13
    /// <summary>13: the attestation key is not a valid P-256 point.</summary>
    AttestationKeyInvalid,
    /// <summary>13: the quote signature does not verify with the attestation key.</summary>
    QuoteSignatureInvalid,

    // Step 14
    /// <summary>14: no TCB level matches the PCK certificate's TCB.</summary>
    TcbLevelNotFound,
    /// <summary>14: TDX TCB evaluation (TEE TCB SVN, TDX module identity) is not implemented; steps 1–13 passed.</summary>
    TdxTcbEvaluationNotSupported,

    // Step 16
    /// <summary>16: the merged TCB status is Revoked (terminal).</summary>
    TcbRevoked,

    // Appended after the last step so that the numbers above stay stable.
    /// <summary>4 (strict time or strict expiry): t before a CRL's thisUpdate.</summary>
    CrlNotYetValid,
    /// <summary>5 (strict time or strict expiry): t before a certificate's notBefore.</summary>
    CertificateNotYetValid,
    /// <summary>6 (strict time or strict expiry): t before the TCB Info issueDate or its signer's notBefore.</summary>
    TcbInfoNotYetValid,
    /// <summary>7 (strict time or strict expiry): t before the QE Identity issueDate or its signer's notBefore.</summary>
    QeIdentityNotYetValid,
}
