using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using QuoteHelper.Sgx.Quotes;
using QuoteHelper.Verification.Collateral;
using QuoteHelper.Verification.Internal;

namespace QuoteHelper.Verification;

/// <summary>
/// Verifies DCAP quotes against collateral and a trusted root at a given time: one numbered pipeline, the steps of
/// dcap-quote.md §7.1 (and docs/verification.md), one method per step, each with its own failure reasons.
/// Is it genuine? — not: is it acceptable? That is <see cref="Policy.Appraisal"/>.
/// </summary>
/// <remarks>
/// Pure: no clock, no network, no files. Work that depends only on the collateral (CRL and chain parsing, certificate
/// and CRL signatures, TCB Info and QE Identity signatures and parsing) is cached per collateral object (by reference:
/// do not mutate a <see cref="QuoteCollateral"/>'s arrays after passing it), and per-chain and QE report checks are
/// cached by their exact bytes, so a warm verification costs about one ECDSA verification (the quote signature).
/// Instances are thread-safe.
/// </remarks>
public sealed class QuoteVerifier
{
    private const int MaxCachedKeys = 256;
    private readonly Cert _trustedRoot;
    private readonly bool _strict;
    private readonly bool _strictStart;
    private readonly ConditionalWeakTable<QuoteCollateral, PreparedCollateral> _prepared = new();
    private readonly ConcurrentDictionary<byte[], ECDsa?> _attestationKeys = new(ByteContentComparer.Instance);

    /// <summary>Creates a verifier.</summary>
    /// <param name="options">Trusted root and expiry semantics; null for the defaults (Intel root, Intel semantics).</param>
    /// <exception cref="ArgumentException">The trusted root does not parse as an X.509 certificate.</exception>
    public QuoteVerifier(QuoteVerifierOptions? options = null)
    {
        options ??= new QuoteVerifierOptions();
        _strict = options.StrictExpiry;
        _strictStart = options.StrictValidityStart || options.StrictExpiry;
        _trustedRoot = Cert.TryLoad(options.TrustedRootDer ?? IntelRoot.Der, out var error)
            ?? throw new ArgumentException("Trusted root: " + error, nameof(options));
    }

    /// <summary>Verifies a quote at the time given by <paramref name="time"/>.</summary>
    /// <inheritdoc cref="Verify(ReadOnlySpan{byte}, QuoteCollateral, DateTimeOffset)"/>
    public VerificationResult Verify(ReadOnlySpan<byte> quote, QuoteCollateral collateral, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return Verify(quote, collateral, time.GetUtcNow());
    }

    /// <summary>
    /// Runs steps 1–16 on <paramref name="quote"/> with <paramref name="collateral"/> at <paramref name="at"/>. Bad input of
    /// any kind is a failed result, never an exception.
    /// </summary>
    /// <param name="quote">The quote (v3, v4 or v5), possibly followed by padding.</param>
    /// <param name="collateral">The collateral; its <see cref="QuoteCollateral.PckCertificateChain"/>, when present,
    /// is used instead of the quote's certification data.</param>
    /// <param name="at">The evaluation time.</param>
    /// <returns>The result; <see cref="VerificationResult.IsVerified"/> is false when a step rejected the quote.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="collateral"/> is null.</exception>
    public VerificationResult Verify(ReadOnlySpan<byte> quote, QuoteCollateral collateral, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(collateral);
        var run = new Run(at, _prepared.GetValue(collateral, c => new PreparedCollateral(c, _trustedRoot))) { Strict = _strict, StrictStart = _strictStart };
        return Step(run, VerificationStep.ParseQuote, ParseQuote(run, quote))
            ?? Step(run, VerificationStep.ExtractPckChain, ExtractPckChain(run))
            ?? Step(run, VerificationStep.TrustAnchor, CheckTrustAnchor(run))
            ?? Step(run, VerificationStep.Crls, CheckCrls(run))
            ?? Step(run, VerificationStep.PckChain, CheckPckChain(run))
            ?? Step(run, VerificationStep.TcbInfo, CheckTcbInfo(run))
            ?? Step(run, VerificationStep.QeIdentity, CheckQeIdentity(run))
            ?? Step(run, VerificationStep.PckExtension, DecodePckExtension(run))
            ?? Step(run, VerificationStep.FmspcAndPceId, CheckFmspcAndPceId(run))
            ?? Step(run, VerificationStep.QeReportSignature, CheckQeReportSignature(run))
            ?? Step(run, VerificationStep.QeReportData, CheckQeReportData(run))
            ?? Step(run, VerificationStep.QeIdentityMatch, MatchQeIdentity(run))
            ?? Step(run, VerificationStep.QuoteSignature, CheckQuoteSignature(run))
            ?? Step(run, VerificationStep.PlatformTcbLevel, MatchPlatformTcbLevel(run))
            ?? Step(run, VerificationStep.StatusMerge, MergeStatuses(run))
            ?? Step(run, VerificationStep.Result, Conclude(run))
            ?? run.Result(null, null);
    }

