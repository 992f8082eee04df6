namespace QuoteHelper.Verification.Collateral;

/// <summary>
/// Everything a verifier needs besides the quote and the trusted root, in the shape of dcap-qvl's
/// <c>QuoteCollateralV3</c> (dcap-quote.md §5.10). Signed documents are kept as the exact bytes that were signed:
/// <see cref="TcbInfo"/> and <see cref="QeIdentity"/> are the inner JSON values, never re-serialised
/// (dcap-quote.md §5.3). Read and write it with <see cref="QuoteCollateralJson"/>; build it from PCS/PCCS responses
/// with <see cref="PcsCollateral"/>. Nothing here is trusted until the verifier has checked it.
/// </summary>
public sealed record QuoteCollateral
{
    /// <summary>PEM chain of the PCK CRL's issuer: PCK Processor or Platform CA, then the root (dcap-quote.md §5.9).</summary>
    public required string PckCrlIssuerChain { get; init; }

    /// <summary>The root CA CRL, DER.</summary>
    public required byte[] RootCaCrl { get; init; }

    /// <summary>The PCK CRL (issued by the PCK Processor or Platform CA), DER.</summary>
    public required byte[] PckCrl { get; init; }

    /// <summary>PEM chain of the TCB Info signer: Intel SGX TCB Signing, then the root.</summary>
    public required string TcbInfoIssuerChain { get; init; }

    /// <summary>The exact UTF-8 bytes of the <c>tcbInfo</c> JSON value — the bytes <see cref="TcbInfoSignature"/> signs.</summary>
    public required byte[] TcbInfo { get; init; }

    /// <summary>ECDSA P-256 signature over <see cref="TcbInfo"/>, 64 bytes r ‖ s (dcap-quote.md §3.4).</summary>
    public required byte[] TcbInfoSignature { get; init; }

    /// <summary>PEM chain of the QE Identity signer: Intel SGX TCB Signing, then the root.</summary>
    public required string QeIdentityIssuerChain { get; init; }

    /// <summary>The exact UTF-8 bytes of the <c>enclaveIdentity</c> JSON value — what <see cref="QeIdentitySignature"/> signs.</summary>
    public required byte[] QeIdentity { get; init; }

    /// <summary>ECDSA P-256 signature over <see cref="QeIdentity"/>, 64 bytes r ‖ s.</summary>
    public required byte[] QeIdentitySignature { get; init; }

    /// <summary>
    /// Optional PEM PCK chain (PCK leaf, PCK CA, root). When present it is used instead of the quote's certification
    /// data (dcap-qvl semantics, dcap-quote.md §5.10) — this is how quotes with certification data types 1–4 are
    /// verified. Null by default.
    /// </summary>
    public string? PckCertificateChain { get; init; }
}
