using System.Collections.Concurrent;
using System.Security.Cryptography;
using QuoteHelper.Sgx.Pck;
using QuoteHelper.Sgx.Quotes;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Verification.Internal;

/// <summary>A step failure: the reason and a detail for logs.</summary>
internal readonly record struct Failure(VerificationFailureReason Reason, string Detail);

/// <summary>
/// Everything about one collateral object that does not depend on the quote or the time: parsed CRLs and chains,
/// signature checks, the verified and parsed TCB Info and QE Identity. Computed lazily, once per collateral object and
/// verifier, so that verifying many quotes costs only the per-quote signature checks (issue 3, performance).
/// </summary>
internal sealed class PreparedCollateral
{
    private const int MaxCachedChains = 64;
    private readonly ConcurrentDictionary<byte[], PreparedChain> _chains = new(ByteContentComparer.Instance);
    private readonly Cert _trustedRoot;

    public PreparedCollateral(QuoteCollateral collateral, Cert trustedRoot)
    {
        Collateral = collateral;
        _trustedRoot = trustedRoot;
        RootCrl = new(() => LoadCrl(collateral.RootCaCrl, VerificationFailureReason.RootCrlMalformed));
        PckCrl = new(() => LoadCrl(collateral.PckCrl, VerificationFailureReason.PckCrlMalformed));
        RootCrlSignedByRoot = new(() => RootCrl.Value.Crl is { } crl && crl.IsSignedBy(trustedRoot));
        PckCrlIssuerChain = new(() => LoadIssuerChain(collateral.PckCrlIssuerChain, "CA", VerificationFailureReason.PckCrlIssuerChainInvalid));
        TcbInfoChain = new(() => LoadIssuerChain(collateral.TcbInfoIssuerChain, "SGX TCB Signing", VerificationFailureReason.SigningChainInvalid));
        QeIdentityChain = new(() => collateral.QeIdentityIssuerChain == collateral.TcbInfoIssuerChain
            ? TcbInfoChain.Value
            : LoadIssuerChain(collateral.QeIdentityIssuerChain, "SGX TCB Signing", VerificationFailureReason.SigningChainInvalid));
        TcbInfo = new(() => LoadSigned(TcbInfoChain.Value, collateral.TcbInfo, collateral.TcbInfoSignature,
            VerificationFailureReason.TcbInfoSignatureInvalid, VerificationFailureReason.TcbInfoMalformed, Internal.TcbInfo.Parse));
        QeIdentity = new(() => LoadSigned(QeIdentityChain.Value, collateral.QeIdentity, collateral.QeIdentitySignature,
            VerificationFailureReason.QeIdentitySignatureInvalid, VerificationFailureReason.QeIdentityMalformed, Internal.QeIdentity.Parse));
        SuppliedChain = collateral.PckCertificateChain is { } pem
            ? new(() => new PreparedChain(this, Cert.TryLoadPemChain(pem, out var reason, out var error), reason, error))
            : null;
    }

    public QuoteCollateral Collateral { get; }
    public Lazy<(Crl? Crl, Failure? Failure)> RootCrl { get; }
    public Lazy<(Crl? Crl, Failure? Failure)> PckCrl { get; }
    public Lazy<bool> RootCrlSignedByRoot { get; }
    public Lazy<(Cert? Leaf, Failure? Failure)> PckCrlIssuerChain { get; }
    public Lazy<(Cert? Leaf, Failure? Failure)> TcbInfoChain { get; }
    public Lazy<(Cert? Leaf, Failure? Failure)> QeIdentityChain { get; }
    public Lazy<(TcbInfo? Value, Failure? Failure)> TcbInfo { get; }
    public Lazy<(QeIdentity? Value, Failure? Failure)> QeIdentity { get; }
    public Lazy<PreparedChain>? SuppliedChain { get; }

    /// <summary>The prepared chain for a quote's type-5 certification data, cached by its exact bytes.</summary>
    public PreparedChain ChainFromQuote(CertificationData data)
    {
        if (_chains.TryGetValue(data.Data, out var chain))
        {
            return chain;
        }

        if (_chains.Count >= MaxCachedChains)
        {
            _chains.Clear();
        }

        chain = new PreparedChain(this, Cert.TryLoadDerChain(data.GetPckCertChainDer, out var reason, out var error), reason, error);
        return _chains.GetOrAdd(data.Data, chain);
    }

