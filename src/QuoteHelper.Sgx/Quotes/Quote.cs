using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace QuoteHelper.Sgx.Quotes;

/// <summary>
/// An SGX ECDSA quote, version 3 — the only version QE3 emits (dcap-quote.md §1): header, ISV enclave report body and
/// signature data. <see cref="Parse"/> checks structure only (dcap-quote.md §2, rules 1–4, 6, 7); it checks no
/// signature, and leaves the vendor id (rule 5) to the verifier. Parse followed by <see cref="ToArray"/> reproduces
/// the quote byte for byte (without any trailing bytes).
/// </summary>
public sealed class Quote
{
    /// <summary>The quote version this type reads and writes.</summary>
    public const ushort SupportedVersion = 3;

    /// <summary>The header.</summary>
    public QuoteHeader Header { get; set; } = new();

    /// <summary>The ISV enclave report body (quote bytes 48..431).</summary>
    public ReportBody Body { get; set; } = new();

    /// <summary>The signature data (from quote byte 436 on).</summary>
    public required QuoteSignatureData SignatureData { get; set; }

    /// <summary>Encoded length: 436 + <c>signature_data_len</c>. Trailing bytes after it are not part of the quote.</summary>
    public int Length => QuoteOffsets.SignatureData + SignatureData.Length;

