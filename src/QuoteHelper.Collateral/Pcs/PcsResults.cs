namespace QuoteHelper.Collateral.Pcs;

/// <summary>A signed JSON document (TCB Info or an enclave identity) as fetched.</summary>
/// <param name="Body">The whole body, byte for byte.</param>
/// <param name="Inner">The exact bytes of the inner value (<c>tcbInfo</c> / <c>enclaveIdentity</c>) — what the signature signs.</param>
/// <param name="Signature">The 64-byte r ‖ s signature.</param>
/// <param name="IssuerChain">The URL-decoded PEM issuer chain from the header.</param>
public sealed record SignedCollateralDocument(byte[] Body, byte[] Inner, byte[] Signature, string IssuerChain);

/// <summary>A PCK CRL as fetched.</summary>
/// <param name="Body">The body as received (PEM or DER).</param>
/// <param name="Der">The CRL, DER.</param>
/// <param name="IssuerChain">The URL-decoded PEM issuer chain (PCK CA ‖ root).</param>
public sealed record PckCrlDocument(byte[] Body, byte[] Der, string IssuerChain);

/// <summary>A PCK certificate as fetched (<c>pckcert</c>).</summary>
/// <param name="CertificatePem">The PEM leaf (the body).</param>
/// <param name="IssuerChain">The URL-decoded PEM issuer chain (PCK CA ‖ root).</param>
/// <param name="Tcbm">The <c>SGX-TCBm</c> header (hex CPUSVN ‖ PCESVN), or null.</param>
/// <param name="Fmspc">The <c>SGX-FMSPC</c> header, or null.</param>
/// <param name="CaType">The <c>SGX-PCK-Certificate-CA-Type</c> header, or null.</param>
public sealed record PckCertificateDocument(string CertificatePem, string IssuerChain, string? Tcbm, string? Fmspc, string? CaType);