    // Each step runs only if every earlier one passed: `??` stops at the first non-null result. The Failure? argument
    // is evaluated lazily because C# evaluates the right operand of ?? only when the left one is null.
    private static VerificationResult? Step(Run run, VerificationStep step, Failure? failure) =>
        failure is { } f ? run.Result(step, f) : null;

    // ---- Step 1: parse the quote (dcap-quote.md §1, §2) ----
    private static Failure? ParseQuote(Run run, ReadOnlySpan<byte> bytes)
    {
        try
        {
            run.Quote = DcapQuote.Parse(bytes);
        }
        catch (QuoteFormatException e)
        {
            return new Failure(e.Reason switch
            {
                QuoteFormatError.TooShort => VerificationFailureReason.QuoteTooShort,
                QuoteFormatError.TooLong => VerificationFailureReason.QuoteTooLong,
                QuoteFormatError.UnsupportedVersion => VerificationFailureReason.UnsupportedQuoteVersion,
                QuoteFormatError.UnsupportedAttestationKeyType => VerificationFailureReason.UnsupportedAttestationKeyType,
                QuoteFormatError.UnsupportedTeeType or QuoteFormatError.UnsupportedBodyType => VerificationFailureReason.UnsupportedTeeType,
                QuoteFormatError.UnknownCertificationDataType => VerificationFailureReason.UnknownCertificationDataType,
                _ => VerificationFailureReason.QuoteLengthInconsistent,
            }, e.Message);
        }

        // Rule 5 (QVL and dcap-qvl Rust check it; the parser leaves it to us).
        return run.Quote.Header.IsIntelQeVendor
            ? null
            : new Failure(VerificationFailureReason.UnknownQeVendor, "QE vendor id is not Intel's.");
    }

    // ---- Step 2: extract and identify the PCK chain ----
    private static Failure? ExtractPckChain(Run run)
    {
        var data = run.Quote!.CertificationData;
        if (run.Prepared.SuppliedChain is { } supplied)
        {
            // A chain supplied with the collateral takes precedence (dcap-qvl, dcap-quote.md §5.10); this is how
            // quotes with certification data types 1–4 are verified (QVL takes the PCK as a separate argument).
            run.Chain = supplied.Value;
        }
        else if (data.Type == CertificationDataType.PckCertChain)
        {
            run.Chain = run.Prepared.ChainFromQuote(data);
        }
        else
        {
            return new Failure(VerificationFailureReason.PckChainMissing,
                $"Certification data type {data.Type} carries no PCK chain and none was supplied.");
        }

        return run.Chain.Failure;
    }

    // ---- Step 3: trust anchor ----
    private Failure? CheckTrustAnchor(Run run) =>
        run.Chain!.Root!.SameAs(_trustedRoot)
            ? null
            : new Failure(VerificationFailureReason.UntrustedRoot, UntrustedRootMessage(run.Chain.Root, _trustedRoot));

    // Both names, so that a verify against the wrong root says which one it was given (issue 8: two simulated
    // platforms' roots used to share one name). Same names: the key fingerprints (SHA-256 of the public key) tell them apart.
    private static string UntrustedRootMessage(Cert root, Cert trusted) =>
        root.CommonName == trusted.CommonName
            ? $"chain root '{root.CommonName}' (key SHA-256 {KeyPrint(root)}) is not the trusted root '{trusted.CommonName}' (key SHA-256 {KeyPrint(trusted)})."
            : $"chain root '{root.CommonName}' is not the trusted root '{trusted.CommonName}'.";

