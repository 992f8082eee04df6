using System.Buffers.Binary;

namespace QuoteHelper.Sgx.Quotes;

/// <summary>
/// Any DCAP ECDSA quote — v3 (SGX, QE3), v4 (TDX, or SGX as QVL allows) and v5 (body_type/body_size) — read into one
/// model (dcap-quote.md §1, §1.7, §2). For v4/v5 the QE report, its signature, the auth data and the inner
/// certification data come from the outer type-6 certification data; the model exposes them in the same properties as
/// for v3, so a verifier needs no version switch. Checks structure only; no signature is checked and the vendor id is
/// left to the verifier. Bytes after the declared end are ignored (QVL tolerates them, dcap-quote.md §1.1).
/// <see cref="Quote.Parse"/> remains the v3 reader/writer.
/// </summary>
public sealed class DcapQuote
{
    /// <summary>Offset of the v5 <c>body_type</c> (u16); <c>body_size</c> (u32) follows, the body starts at 54.</summary>
    public const int V5BodyTypeOffset = 48;

    /// <summary>Offset of the body in a v5 quote.</summary>
    public const int V5BodyOffset = 54;

    /// <summary>Bytes from <c>signature</c> to the certification data header in v4/v5 (sig ‖ key).</summary>
    private const int V4FixedSignatureData = 128;

    /// <summary>Fixed part of QE report certification data: report ‖ signature ‖ auth size ‖ cert type ‖ cert size.</summary>
    private const int QeCertificationFixed = ReportBody.Size + QuoteSignatureData.SignatureLength + 2 + QuoteSignatureData.CertificationDataHeaderSize;

    private readonly byte[] _bytes;
    private readonly int _qeReportOffset;

    private DcapQuote(byte[] bytes, int qeReportOffset)
    {
        _bytes = bytes;
        _qeReportOffset = qeReportOffset;
    }

    /// <summary>The header (for v4/v5, <see cref="QuoteHeader.QeSvn"/> and <see cref="QuoteHeader.PceSvn"/> are reserved bytes).</summary>
    public required QuoteHeader Header { get; init; }

    /// <summary>Quote version: 3, 4 or 5.</summary>
    public ushort Version => Header.Version;

    /// <summary>The TEE type.</summary>
    public required TeeType TeeType { get; init; }

    /// <summary>What the body is.</summary>
    public required QuoteBodyType BodyType { get; init; }

    /// <summary>The SGX enclave report body when <see cref="BodyType"/> is SgxEnclaveReport; otherwise null.</summary>
    public ReportBody? EnclaveReport { get; init; }

    /// <summary>The TD report body when <see cref="BodyType"/> is a TD report; otherwise null.</summary>
    public TdReportBody? TdReport { get; init; }

    /// <summary>Offset of the body in the quote (48, or 54 for v5).</summary>
    public required int BodyOffset { get; init; }

    /// <summary>Length of the region the attestation key signs: everything before <c>signature_data_len</c> (dcap-quote.md §3.1).</summary>
    public required int SignedLength { get; init; }

    /// <summary>ECDSA signature (r ‖ s) by the attestation key over <see cref="SignedRegion"/>.</summary>
    public required byte[] Signature { get; init; }

    /// <summary>Attestation public key X ‖ Y.</summary>
    public required byte[] AttestationPublicKey { get; init; }

    /// <summary>The QE report body certified by the PCK.</summary>
    public required ReportBody QeReport { get; init; }

    /// <summary>ECDSA signature by the PCK over the QE report body.</summary>
    public required byte[] QeReportSignature { get; init; }

    /// <summary>QE auth data.</summary>
    public required byte[] QeAuthData { get; init; }

    /// <summary>The certification data that identifies the PCK (v3: the quote's; v4/v5: the inner one, inside type 6).</summary>
    public required CertificationData CertificationData { get; init; }

    /// <summary>Size of the outer type-6 certification data of a v4/v5 quote; null for v3.</summary>
    public int? OuterCertificationDataLength { get; init; }