    private static (Crl?, Failure?) LoadCrl(byte[] der, VerificationFailureReason reason)
    {
        var crl = Crl.TryParse(der, out var error);
        return crl is null ? (null, new Failure(reason, error!)) : (crl, null);
    }

    /// <summary>An issuer chain: exactly 2 certificates, the signer issued by the trusted root (dcap-quote.md §5.9).</summary>
    private (Cert?, Failure?) LoadIssuerChain(string pem, string cnPhrase, VerificationFailureReason reason)
    {
        var certificates = Cert.TryLoadPemChain(pem, out _, out var error);
        if (certificates is null)
        {
            return (null, new Failure(reason, "issuer chain: " + error));
        }

        if (certificates.Count != 2)
        {
            return (null, new Failure(reason, $"issuer chain has {certificates.Count} certificates; 2 expected (signer, root)."));
        }

        var signer = certificates.FirstOrDefault(c => !c.IsSelfIssued);
        var root = certificates.FirstOrDefault(c => c.IsSelfIssued);
        if (signer is null || root is null || !root.SameAs(_trustedRoot))
        {
            return (null, new Failure(reason, "issuer chain does not end in the trusted root."));
        }

        if (!signer.IsIssuedBy(_trustedRoot))
        {
            return (null, new Failure(reason, $"'{signer.CommonName}' is not signed by the trusted root."));
        }

        if (!signer.CommonName.Contains(cnPhrase, StringComparison.Ordinal))
        {
            return (null, new Failure(reason, $"issuer CN '{signer.CommonName}' does not contain '{cnPhrase}' (§4.2)."));
        }

        return (signer, null);
    }

