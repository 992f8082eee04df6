using System.Collections.Concurrent;
using System.Security.Cryptography;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;
using QuoteHelper.Sgx.Quotes;
using QuoteHelper.Sgx.Simulation;

namespace QuoteHelper.Quoting.Simulation;

/// <summary>
/// QE3 emulation over a <see cref="SimulatedPlatform"/> (design.md §3, dcap-quote.md §8.2): advertises Intel's
/// default ECDSA-P256 key id, certifies an attestation key with the PCK (the QE report kept for every later quote),
/// rejects reports not MACed for this QE with 47, and signs v3 quotes with certification data type 5.
/// </summary>
public sealed class SimulatedQuotingEnclave : IQuotingBackend, IDisposable
{
    private static readonly AttestationKeyId[] s_keyIds = [AttestationKeyId.DefaultEcdsaP256];

    private readonly SimulatedPlatform _platform;
    private readonly SimulatedReportVerifier _reportVerifier;
    private readonly Lock _certifyLock = new();
    private volatile CertifiedAttestationKey? _key;

    /// <summary>
    /// Starts the QE. With <paramref name="eagerAttestationKey"/> the persisted attestation key is re-loaded (or a
    /// new one certified and persisted) now, so GetQuoteEx works without a prior InitQuoteEx.
    /// </summary>
    public SimulatedQuotingEnclave(SimulatedPlatform platform, bool eagerAttestationKey)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _platform = platform;
        _reportVerifier = new SimulatedReportVerifier(platform.ReportSecret, platform.QeTargetInfo);
        if (eagerAttestationKey)
        {
            _key = LoadOrCertifyKey();
        }
    }

    /// <inheritdoc />
    public BackendIdentity Identity => new("simulation", _platform.QeSvn, _platform.PceSvn,
        _key is { } key ? Convert.ToHexStringLower(key.PublicKeyId) : "");

    /// <inheritdoc />
    public IReadOnlyList<AttestationKeyId> SupportedAttestationKeyIds => s_keyIds;

    /// <summary>The platform this QE runs on.</summary>
    public SimulatedPlatform Platform => _platform;

    /// <inheritdoc />
    public AesmError InitializeAttestationKey(Span<byte> targetInfo, Span<byte> publicKeyId)
    {
        var key = _key;
        if (key is null)
        {
            lock (_certifyLock)
            {
                key = _key ??= LoadOrCertifyKey();
            }
        }

        _platform.QeTargetInfo.Write(targetInfo);
        key.PublicKeyId.CopyTo(publicKeyId);
        return AesmError.Success;
    }

    /// <inheritdoc />
    public AesmError GetQuoteSize(out uint quoteSize)
    {
        var key = _key;
        quoteSize = key is null ? 0 : (uint)key.QuoteTemplate.Length;
        return key is null ? AesmError.AttKeyNotInitialized : AesmError.Success;
    }

    /// <inheritdoc />
    public AesmError GetQuote(ReadOnlySpan<byte> report, Span<byte> qeReportInfo, Span<byte> quote, out int quoteLength)
    {
        quoteLength = 0;
        var key = _key;
        if (key is null)
        {
            return AesmError.AttKeyNotInitialized;
        }

        var length = key.QuoteTemplate.Length;
        if (quote.Length < length)
        {
            return AesmError.ParameterError;
        }

        // sgx_verify_report inside QE3: only a report made for this QE's target info verifies (aesm-protocol.md §6.7 #7).
        if (!_reportVerifier.Verify(report))
        {
            return AesmError.InvalidReport;
        }

        // Everything but the ISV body and the signature is the same in every quote of this key: copy the template,
        // drop the body in, sign header ‖ body (dcap-quote.md §3.1). One ECDSA signature per quote.
        var output = quote[..length];
        key.QuoteTemplate.CopyTo(output);
        report[..ReportBody.Size].CopyTo(output[QuoteOffsets.Body..]);
        key.Sign(output[..QuoteOffsets.SignedRegionLength], output.Slice(QuoteOffsets.Signature, 64));
        quoteLength = length;

        // A simulated QE can always make the report back to the app (a real one may fail with 49).
        if (!qeReportInfo.IsEmpty)
        {
            WriteQeReport(output, qeReportInfo);
        }

        return AesmError.Success;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _key?.Dispose();
        _reportVerifier.Dispose();
    }

    private void WriteQeReport(ReadOnlySpan<byte> quote, Span<byte> qeReportInfo)
    {
        // report_data = SHA256(nonce ‖ complete quote) ‖ 0³², for the app's target info (aesm-protocol.md §6.7).
        var appTarget = TargetInfo.Read(qeReportInfo.Slice(QeReportInfo.AppEnclaveTargetInfoOffset, TargetInfo.Size));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(qeReportInfo[..QeReportInfo.NonceLength]);
        hash.AppendData(quote);
        Span<byte> reportData = stackalloc byte[64];
        reportData.Clear();
        hash.GetHashAndReset(reportData[..32]);
        var body = _platform.CreateQeReportBody(reportData);
        var report = SimulatedReportKey.CreateReport(_platform.Cpu, body, appTarget);
        report.Write(qeReportInfo[QeReportInfo.QeReportOffset..]);
    }

    private CertifiedAttestationKey LoadOrCertifyKey()
    {
        var pckThumbprint = Convert.ToHexStringLower(SHA256.HashData(_platform.PckCertificate.RawData));
        var state = _platform.Store.Update(current =>
        {
            var stored = current?.AttestationKey;
            if (current is not null && stored is not null && stored.QeSvn == _platform.QeSvn && stored.PckThumbprint == pckThumbprint)
            {
                return current;
            }

            return (current ?? _platform.State) with { AttestationKey = Certify(pckThumbprint) };
        }, SimulatedPlatform.StateLockTimeout);
        return new CertifiedAttestationKey(_platform, state.AttestationKey!);
    }

    private StoredAttestationKey Certify(string pckThumbprint)
    {
        // QE3 gen_att_key + PCE certify_enclave (dcap-quote.md §3.2, §3.3): the QE report binds
        // SHA256(attestation public key ‖ auth data) and is signed by the PCK.
        using var key = SimulatedPki.CreateKey();
        var publicKey = CertifiedAttestationKey.PublicKeyBytes(key);
        Span<byte> reportData = stackalloc byte[64];
        reportData.Clear();
        CertifiedAttestationKey.ComputePublicKeyId(publicKey, reportData[..32]);
        var qeReport = _platform.CreateQeReportBody(reportData).ToArray();
        return new StoredAttestationKey
        {
            PrivateKey = Convert.ToBase64String(key.ExportPkcs8PrivateKey()),
            QeSvn = _platform.QeSvn,
            QeReport = Convert.ToHexStringLower(qeReport),
            QeReportSignature = Convert.ToHexStringLower(_platform.SignWithPck(qeReport)),
            PckThumbprint = pckThumbprint,
        };
    }
}

