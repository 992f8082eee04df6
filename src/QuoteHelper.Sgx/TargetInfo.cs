using System.Buffers.Binary;

namespace QuoteHelper.Sgx;

/// <summary>
/// <c>sgx_target_info_t</c>, 512 bytes (aesm-protocol.md §4.4): the identity of the enclave a report is created
/// for. The QE's target info comes back from InitQuoteEx; an application enclave creates its report for it.
/// </summary>
public sealed class TargetInfo
{
    /// <summary>Size of the structure in bytes.</summary>
    public const int Size = 512;

    /// <summary>Start offsets of each field.</summary>
    public static class Offsets
    {
        /// <summary><c>mr_enclave</c>, 32 bytes.</summary>
        public const int MrEnclave = 0;
        /// <summary><c>attributes</c>, 16 bytes.</summary>
        public const int Attributes = 32;
        /// <summary><c>reserved1</c>, 2 bytes.</summary>
        public const int Reserved1 = 48;
        /// <summary><c>config_svn</c>, u16.</summary>
        public const int ConfigSvn = 50;
        /// <summary><c>misc_select</c>, u32.</summary>
        public const int MiscSelect = 52;
        /// <summary><c>reserved2</c>, 8 bytes.</summary>
        public const int Reserved2 = 56;
        /// <summary><c>config_id</c>, 64 bytes.</summary>
        public const int ConfigId = 64;
        /// <summary><c>reserved3</c>, 384 bytes.</summary>
        public const int Reserved3 = 128;
    }

    /// <summary>MRENCLAVE of the target (32 bytes).</summary>
    public byte[] MrEnclave { get; set; } = new byte[32];
    /// <summary>Attributes of the target.</summary>
    public SgxAttributes Attributes { get; set; }
    /// <summary>Reserved (2 bytes).</summary>
    public byte[] Reserved1 { get; set; } = new byte[2];
    /// <summary>CONFIGSVN of the target.</summary>
    public ushort ConfigSvn { get; set; }
    /// <summary>MISCSELECT of the target.</summary>
    public uint MiscSelect { get; set; }
    /// <summary>Reserved (8 bytes).</summary>
    public byte[] Reserved2 { get; set; } = new byte[8];
    /// <summary>CONFIGID of the target (64 bytes).</summary>
    public byte[] ConfigId { get; set; } = new byte[64];
    /// <summary>Reserved (384 bytes).</summary>
    public byte[] Reserved3 { get; set; } = new byte[384];

    /// <summary>Decodes a target info from exactly 512 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not 512 bytes.</exception>
    public static TargetInfo Read(ReadOnlySpan<byte> source)
    {
        SgxThrow.IfWrongLength(source, Size, nameof(source));
        return new TargetInfo
        {
            MrEnclave = source.Slice(Offsets.MrEnclave, 32).ToArray(),
            Attributes = SgxAttributes.Read(source[Offsets.Attributes..]),
            Reserved1 = source.Slice(Offsets.Reserved1, 2).ToArray(),
            ConfigSvn = BinaryPrimitives.ReadUInt16LittleEndian(source[Offsets.ConfigSvn..]),
            MiscSelect = BinaryPrimitives.ReadUInt32LittleEndian(source[Offsets.MiscSelect..]),
            Reserved2 = source.Slice(Offsets.Reserved2, 8).ToArray(),
            ConfigId = source.Slice(Offsets.ConfigId, 64).ToArray(),
            Reserved3 = source.Slice(Offsets.Reserved3, 384).ToArray(),
        };
    }

    /// <summary>Encodes the target info into the first 512 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        SgxThrow.IfTooShort(destination, Size);
        ReportBody.Put(destination, Offsets.MrEnclave, MrEnclave, 32, nameof(MrEnclave));
        Attributes.Write(destination[Offsets.Attributes..]);
        ReportBody.Put(destination, Offsets.Reserved1, Reserved1, 2, nameof(Reserved1));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[Offsets.ConfigSvn..], ConfigSvn);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[Offsets.MiscSelect..], MiscSelect);
        ReportBody.Put(destination, Offsets.Reserved2, Reserved2, 8, nameof(Reserved2));
        ReportBody.Put(destination, Offsets.ConfigId, ConfigId, 64, nameof(ConfigId));
        ReportBody.Put(destination, Offsets.Reserved3, Reserved3, 384, nameof(Reserved3));
    }

    /// <summary>Returns the 512 encoded bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }
}
