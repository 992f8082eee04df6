using System.Buffers.Binary;

namespace QuoteHelper.Sgx.Quotes;

/// <summary>
/// The content of certification data types 1, 2 and 3 (dcap-quote.md §1.5): a plain or RSA-encrypted PPID followed by
/// the raw CPUSVN, the PCESVN and (except in the old 34-byte type-1 form) the PCE id.
/// </summary>
public sealed class PpidCertificationData
{
    /// <summary>Length of a cleartext PPID (type 1).</summary>
    public const int PpidLength = 16;

    /// <summary>Length of an RSA-2048 encrypted PPID (type 2).</summary>
    public const int EncryptedPpidRsa2048Length = 256;

    /// <summary>Length of an RSA-3072 encrypted PPID (type 3).</summary>
    public const int EncryptedPpidRsa3072Length = 384;

    /// <summary>Length of the CPUSVN.</summary>
    public const int CpuSvnLength = 16;

    private PpidCertificationData(byte[] ppid, byte[] cpuSvn, ushort pceSvn, ushort? pceId)
    {
        EncryptedOrPlainPpid = ppid;
        CpuSvn = cpuSvn;
        PceSvn = pceSvn;
        PceId = pceId;
    }

    /// <summary>The PPID: 16 plain bytes (type 1) or the RSA ciphertext (256 or 384 bytes, types 2 and 3).</summary>
    public byte[] EncryptedOrPlainPpid { get; }

    /// <summary>Raw CPUSVN of the platform (16 bytes).</summary>
    public byte[] CpuSvn { get; }

    /// <summary>PCE ISVSVN.</summary>
    public ushort PceSvn { get; }

    /// <summary>PCE id, or null for the old 34-byte type-1 form that lacks it (Intel QVL's sample quote).</summary>
    public ushort? PceId { get; }

    /// <summary>Decodes the content of a type 1, 2 or 3 certification data.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="type"/> is not 1, 2 or 3.</exception>
    /// <exception cref="QuoteFormatException">The length does not fit the type (MalformedCertificationData).</exception>
    internal static PpidCertificationData Read(CertificationDataType type, ReadOnlySpan<byte> data)
    {
        var ppidLength = type switch
        {
            CertificationDataType.PpidCleartext => PpidLength,
            CertificationDataType.PpidRsa2048Encrypted => EncryptedPpidRsa2048Length,
            CertificationDataType.PpidRsa3072Encrypted => EncryptedPpidRsa3072Length,
            _ => -1,
        };
        if (ppidLength < 0)
        {
            QuoteThrow.WrongType(type, "a PPID type (1, 2 or 3)");
        }

        // PPID ‖ CPUSVN ‖ PCESVN u16 ‖ PCEID u16; type 1 also exists without the PCEID (dcap-quote.md §1.5).
        var withoutPceId = ppidLength + CpuSvnLength + sizeof(ushort);
        var full = withoutPceId + sizeof(ushort);
        var hasPceId = data.Length == full;
        if (!hasPceId && !(type == CertificationDataType.PpidCleartext && data.Length == withoutPceId))
        {
            QuoteThrow.Format(QuoteFormatError.MalformedCertificationData,
                $"Certification data of type {type} must be {full} bytes, got {data.Length}.");
        }

        return new PpidCertificationData(
            data[..ppidLength].ToArray(),
            data.Slice(ppidLength, CpuSvnLength).ToArray(),
            BinaryPrimitives.ReadUInt16LittleEndian(data[(ppidLength + CpuSvnLength)..]),
            hasPceId ? BinaryPrimitives.ReadUInt16LittleEndian(data[withoutPceId..]) : null);
    }
}