/// <summary>A certified attestation key ready to sign: the quote template and a pool of signing handles.</summary>
internal sealed class CertifiedAttestationKey : IDisposable
{
    private readonly byte[] _pkcs8;
    private readonly ConcurrentBag<ECDsa> _signers = [];

    public CertifiedAttestationKey(SimulatedPlatform platform, StoredAttestationKey stored)
    {
        _pkcs8 = Convert.FromBase64String(stored.PrivateKey);
        var signer = Rent();
        var publicKey = PublicKeyBytes(signer);
        Return(signer);
        PublicKeyId = new byte[32];
        ComputePublicKeyId(publicKey, PublicKeyId);

        var quote = new Quote
        {
            Header = new QuoteHeader
            {
                Version = 3,
                AttestationKeyType = (ushort)AttestationAlgorithm.EcdsaP256,
                TeeType = 0,
                QeSvn = platform.QeSvn,
                PceSvn = platform.PceSvn,
                QeVendorId = QuoteHeader.IntelQeVendorId.ToArray(),
                UserData = [.. platform.QeId, 0, 0, 0, 0],
            },
            Body = new ReportBody(),
            SignatureData = new QuoteSignatureData
            {
                Signature = new byte[64],
                AttestationPublicKey = publicKey,
                QeReport = ReportBody.Read(Convert.FromHexString(stored.QeReport)),
                QeReportSignature = Convert.FromHexString(stored.QeReportSignature),
                QeAuthData = SimulatedPlatform.QeAuthData.ToArray(),
                CertificationData = CertificationData.ForPckCertChain(platform.PckChainPem),
            },
        };
        QuoteTemplate = quote.ToArray();
    }

    /// <summary>The quote with a zero body and zero signature; its length is the quote size.</summary>
    public byte[] QuoteTemplate { get; }

    /// <summary>SHA256(public key ‖ auth data): InitQuoteEx's <c>pub_key_id</c>.</summary>
    public byte[] PublicKeyId { get; }

    public static byte[] PublicKeyBytes(ECDsa key)
    {
        var parameters = key.ExportParameters(false);
        return [.. parameters.Q.X!, .. parameters.Q.Y!];
    }

    public static void ComputePublicKeyId(ReadOnlySpan<byte> publicKey, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[64 + 32];
        publicKey.CopyTo(input);
        SimulatedPlatform.QeAuthData.CopyTo(input[64..]);
        SHA256.HashData(input, destination);
    }

    public void Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        var signer = Rent();
        try
        {
            signer.SignData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            Return(signer);
        }
    }

    public void Dispose()
    {
        while (_signers.TryTake(out var signer))
        {
            signer.Dispose();
        }

        CryptographicOperations.ZeroMemory(_pkcs8);
    }

    // ECDsa handles are not documented as safe for concurrent use; each concurrent signer takes its own.
    private ECDsa Rent()
    {
        if (_signers.TryTake(out var signer))
        {
            return signer;
        }

        signer = ECDsa.Create();
        signer.ImportPkcs8PrivateKey(_pkcs8, out _);
        return signer;
    }

    private void Return(ECDsa signer) => _signers.Add(signer);
}