    /// <summary>Quote length: the end of the declared signature data; trailing bytes are not counted.</summary>
    public int Length => _bytes.Length;

    /// <summary>The quote bytes [0, <see cref="Length"/>).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The bytes the attestation key signs: [0, <see cref="SignedLength"/>).</summary>
    public ReadOnlySpan<byte> SignedRegion => _bytes.AsSpan(0, SignedLength);

    /// <summary>The raw 384 bytes of the QE report body, as the PCK signed them.</summary>
    public ReadOnlySpan<byte> QeReportBytes => _bytes.AsSpan(_qeReportOffset, ReportBody.Size);

    /// <summary>Offset of the QE report body in the quote.</summary>
    public int QeReportOffset => _qeReportOffset;

    /// <summary>The report data of the body (SGX or TD), 64 bytes.</summary>
    public byte[] ReportData => EnclaveReport?.ReportData ?? TdReport!.ReportData;

    /// <summary>
    /// Parses and structurally validates a v3, v4 or v5 quote (dcap-quote.md §1, §1.7, §2). Lengths are checked against
    /// <see cref="QuoteLimits"/> and the buffer before anything is allocated.
    /// </summary>
    /// <param name="source">The quote, possibly followed by padding.</param>
    /// <returns>The decoded quote.</returns>
    /// <exception cref="QuoteFormatException">The quote breaks a rule; <see cref="QuoteFormatException.Reason"/> says which.</exception>
    public static DcapQuote Parse(ReadOnlySpan<byte> source)
    {
        if (source.Length < QuoteHeader.Size)
        {
            QuoteThrow.Format(QuoteFormatError.TooShort, $"A quote needs at least {QuoteHeader.Size} header bytes, got {source.Length}.");
        }

        if (source.Length > QuoteLimits.MaxQuoteLength)
        {
            QuoteThrow.Format(QuoteFormatError.TooLong, $"Quote buffer of {source.Length} bytes exceeds the cap of {QuoteLimits.MaxQuoteLength}.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(source);
        if (version is < 3 or > 5)
        {
            QuoteThrow.Format(QuoteFormatError.UnsupportedVersion, $"Quote version {version} is not supported (3, 4, 5).");
        }

        var keyType = BinaryPrimitives.ReadUInt16LittleEndian(source[QuoteHeader.Offsets.AttestationKeyType..]);
        if (keyType != (ushort)AttestationAlgorithm.EcdsaP256)
        {
            QuoteThrow.Format(QuoteFormatError.UnsupportedAttestationKeyType, $"Attestation key type {keyType} is not supported; only 2 (ECDSA-P256) is.");
        }

        var tee = (TeeType)BinaryPrimitives.ReadUInt32LittleEndian(source[QuoteHeader.Offsets.TeeType..]);
        if (tee is not (TeeType.Sgx or TeeType.Tdx) || (version == 3 && tee != TeeType.Sgx))
        {
            QuoteThrow.Format(QuoteFormatError.UnsupportedTeeType, $"TEE type 0x{(uint)tee:x} is not supported in a v{version} quote.");
        }

        var (bodyType, bodyOffset, bodySize) = ReadBodyLayout(source, version, tee);
        var signedLength = bodyOffset + bodySize;
        var signatureData = signedLength + 4;
        if (source.Length < signatureData)
        {
            QuoteThrow.Format(QuoteFormatError.TooShort, $"The quote ends at {source.Length}, inside its body or signature_data_len.");
        }

        var signatureDataLength = BinaryPrimitives.ReadUInt32LittleEndian(source[signedLength..]);
        var minimum = version == 3 ? QuoteOffsets.SignatureDataFixedLength : V4FixedSignatureData + QuoteSignatureData.CertificationDataHeaderSize + QeCertificationFixed;
        if (signatureDataLength < minimum || signatureDataLength > (uint)(QuoteLimits.MaxQuoteLength - signatureData))
        {
            QuoteThrow.Format(QuoteFormatError.SignatureDataLengthOutOfRange, $"signature_data_len {signatureDataLength} is outside [{minimum}, {QuoteLimits.MaxQuoteLength - signatureData}].");
        }

        var end = signatureData + (int)signatureDataLength;
        if (end > source.Length)
        {
            QuoteThrow.Format(QuoteFormatError.TooShort, $"The quote declares {end} bytes but the buffer has {source.Length}.");
        }

        var quote = source[..end];
        var keyOffset = signatureData + QuoteSignatureData.SignatureLength;
        var qeOffset = keyOffset + QuoteSignatureData.PublicKeyLength;
        int? outerLength = null;
        if (version != 3)
        {
            // v4/v5: sig ‖ key ‖ outer certification data of type 6 that wraps the QE report data (dcap-quote.md §1.7).
            var outerType = BinaryPrimitives.ReadUInt16LittleEndian(quote[qeOffset..]);
            var outerSize = BinaryPrimitives.ReadUInt32LittleEndian(quote[(qeOffset + 2)..]);
            if (outerType != (ushort)CertificationDataType.QeReportCertificationData)
            {
                QuoteThrow.Format(QuoteFormatError.UnknownCertificationDataType, $"Outer certification data type {outerType} of a v{version} quote is not 6.");
            }

            var remaining = end - qeOffset - QuoteSignatureData.CertificationDataHeaderSize;
            if (outerSize != remaining)
            {
                QuoteThrow.Format(QuoteFormatError.CertificationDataLengthMismatch, $"Outer certification data size {outerSize} differs from the {remaining} bytes that remain.");
            }

            outerLength = remaining;
            qeOffset += QuoteSignatureData.CertificationDataHeaderSize;
        }

        var (authData, certification) = ReadQeCertificationData(quote, qeOffset, version);
        var bytes = quote.ToArray();
        var body = quote.Slice(bodyOffset, bodySize);
        return new DcapQuote(bytes, qeOffset)
        {
            Header = QuoteHeader.Read(quote),
            TeeType = tee,
            BodyType = bodyType,
            EnclaveReport = bodyType == QuoteBodyType.SgxEnclaveReport ? ReportBody.Read(body) : null,
            TdReport = bodyType == QuoteBodyType.SgxEnclaveReport ? null : TdReportBody.Read(body),
            BodyOffset = bodyOffset,
            SignedLength = signedLength,
            Signature = quote.Slice(signatureData, QuoteSignatureData.SignatureLength).ToArray(),
            AttestationPublicKey = quote.Slice(keyOffset, QuoteSignatureData.PublicKeyLength).ToArray(),
            QeReport = ReportBody.Read(quote[qeOffset..]),
            QeReportSignature = quote.Slice(qeOffset + ReportBody.Size, QuoteSignatureData.SignatureLength).ToArray(),
            QeAuthData = authData,
            CertificationData = certification,
            OuterCertificationDataLength = outerLength,
        };
    }

    private static (QuoteBodyType Type, int Offset, int Size) ReadBodyLayout(ReadOnlySpan<byte> source, ushort version, TeeType tee)
    {
        if (version == 3)
        {
            return (QuoteBodyType.SgxEnclaveReport, QuoteOffsets.Body, ReportBody.Size);
        }

        if (version == 4)
        {
            // QVL parses a v4 quote with tee_type SGX as a 384-byte enclave body; no Intel QE emits it (§1.7).
            return tee == TeeType.Sgx
                ? (QuoteBodyType.SgxEnclaveReport, QuoteOffsets.Body, ReportBody.Size)
                : (QuoteBodyType.TdReport10, QuoteOffsets.Body, TdReportBody.Size10);
        }

        if (source.Length < V5BodyOffset)
        {
            QuoteThrow.Format(QuoteFormatError.TooShort, "A v5 quote needs its body_type and body_size (54 bytes).");
        }

        var rawType = BinaryPrimitives.ReadUInt16LittleEndian(source[V5BodyTypeOffset..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(source[(V5BodyTypeOffset + 2)..]);
        var type = (QuoteBodyType)rawType;
        var expected = type switch
        {
            QuoteBodyType.SgxEnclaveReport => ReportBody.Size,
            QuoteBodyType.TdReport10 => TdReportBody.Size10,
            QuoteBodyType.TdReport15 => TdReportBody.Size15,
            _ => QuoteThrow.Format<int>(QuoteFormatError.UnsupportedBodyType, $"v5 body_type {rawType} is not 1, 2 or 3."),
        };

        // QVL rejects an SGX TEE with a TD body and vice versa (dcap-quote.md §1.7).
        if ((tee == TeeType.Sgx) != (type == QuoteBodyType.SgxEnclaveReport))
        {
            QuoteThrow.Format(QuoteFormatError.UnsupportedBodyType, $"v5 body_type {type} does not fit TEE type {tee}.");
        }

        if (size != expected)
        {
            QuoteThrow.Format(QuoteFormatError.BodySizeMismatch, $"v5 body_size {size} differs from the {expected} bytes of {type}.");
        }

        return (type, V5BodyOffset, expected);
    }

    /// <summary>
    /// Reads qe_report ‖ qe_report_sig ‖ auth size ‖ auth ‖ cert type ‖ cert size ‖ cert data starting at
    /// <paramref name="offset"/>, which must fill the quote exactly (v3 signature data tail; v4/v5 type-6 content).
    /// </summary>
    private static (byte[] AuthData, CertificationData Certification) ReadQeCertificationData(ReadOnlySpan<byte> quote, int offset, ushort version)
    {
        if (quote.Length - offset < QeCertificationFixed)
        {
            QuoteThrow.Format(QuoteFormatError.TooShort, "The QE report certification data is shorter than its fixed part.");
        }

        var authSizeOffset = offset + ReportBody.Size + QuoteSignatureData.SignatureLength;
        var authLength = BinaryPrimitives.ReadUInt16LittleEndian(quote[authSizeOffset..]);
        var certificationHeader = authSizeOffset + 2 + authLength;
        if (certificationHeader + QuoteSignatureData.CertificationDataHeaderSize > quote.Length)
        {
            QuoteThrow.Format(QuoteFormatError.AuthDataLengthOutOfRange, $"QE auth data size {authLength} runs past the declared end of the quote ({quote.Length}).");
        }

        var rawType = BinaryPrimitives.ReadUInt16LittleEndian(quote[certificationHeader..]);
        var certificationLength = BinaryPrimitives.ReadUInt32LittleEndian(quote[(certificationHeader + 2)..]);
        if (certificationLength > QuoteLimits.MaxCertificationDataLength)
        {
            QuoteThrow.Format(QuoteFormatError.CertificationDataLengthOutOfRange, $"Certification data size {certificationLength} exceeds the cap of {QuoteLimits.MaxCertificationDataLength}.");
        }

        var dataOffset = certificationHeader + QuoteSignatureData.CertificationDataHeaderSize;
        var remaining = quote.Length - dataOffset;
        if (certificationLength != remaining)
        {
            QuoteThrow.Format(QuoteFormatError.CertificationDataLengthMismatch, $"Certification data size {certificationLength} differs from the {remaining} bytes that remain.");
        }

        // Types 1..5 only; type 6 is only the outer wrapper of v4/v5 (dcap-quote.md §2 rule 6).
        var type = (CertificationDataType)rawType;
        if (type is < CertificationDataType.PpidCleartext or > CertificationDataType.PckCertChain)
        {
            QuoteThrow.Format(QuoteFormatError.UnknownCertificationDataType, $"Certification data type {rawType} is not valid {(version == 3 ? "in a v3 quote" : "inside type 6")} (1..5).");
        }

        return (quote.Slice(authSizeOffset + 2, authLength).ToArray(), new CertificationData(type, quote[dataOffset..]));
    }
}