    /// <summary>Length of a v3 quote with the given QE auth data and certification data lengths: 1020 + N + M.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A length is negative, N exceeds 65535, or M exceeds
    /// <see cref="QuoteLimits.MaxCertificationDataLength"/>.</exception>
    public static int ComputeLength(int authDataLength, int certificationDataLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(authDataLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(authDataLength, QuoteSignatureData.MaxQeAuthDataLength);
        ArgumentOutOfRangeException.ThrowIfNegative(certificationDataLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(certificationDataLength, QuoteLimits.MaxCertificationDataLength);
        return QuoteOffsets.MinimumLength + authDataLength + certificationDataLength;
    }

    /// <summary>
    /// Reads <c>signature_data_len</c> at offset 432 and returns the real quote length 436 + len when it fits the
    /// buffer. AESM returns the quote zero-padded to the requested buffer size; clients trim with this
    /// (aesm-protocol.md §6.7). Nothing else is validated.
    /// </summary>
    /// <param name="buffer">A buffer that starts with a quote.</param>
    /// <param name="length">The quote length when the method returns true; otherwise 0.</param>
    /// <returns>True when the buffer holds the length field and the whole declared quote.</returns>
    public static bool TryGetLength(ReadOnlySpan<byte> buffer, out int length)
    {
        length = 0;
        if (buffer.Length < QuoteOffsets.SignatureData)
        {
            return false;
        }

        // 64-bit sum: a hostile u32 must not wrap around into a small length.
        var declared = QuoteOffsets.SignatureData +
            (long)BinaryPrimitives.ReadUInt32LittleEndian(buffer[QuoteOffsets.SignatureDataLength..]);
        if (declared > buffer.Length)
        {
            return false;
        }

        length = (int)declared;
        return true;
    }

    /// <summary>
    /// Parses and structurally validates a v3 quote (dcap-quote.md §1, §2). Bytes after 436 + <c>signature_data_len</c>
    /// are ignored. Every declared length is checked against the caps in <see cref="QuoteLimits"/> and against the
    /// buffer before anything is allocated.
    /// </summary>
    /// <param name="source">The quote bytes, possibly followed by padding.</param>
    /// <returns>The decoded quote.</returns>
    /// <exception cref="QuoteFormatException">The quote breaks a rule; <see cref="QuoteFormatException.Reason"/> says
    /// which: TooShort, TooLong, UnsupportedVersion, UnsupportedAttestationKeyType, UnsupportedTeeType,
    /// SignatureDataLengthOutOfRange, AuthDataLengthOutOfRange, CertificationDataLengthOutOfRange,
    /// CertificationDataLengthMismatch or UnknownCertificationDataType.</exception>
    public static Quote Parse(ReadOnlySpan<byte> source)
    {
        var end = Validate(source, out var authDataLength, out var certificationType);
        var certificationData = QuoteOffsets.QeAuthData + authDataLength + QuoteSignatureData.CertificationDataHeaderSize;
        return new Quote
        {
            Header = QuoteHeader.Read(source),
            Body = ReportBody.Read(source[QuoteOffsets.Body..]),
            SignatureData = new QuoteSignatureData
            {
                Signature = source.Slice(QuoteOffsets.Signature, QuoteSignatureData.SignatureLength).ToArray(),
                AttestationPublicKey =
                    source.Slice(QuoteOffsets.AttestationPublicKey, QuoteSignatureData.PublicKeyLength).ToArray(),
                QeReport = ReportBody.Read(source[QuoteOffsets.QeReport..]),
                QeReportSignature =
                    source.Slice(QuoteOffsets.QeReportSignature, QuoteSignatureData.SignatureLength).ToArray(),
                QeAuthData = source.Slice(QuoteOffsets.QeAuthData, authDataLength).ToArray(),
                CertificationData = new CertificationData(certificationType, source[certificationData..end]),
            },
        };
    }

    /// <summary>Encodes the quote into the first <see cref="Length"/> bytes of <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes written (<see cref="Length"/>).</returns>
    /// <exception cref="ArgumentException">The destination is too short, or a field has the wrong length.</exception>
    public int Write(Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(Header, nameof(Header));
        ArgumentNullException.ThrowIfNull(Body, nameof(Body));
        ArgumentNullException.ThrowIfNull(SignatureData, nameof(SignatureData));
        var length = Length;
        SgxThrow.IfTooShort(destination, length);
        Header.Write(destination[QuoteOffsets.Header..]);
        Body.Write(destination[QuoteOffsets.Body..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[QuoteOffsets.SignatureDataLength..],
            (uint)SignatureData.Length);
        SignatureData.Write(destination[QuoteOffsets.SignatureData..]);
        return length;
    }

    /// <summary>Returns the <see cref="Length"/> encoded bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }

    /// <summary>Checks the structure; returns the end of the quote (436 + signature_data_len).</summary>
    private static int Validate(ReadOnlySpan<byte> source, out int authDataLength, out CertificationDataType type)
    {
        // The header is checked before the minimum length so that a short quote of another version or TEE (an EPID
        // quote, a TDX quote) is reported as such rather than as merely short.
        if (source.Length < QuoteHeader.Size)
        {
            QuoteThrow.Format(QuoteFormatError.TooShort,
                $"A quote needs at least {QuoteHeader.Size} header bytes, got {source.Length}.");
        }

        if (source.Length > QuoteLimits.MaxQuoteLength)
        {
            QuoteThrow.Format(QuoteFormatError.TooLong,
                $"Quote buffer of {source.Length} bytes exceeds the cap of {QuoteLimits.MaxQuoteLength}.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(source[QuoteHeader.Offsets.Version..]);
        if (version != SupportedVersion)
        {
            QuoteThrow.Format(QuoteFormatError.UnsupportedVersion,
                $"Quote version {version} is not supported; SGX quotes are version {SupportedVersion}.");
        }

        var keyType = BinaryPrimitives.ReadUInt16LittleEndian(source[QuoteHeader.Offsets.AttestationKeyType..]);
        if (keyType != (ushort)AttestationAlgorithm.EcdsaP256)
        {
            QuoteThrow.Format(QuoteFormatError.UnsupportedAttestationKeyType,
                $"Attestation key type {keyType} is not supported; only 2 (ECDSA-P256) is.");
        }

        var teeType = BinaryPrimitives.ReadUInt32LittleEndian(source[QuoteHeader.Offsets.TeeType..]);
        if (teeType != 0)
        {
            QuoteThrow.Format(QuoteFormatError.UnsupportedTeeType,
                $"TEE type 0x{teeType:x} is not supported; a v3 quote must have 0 (SGX).");
        }

        if (source.Length < QuoteOffsets.MinimumLength)
        {
            QuoteThrow.Format(QuoteFormatError.TooShort,
                $"A v3 quote needs at least {QuoteOffsets.MinimumLength} bytes, got {source.Length}.");
        }

        var signatureDataLength = BinaryPrimitives.ReadUInt32LittleEndian(source[QuoteOffsets.SignatureDataLength..]);
        if (signatureDataLength < QuoteOffsets.SignatureDataFixedLength ||
            signatureDataLength > QuoteLimits.MaxQuoteLength - QuoteOffsets.SignatureData)
        {
            QuoteThrow.Format(QuoteFormatError.SignatureDataLengthOutOfRange,
                $"signature_data_len {signatureDataLength} is outside [{QuoteOffsets.SignatureDataFixedLength}, " +
                $"{QuoteLimits.MaxQuoteLength - QuoteOffsets.SignatureData}].");
        }

        var end = QuoteOffsets.SignatureData + (int)signatureDataLength;
        if (end > source.Length)
        {
            QuoteThrow.Format(QuoteFormatError.TooShort,
                $"The quote declares {end} bytes but the buffer has {source.Length}.");
        }

        authDataLength = BinaryPrimitives.ReadUInt16LittleEndian(source[QuoteOffsets.QeAuthDataSize..]);
        var certificationHeader = QuoteOffsets.QeAuthData + authDataLength;
        if (certificationHeader + QuoteSignatureData.CertificationDataHeaderSize > end)
        {
            QuoteThrow.Format(QuoteFormatError.AuthDataLengthOutOfRange,
                $"QE auth data size {authDataLength} runs past the declared end of the quote ({end}).");
        }

        var rawType = BinaryPrimitives.ReadUInt16LittleEndian(source[certificationHeader..]);
        var certificationLength = BinaryPrimitives.ReadUInt32LittleEndian(source[(certificationHeader + 2)..]);
        if (certificationLength > QuoteLimits.MaxCertificationDataLength)
        {
            QuoteThrow.Format(QuoteFormatError.CertificationDataLengthOutOfRange,
                $"Certification data size {certificationLength} exceeds the cap of " +
                $"{QuoteLimits.MaxCertificationDataLength}.");
        }

        // QVL: the certification data must fill the declared signature data exactly (dcap-quote.md §2 rule 7).
        var remaining = end - certificationHeader - QuoteSignatureData.CertificationDataHeaderSize;
        if (certificationLength != remaining)
        {
            QuoteThrow.Format(QuoteFormatError.CertificationDataLengthMismatch,
                $"Certification data size {certificationLength} differs from the {remaining} bytes that remain.");
        }

        // A v3 quote carries types 1..5; type 6 only appears as the outer data of v4/v5 (dcap-quote.md §1.5, §2 rule 6).
        type = (CertificationDataType)rawType;
        if (!IsV3CertificationType(type))
        {
            QuoteThrow.Format(QuoteFormatError.UnknownCertificationDataType,
                $"Certification data type {rawType} is not valid in a v3 quote (1..5).");
        }

        return end;
    }

    private static bool IsV3CertificationType(CertificationDataType type) =>
        type is >= CertificationDataType.PpidCleartext and <= CertificationDataType.PckCertChain;
}
