using System.Buffers.Binary;

namespace QuoteHelper.Sgx.Quotes;

/// <summary>
/// The ECDSA signature data of a v3 quote (<c>sgx_ql_ecdsa_sig_data_t</c> + auth data + certification data,
/// dcap-quote.md §1.4). Offsets relative to the start of the signature data are the absolute
/// <see cref="QuoteOffsets"/> minus <see cref="QuoteOffsets.SignatureData"/>.
/// </summary>
public sealed class QuoteSignatureData
{
    /// <summary>Length of an ECDSA-P256 signature r ‖ s (big-endian halves, dcap-quote.md §3.4).</summary>
    public const int SignatureLength = 64;

    /// <summary>Length of the attestation public key X ‖ Y (big-endian, no 0x04 prefix).</summary>
    public const int PublicKeyLength = 64;

    /// <summary>Largest QE auth data: its size is a u16.</summary>
    public const int MaxQeAuthDataLength = ushort.MaxValue;

    /// <summary>Size of the certification data header: type (u16) and size (u32).</summary>
    public const int CertificationDataHeaderSize = 6;

    /// <summary>ECDSA signature by the attestation key over quote bytes [0, 432) (64 bytes).</summary>
    public byte[] Signature { get; set; } = new byte[SignatureLength];

    /// <summary>Attestation public key X ‖ Y (64 bytes).</summary>
    public byte[] AttestationPublicKey { get; set; } = new byte[PublicKeyLength];

    /// <summary>The QE report body from key-certification time.</summary>
    public ReportBody QeReport { get; set; } = new();

    /// <summary>ECDSA signature by the PCK over the 384-byte QE report body (64 bytes).</summary>
    public byte[] QeReportSignature { get; set; } = new byte[SignatureLength];

    /// <summary>QE auth data (Intel QE3: the 32 bytes <c>00 01 … 1F</c>); empty by default.</summary>
    public byte[] QeAuthData { get; set; } = [];

    /// <summary>The certification data.</summary>
    public required CertificationData CertificationData { get; set; }

    /// <summary>Encoded length: 584 + auth data length + certification data length.</summary>
    public int Length => QuoteOffsets.SignatureDataFixedLength + QeAuthData.Length + CertificationData.Data.Length;

    /// <summary>Encodes the signature data into the first <see cref="Length"/> bytes of <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes written (<see cref="Length"/>).</returns>
    /// <exception cref="ArgumentException">The destination is too short, a fixed-size field has the wrong length, or
    /// the auth data is longer than <see cref="MaxQeAuthDataLength"/>.</exception>
    public int Write(Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(QeAuthData, nameof(QeAuthData));
        ArgumentNullException.ThrowIfNull(CertificationData, nameof(CertificationData));
        if (QeAuthData.Length > MaxQeAuthDataLength)
        {
            throw new ArgumentException($"{nameof(QeAuthData)} must be at most {MaxQeAuthDataLength} bytes.");
        }

        var length = Length;
        SgxThrow.IfTooShort(destination, length);
        const int Base = QuoteOffsets.SignatureData;
        ReportBody.Put(destination, QuoteOffsets.Signature - Base, Signature, SignatureLength, nameof(Signature));
        ReportBody.Put(destination, QuoteOffsets.AttestationPublicKey - Base, AttestationPublicKey, PublicKeyLength,
            nameof(AttestationPublicKey));
        ArgumentNullException.ThrowIfNull(QeReport, nameof(QeReport));
        QeReport.Write(destination[(QuoteOffsets.QeReport - Base)..]);
        ReportBody.Put(destination, QuoteOffsets.QeReportSignature - Base, QeReportSignature, SignatureLength,
            nameof(QeReportSignature));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[(QuoteOffsets.QeAuthDataSize - Base)..],
            (ushort)QeAuthData.Length);
        QeAuthData.CopyTo(destination[(QuoteOffsets.QeAuthData - Base)..]);
        var certificationHeader = QuoteOffsets.QeAuthData - Base + QeAuthData.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[certificationHeader..], (ushort)CertificationData.Type);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(certificationHeader + 2)..],
            (uint)CertificationData.Data.Length);
        CertificationData.Data.CopyTo(destination[(certificationHeader + CertificationDataHeaderSize)..]);
        return length;
    }

    /// <summary>Returns the <see cref="Length"/> encoded bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }
}