    private static string KeyPrint(Cert certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKeyInfo).AsSpan(0, 8));

    // ---- Step 4: CRLs (dcap-quote.md §5.8) ----
    private Failure? CheckCrls(Run run)
    {
        var (rootCrl, rootFailure) = run.Prepared.RootCrl.Value;
        if (rootFailure is { } f1)
        {
            return f1;
        }

        var (pckCrl, pckFailure) = run.Prepared.PckCrl.Value;
        if (pckFailure is { } f2)
        {
            return f2;
        }

        // QVL's CRL_REQUIRED_EXTENSIONS: CRL Number and AKI; a CRL without nextUpdate has no window to check.
        foreach (var (crl, name) in new[] { (rootCrl!, "root CA CRL"), (pckCrl!, "PCK CRL") })
        {
            if (!crl.HasCrlNumber || !crl.HasAuthorityKeyIdentifier || crl.NextUpdate is null)
            {
                return new Failure(VerificationFailureReason.CrlMissingRequiredField, $"{name} lacks CRL Number, AKI or nextUpdate.");
            }
        }

        if (!rootCrl!.IsIssuedByName(_trustedRoot))
        {
            return new Failure(VerificationFailureReason.CrlIssuerMismatch, "root CA CRL is not issued by the trusted root.");
        }

        if (!run.Prepared.RootCrlSignedByRoot.Value)
        {
            return new Failure(VerificationFailureReason.CrlSignatureInvalid, "root CA CRL signature does not verify with the root key.");
        }

        if (!pckCrl!.IsIssuedByName(run.Chain!.Intermediate!))
        {
            return new Failure(VerificationFailureReason.CrlIssuerMismatch, $"PCK CRL is not issued by '{run.Chain.Intermediate!.CommonName}'.");
        }

        if (!run.Chain.PckCrlSignedByCa.Value)
        {
            return new Failure(VerificationFailureReason.CrlSignatureInvalid, "PCK CRL signature does not verify with the PCK CA key.");
        }

        if (run.Prepared.PckCrlIssuerChain.Value.Failure is { } f3)
        {
            return f3;
        }

        foreach (var (crl, item, name) in new[] { (rootCrl, CollateralItem.RootCaCrl, "root CA CRL"), (pckCrl, CollateralItem.PckCrl, "PCK CRL") })
        {
            var window = new WindowCheck(item, name, null, crl.ThisUpdate, crl.NextUpdate!.Value, IntelChecksStart: true,
                VerificationFailureReason.CrlExpired, VerificationFailureReason.CrlNotYetValid);
            if (run.Window(window) is { } outside)
            {
                return outside;
            }
        }

        run.IssueDate(pckCrl.ThisUpdate);
        return null;
    }

    // ---- Step 5: PCK chain ----
    private static Failure? CheckPckChain(Run run)
    {
        var chain = run.Chain!;
        if (chain.Signatures.Value is { } failure)
        {
            return failure;
        }

        if (run.Prepared.RootCrl.Value.Crl!.Revokes(chain.Intermediate!))
        {
            run.Revoked = true;
            return new Failure(VerificationFailureReason.IntermediateRevoked, $"'{chain.Intermediate!.CommonName}' is revoked by the root CA CRL.");
        }

        if (run.Prepared.PckCrl.Value.Crl!.Revokes(chain.Leaf!))
        {
            run.Revoked = true;
            return new Failure(VerificationFailureReason.PckRevoked, "the PCK certificate is revoked by the PCK CRL.");
        }

        foreach (var (certificate, item) in new[]
                 {
                     (chain.Root!, CollateralItem.RootCertificate), (chain.Intermediate!, CollateralItem.PckCaCertificate),
                     (chain.Leaf!, CollateralItem.PckCertificate),
                 })
        {
            // QVL checks only notAfter; strict checks both ends (dcap-quote.md §7.2, §7.3).
            var window = new WindowCheck(item, "certificate", certificate.CommonName, certificate.NotBefore, certificate.NotAfter,
                IntelChecksStart: false, VerificationFailureReason.CertificateExpired, VerificationFailureReason.CertificateNotYetValid);
            if (run.Window(window) is { } outside)
            {
                return outside;
            }
        }

        return null;
    }

    // ---- Step 6: TCB Info ----
    private static Failure? CheckTcbInfo(Run run)
    {
        var (signer, chainFailure) = run.Prepared.TcbInfoChain.Value;
        if (chainFailure is { } f1)
        {
            return f1;
        }

        if (run.Prepared.RootCrl.Value.Crl!.Revokes(signer!))
        {
            return new Failure(VerificationFailureReason.SigningCertificateRevoked, "the TCB Signing certificate is revoked by the root CA CRL.");
        }

        var (info, failure) = run.Prepared.TcbInfo.Value;
        if (failure is { } f2)
        {
            return f2;
        }

        var expectedId = run.Quote!.TeeType == TeeType.Tdx ? "TDX" : "SGX";
        if (info!.Version is not (2 or 3) || info.Id != expectedId || info.TcbType != 0)
        {
            return new Failure(VerificationFailureReason.TcbInfoUnsupported,
                $"TCB Info version {info.Version}, id '{info.Id}', tcbType {info.TcbType}; expected version 2 or 3, id '{expectedId}', tcbType 0.");
        }

        if (run.Window(new WindowCheck(CollateralItem.TcbInfoSigningCertificate, "TCB Info signer certificate", signer!.CommonName,
                signer.NotBefore, signer.NotAfter, IntelChecksStart: false,
                VerificationFailureReason.TcbInfoExpired, VerificationFailureReason.TcbInfoNotYetValid)) is { } signerOutside)
        {
            return signerOutside;
        }

        // QVL does not check issueDate against t; dcap-qvl (strict) does (dcap-quote.md §7.2, §7.3).
        if (run.Window(new WindowCheck(CollateralItem.TcbInfo, "TCB Info", null, info.IssueDate, info.NextUpdate, IntelChecksStart: false,
                VerificationFailureReason.TcbInfoExpired, VerificationFailureReason.TcbInfoNotYetValid)) is { } outside)
        {
            return outside;
        }

        run.TcbInfo = info;
        run.IssueDate(info.IssueDate);
        return null;
    }

    // ---- Step 7: QE Identity ----
    private static Failure? CheckQeIdentity(Run run)
    {
        var (signer, chainFailure) = run.Prepared.QeIdentityChain.Value;
        if (chainFailure is { } f1)
        {
            return f1;
        }

        if (run.Prepared.RootCrl.Value.Crl!.Revokes(signer!))
        {
            return new Failure(VerificationFailureReason.SigningCertificateRevoked, "the TCB Signing certificate is revoked by the root CA CRL.");
        }

        var (identity, failure) = run.Prepared.QeIdentity.Value;
        if (failure is { } f2)
        {
            return f2;
        }

        var expectedId = run.Quote!.TeeType == TeeType.Tdx ? "TD_QE" : "QE";
        if (identity!.Version != 2 || identity.Id != expectedId)
        {
            return new Failure(VerificationFailureReason.QeIdentityUnsupported,
                $"QE Identity version {identity.Version}, id '{identity.Id}'; expected version 2, id '{expectedId}'.");
        }

        if (run.Window(new WindowCheck(CollateralItem.QeIdentitySigningCertificate, "QE Identity signer certificate", signer!.CommonName,
                signer.NotBefore, signer.NotAfter, IntelChecksStart: false,
                VerificationFailureReason.QeIdentityExpired, VerificationFailureReason.QeIdentityNotYetValid)) is { } signerOutside)
        {
            return signerOutside;
        }

        if (run.Window(new WindowCheck(CollateralItem.QeIdentity, "QE Identity", null, identity.IssueDate, identity.NextUpdate, IntelChecksStart: false,
                VerificationFailureReason.QeIdentityExpired, VerificationFailureReason.QeIdentityNotYetValid)) is { } outside)
        {
            return outside;
        }

        run.QeIdentity = identity;
        run.IssueDate(identity.IssueDate);
        return null;
    }

    // ---- Step 8: PCK certificate SGX extension (dcap-quote.md §4.3) ----
    private static Failure? DecodePckExtension(Run run)
    {
        var (extension, failure) = run.Chain!.Extension.Value;
        run.Extension = extension;
        return failure;
    }

    // ---- Step 9: FMSPC and PCE-ID consistency (dcap-quote.md §5.5 step 1) ----
    private static Failure? CheckFmspcAndPceId(Run run)
    {
        if (!run.Extension!.Fmspc.AsSpan().SequenceEqual(run.TcbInfo!.Fmspc))
        {
            return new Failure(VerificationFailureReason.FmspcMismatch,
                $"PCK FMSPC {Convert.ToHexString(run.Extension.Fmspc)} differs from the TCB Info's {Convert.ToHexString(run.TcbInfo.Fmspc)}.");
        }

        return run.Extension.PceId.AsSpan().SequenceEqual(run.TcbInfo.PceId)
            ? null
            : new Failure(VerificationFailureReason.PceIdMismatch,
                $"PCK PCE-ID {Convert.ToHexString(run.Extension.PceId)} differs from the TCB Info's {Convert.ToHexString(run.TcbInfo.PceId)}.");
    }

    // ---- Step 10: QE report signature by the PCK (dcap-quote.md §3.2) ----
    private static Failure? CheckQeReportSignature(Run run) =>
        run.Chain!.QeReportSignatureValid(run.Quote!.QeReportBytes, run.Quote.QeReportSignature)
            ? null
            : new Failure(VerificationFailureReason.QeReportSignatureInvalid, "QE report signature does not verify with the PCK key.");

    // ---- Step 11: QE report data binds the attestation key (dcap-quote.md §3.3) ----
    private static Failure? CheckQeReportData(Run run)
    {
        var quote = run.Quote!;
        var buffer = new byte[quote.AttestationPublicKey.Length + quote.QeAuthData.Length];
        quote.AttestationPublicKey.CopyTo(buffer, 0);
        quote.QeAuthData.CopyTo(buffer, quote.AttestationPublicKey.Length);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer, hash);
        // Only the lower 32 bytes are compared, as QVL and dcap-qvl do.
        return hash.SequenceEqual(quote.QeReport.ReportData.AsSpan(0, 32))
            ? null
            : new Failure(VerificationFailureReason.QeReportDataMismatch, "QE report data is not SHA256(attestation key ‖ auth data).");
    }

    // ---- Step 12: QE identity (dcap-quote.md §5.6, Intel semantics) ----
    private static Failure? MatchQeIdentity(Run run)
    {
        var identity = run.QeIdentity!;
        var report = run.Quote!.QeReport;
        if ((report.MiscSelect & identity.MiscSelectMask) != identity.MiscSelect)
        {
            return new Failure(VerificationFailureReason.QeMiscSelectMismatch, "QE MISCSELECT does not match the QE Identity.");
        }

        Span<byte> attributes = stackalloc byte[Sgx.SgxAttributes.Size];
        report.Attributes.Write(attributes);
        for (var i = 0; i < attributes.Length; i++)
        {
            // Intel: (report & mask) == expected, not dcap-qvl's (report & mask) == (expected & mask) (§7.3).
            if ((attributes[i] & identity.AttributesMask[i]) != identity.Attributes[i])
            {
                return new Failure(VerificationFailureReason.QeAttributesMismatch, "QE ATTRIBUTES do not match the QE Identity.");
            }
        }

        if (!report.MrSigner.AsSpan().SequenceEqual(identity.MrSigner))
        {
            return new Failure(VerificationFailureReason.QeMrSignerMismatch, "QE MRSIGNER does not match the QE Identity.");
        }

        if (report.IsvProdId != identity.IsvProdId)
        {
            return new Failure(VerificationFailureReason.QeIsvProdIdMismatch, "QE ISVPRODID does not match the QE Identity.");
        }

        // JSON order, first level with isvsvn <= the QE's (QVL).
        var level = identity.Levels.FirstOrDefault(l => l.IsvSvn <= report.IsvSvn);
        if (level is null)
        {
            return new Failure(VerificationFailureReason.QeTcbNotSupported, $"no QE TCB level for ISVSVN {report.IsvSvn}.");
        }

        run.QeStatus = level.Status;
        return null;
    }

    // ---- Step 13: quote signature by the attestation key (dcap-quote.md §3.1) ----
    private Failure? CheckQuoteSignature(Run run)
    {
        var quote = run.Quote!;
        var key = AttestationKey(quote.AttestationPublicKey);
        if (key is null)
        {
            return new Failure(VerificationFailureReason.AttestationKeyInvalid, "attestation key is not a P-256 point.");
        }

        bool valid;
        lock (key)
        {
            valid = key.VerifyData(quote.SignedRegion, quote.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        return valid ? null : new Failure(VerificationFailureReason.QuoteSignatureInvalid, "quote signature does not verify with the attestation key.");
    }

    // ---- Step 14: platform TCB level from the PCK certificate's TCB (dcap-quote.md §5.5) ----
    private static Failure? MatchPlatformTcbLevel(Run run)
    {
        if (run.Quote!.TeeType == TeeType.Tdx)
        {
            // TDX also needs TEE_TCB_SVN vs tdxtcbcomponents and the TDX module identity (§5.5 step 4): not implemented.
            return new Failure(VerificationFailureReason.TdxTcbEvaluationNotSupported,
                "TDX TCB evaluation is out of scope; the quote passed steps 1–13.");
        }

        var extension = run.Extension!;
        foreach (var level in run.TcbInfo!.Levels)
        {
            if (level.PceSvn <= extension.PceSvn && AllAtMost(level.Components, extension.ComponentSvns))
            {
                run.PlatformLevel = level;
                return null;
            }
        }

        return new Failure(VerificationFailureReason.TcbLevelNotFound, "no TCB level matches the PCK certificate's TCB.");
    }

    // ---- Step 15: Intel's merge of QE and platform status (dcap-quote.md §5.7, QVL convergeTcbStatusWithQeTcbStatus) ----
    private static Failure? MergeStatuses(Run run)
    {
        run.Status = Merge(run.QeStatus!.Value, run.PlatformLevel!.Status);
        return null;
    }

    // ---- Step 16: result — Revoked is terminal (dcap-quote.md §7.1 step 16) ----
    private static Failure? Conclude(Run run)
    {
        if (run.Status == TcbStatus.Revoked)
        {
            run.Revoked = true;
            return new Failure(VerificationFailureReason.TcbRevoked, "the TCB status is Revoked.");
        }

        return null;
    }

    /// <summary>Intel's rule (dcap-quote.md §5.7): not dcap-qvl's maximum severity.</summary>
    internal static TcbStatus Merge(TcbStatus qe, TcbStatus platform) => qe switch
    {
        TcbStatus.Revoked => TcbStatus.Revoked,
        TcbStatus.OutOfDate => platform switch
        {
            TcbStatus.UpToDate or TcbStatus.SWHardeningNeeded => TcbStatus.OutOfDate,
            TcbStatus.ConfigurationNeeded or TcbStatus.ConfigurationAndSWHardeningNeeded => TcbStatus.OutOfDateConfigurationNeeded,
            _ => platform,
        },
        _ => platform,
    };

    private static bool AllAtMost(byte[] level, byte[] certificate)
    {
        for (var i = 0; i < level.Length; i++)
        {
            if (level[i] > certificate[i])
            {
                return false;
            }
        }

        return true;
    }

    private ECDsa? AttestationKey(byte[] publicKey)
    {
        if (_attestationKeys.TryGetValue(publicKey, out var key))
        {
            return key;
        }

        try
        {
            key = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = publicKey[..32], Y = publicKey[32..] },
            });
        }
        catch (CryptographicException)
        {
            key = null;
        }

        if (_attestationKeys.Count >= MaxCachedKeys)
        {
            // Evicted keys are not disposed: another thread may hold one; the finalizer releases it.
            _attestationKeys.Clear();
        }

        return _attestationKeys.GetOrAdd(publicKey, key);
    }

    /// <summary>
    /// One validity window to check: the item, its name for people (a certificate's CN is added only when an issue is
    /// reported, so the passing path allocates nothing), [start, end], whether Intel's QVL checks the start (only for
    /// CRLs' thisUpdate), and the failure reasons for "expired" and "not yet valid" in the strict modes.
    /// </summary>
    private readonly record struct WindowCheck(
        CollateralItem Item, string Kind, string? CommonName, DateTimeOffset Start, DateTimeOffset End, bool IntelChecksStart,
        VerificationFailureReason ExpiredReason, VerificationFailureReason NotYetValidReason)
    {
        public CollateralValidityIssue Issue(bool notYetValid) =>
            new(Item, CommonName is null ? Kind : $"{Kind} '{CommonName}'", Start, End, notYetValid);
    }

    /// <summary>The state of one verification: what the steps found so far.</summary>
    private sealed class Run(DateTimeOffset at, PreparedCollateral prepared)
    {
        public DateTimeOffset At { get; } = at;
        public PreparedCollateral Prepared { get; } = prepared;
        public bool Strict { get; init; }
        public bool StrictStart { get; init; }
        public DcapQuote? Quote { get; set; }
        public PreparedChain? Chain { get; set; }
        public TcbInfo? TcbInfo { get; set; }
        public QeIdentity? QeIdentity { get; set; }
        public Sgx.Pck.SgxPckExtension? Extension { get; set; }
        public TcbStatus? QeStatus { get; set; }
        public TcbLevel? PlatformLevel { get; set; }
        public TcbStatus? Status { get; set; }
        public bool Revoked { get; set; }
        // Allocated only when an item is outside its window: the common path stays allocation-free.
        public List<CollateralValidityIssue>? ExpiredItems { get; private set; }
        public DateTimeOffset? EarliestExpiration { get; private set; }
        public DateTimeOffset? EarliestIssue { get; private set; }

        public void IssueDate(DateTimeOffset date) => EarliestIssue = EarliestIssue is { } e && e < date ? e : date;

        /// <summary>
        /// Checks t against the window. Intel semantics (default): past the end → the item is recorded and the expired
        /// flag set, no failure; before the start → recorded only for CRLs (thisUpdate, as QVL does), ignored otherwise.
        /// Strict expiry: past the end fails. Strict start (or strict expiry): before the start fails.
        /// </summary>
        public Failure? Window(WindowCheck window)
        {
            EarliestExpiration = EarliestExpiration is { } e && e < window.End ? e : window.End;
            var late = At > window.End;
            var early = At < window.Start;
            if (!late && !early)
            {
                return null;
            }

            if (late && Strict)
            {
                return new Failure(window.ExpiredReason, $"{window.Issue(notYetValid: false)} (t = {CollateralValidityIssue.Format(At)}).");
            }

            if (early && StrictStart)
            {
                return new Failure(window.NotYetValidReason, $"{window.Issue(notYetValid: true)} (t = {CollateralValidityIssue.Format(At)}).");
            }

            if (late || window.IntelChecksStart)
            {
                (ExpiredItems ??= []).Add(window.Issue(notYetValid: !late));
            }

            return null;
        }

        public VerificationResult Result(VerificationStep? step, Failure? failure) => new()
        {
            Status = Revoked ? TcbStatus.Revoked : Status,
            PlatformTcbStatus = PlatformLevel?.Status,
            QeTcbStatus = QeStatus,
            AdvisoryIds = PlatformLevel?.AdvisoryIds ?? [],
            CollateralExpired = ExpiredItems is not null,
            ExpiredCollateral = ExpiredItems?.ToArray() ?? [],
            FailedStep = step,
            FailureReason = failure?.Reason,
            FailureDetail = failure?.Detail,
            EvaluationTime = At,
            Quote = Quote,
            PckExtension = Extension,
            TcbDate = PlatformLevel?.TcbDate,
            TcbEvaluationDataNumber = TcbInfo?.EvaluationDataNumber,
            CollateralIssueDate = EarliestIssue,
            CollateralExpirationDate = EarliestExpiration,
        };
    }
}