    /// <summary>Verify the signature over the exact received bytes, then parse (house-style habit 9, dcap-quote.md §5.3).</summary>
    private static (T?, Failure?) LoadSigned<T>((Cert? Leaf, Failure? Failure) chain, byte[] json, byte[] signature,
        VerificationFailureReason signatureReason, VerificationFailureReason formatReason, Func<byte[], T> parse)
        where T : class
    {
        if (chain.Failure is { } failure)
        {
            return (null, failure);
        }

        var key = chain.Leaf!.PublicKey;
        bool valid;
        lock (key!)
        {
            valid = signature.Length == CollateralLimits.SignatureLength &&
                key.VerifyData(json, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        if (!valid)
        {
            return (null, new Failure(signatureReason, "signature does not verify over the received bytes."));
        }

        try
        {
            return (parse(json), null);
        }
        catch (InvalidDataException e)
        {
            return (null, new Failure(formatReason, e.Message));
        }
    }
}

/// <summary>
/// A PCK chain (from a quote or supplied with the collateral) prepared against one collateral: the identified
/// certificates and every check that depends only on them and the collateral, each computed once.
/// </summary>
internal sealed class PreparedChain
{
    private const int MaxCachedReports = 64;
    private readonly ConcurrentDictionary<byte[], bool> _qeReports = new(ByteContentComparer.Instance);

    public PreparedChain(PreparedCollateral collateral, List<Cert>? certificates, VerificationFailureReason? reason, string? error)
    {
        if (certificates is null)
        {
            Failure = new Failure(reason ?? VerificationFailureReason.PckChainMalformed, error ?? "PCK chain does not parse.");
        }
        else if (certificates.Count != 3)
        {
            Failure = new Failure(VerificationFailureReason.PckChainIncomplete, $"PCK chain has {certificates.Count} certificates; 3 expected.");
        }
        else
        {
            // Identify by subject and issuer, not position (QVL, dcap-quote.md §7.1 step 2).
            Root = certificates.FirstOrDefault(c => c.IsSelfIssued);
            Intermediate = Root is null ? null : certificates.FirstOrDefault(c => !c.IsSelfIssued && c.IssuerRaw.AsSpan().SequenceEqual(Root.SubjectRaw));
            Leaf = Intermediate is null ? null : certificates.FirstOrDefault(c => !c.IsSelfIssued && c != Intermediate && c.IssuerRaw.AsSpan().SequenceEqual(Intermediate.SubjectRaw));
            if (Leaf is null)
            {
                Failure = new Failure(VerificationFailureReason.PckChainIncomplete, "PCK chain is not leaf ← CA ← self-signed root by subject/issuer.");
            }
        }

        PckCrlSignedByCa = new(() => collateral.PckCrl.Value.Crl is { } crl && Intermediate is { } ca && crl.IsSignedBy(ca));
        Signatures = new(CheckSignatures);
        Extension = new(DecodeExtension);
    }

    public Failure? Failure { get; }
    public Cert? Leaf { get; }
    public Cert? Intermediate { get; }
    public Cert? Root { get; }
    public Lazy<bool> PckCrlSignedByCa { get; }
    public Lazy<Failure?> Signatures { get; }
    public Lazy<(SgxPckExtension? Extension, Failure? Failure)> Extension { get; }

    /// <summary>QE report signature check, cached by the exact report ‖ signature bytes.</summary>
    public bool QeReportSignatureValid(ReadOnlySpan<byte> report, ReadOnlySpan<byte> signature)
    {
        var key = new byte[report.Length + signature.Length];
        report.CopyTo(key);
        signature.CopyTo(key.AsSpan(report.Length));
        if (_qeReports.TryGetValue(key, out var valid))
        {
            return valid;
        }

        var pck = Leaf!.PublicKey;
        if (pck is null)
        {
            valid = false;
        }
        else
        {
            lock (pck)
            {
                valid = pck.VerifyData(report, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        }

        if (_qeReports.Count >= MaxCachedReports)
        {
            _qeReports.Clear();
        }

        _qeReports[key] = valid;
        return valid;
    }

    private Failure? CheckSignatures()
    {
        if (!Root!.IsIssuedBy(Root))
        {
            return new Failure(VerificationFailureReason.CertificateSignatureInvalid, "root is not self-signed.");
        }

        if (!Intermediate!.IsIssuedBy(Root))
        {
            return new Failure(VerificationFailureReason.CertificateSignatureInvalid, $"'{Intermediate.CommonName}' is not signed by the root.");
        }

        if (!Leaf!.IsIssuedBy(Intermediate))
        {
            return new Failure(VerificationFailureReason.CertificateSignatureInvalid, $"'{Leaf.CommonName}' is not signed by '{Intermediate.CommonName}'.");
        }

        // CN phrases and CA flags as QVL checks them (dcap-quote.md §4.2).
        if (!Root.CommonName.Contains("SGX Root CA", StringComparison.Ordinal) || !Root.IsCa)
        {
            return new Failure(VerificationFailureReason.CertificateProfileInvalid, $"root '{Root.CommonName}' is not an SGX Root CA.");
        }

        if (!Intermediate.CommonName.Contains("CA", StringComparison.Ordinal) || !Intermediate.IsCa)
        {
            return new Failure(VerificationFailureReason.CertificateProfileInvalid, $"intermediate '{Intermediate.CommonName}' is not a CA.");
        }

        if (!Leaf.CommonName.Contains("SGX PCK Certificate", StringComparison.Ordinal) || Leaf.IsCa)
        {
            return new Failure(VerificationFailureReason.CertificateProfileInvalid, $"leaf '{Leaf.CommonName}' is not an SGX PCK Certificate.");
        }

        return null;
    }

    private (SgxPckExtension?, Failure?) DecodeExtension()
    {
        var extension = Leaf!.X509.Extensions[SgxPckExtension.Oid];
        if (extension is null)
        {
            return (null, new Failure(VerificationFailureReason.PckExtensionMalformed, "PCK certificate has no SGX extension."));
        }

        try
        {
            return (SgxPckExtension.Decode(extension.RawData), null);
        }
        catch (PckExtensionFormatException e)
        {
            return (null, new Failure(VerificationFailureReason.PckExtensionMalformed, e.Message));
        }
    }
}
