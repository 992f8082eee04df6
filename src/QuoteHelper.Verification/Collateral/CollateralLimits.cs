namespace QuoteHelper.Verification.Collateral;

/// <summary>
/// Caps on every collateral length (house-style habit 3). Real values are far below them: a whole collateral JSON is
/// about 16 KiB, a TCB Info about 10 KiB, a PCK Platform CRL with 44 entries about 3 KiB.
/// </summary>
public static class CollateralLimits
{
    /// <summary>Largest collateral JSON document accepted: 1 MiB (dcap-qvl's cap on variable fields).</summary>
    public const int MaxDocumentLength = 1024 * 1024;

    /// <summary>Largest CRL accepted, DER: 512 KiB (Intel's PCK CRLs grow with revocations; today they are ~3 KiB).</summary>
    public const int MaxCrlLength = 512 * 1024;

    /// <summary>Largest PEM issuer chain or PCK chain accepted: 64 KiB (real chains are ~2–4 KiB).</summary>
    public const int MaxChainLength = 64 * 1024;

    /// <summary>Most certificates accepted in one PEM chain (Intel's chains have 2 or 3).</summary>
    public const int MaxCertificatesInChain = 8;

    /// <summary>Largest signed JSON value (TCB Info, QE Identity) accepted: 256 KiB (real TCB Info: ~10 KiB).</summary>
    public const int MaxSignedJsonLength = 256 * 1024;

    /// <summary>Length of a TCB Info / QE Identity signature: r ‖ s of P-256, 32 bytes each.</summary>
    public const int SignatureLength = 64;
}
