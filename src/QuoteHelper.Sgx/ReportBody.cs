using System.Buffers.Binary;

namespace QuoteHelper.Sgx;

/// <summary>
/// <c>sgx_report_body_t</c>, 384 bytes (aesm-protocol.md §4.5, dcap-quote.md §1.3). Used for enclave reports, for
/// the ISV body of a quote, and for the QE report inside a quote's signature data. Reserved bytes are kept, so
/// <see cref="Read"/> followed by <see cref="Write"/> reproduces the input byte for byte.
/// </summary>
public sealed class ReportBody
{
    /// <summary>Size of the structure in bytes.</summary>
    public const int Size = 384;

    /// <summary>Start offsets of each field inside the 384-byte body.</summary>
    public static class Offsets
    {
        /// <summary><c>cpu_svn</c>, 16 bytes.</summary>
        public const int CpuSvn = 0;
        /// <summary><c>misc_select</c>, u32.</summary>
        public const int MiscSelect = 16;
        /// <summary><c>reserved1</c>, 12 bytes.</summary>
        public const int Reserved1 = 20;
        /// <summary><c>isv_ext_prod_id</c>, 16 bytes.</summary>
        public const int IsvExtProdId = 32;
        /// <summary><c>attributes</c>, 16 bytes.</summary>
        public const int Attributes = 48;
        /// <summary><c>mr_enclave</c>, 32 bytes.</summary>
        public const int MrEnclave = 64;
        /// <summary><c>reserved2</c>, 32 bytes.</summary>
        public const int Reserved2 = 96;
        /// <summary><c>mr_signer</c>, 32 bytes.</summary>
        public const int MrSigner = 128;
        /// <summary><c>reserved3</c>, 32 bytes.</summary>
        public const int Reserved3 = 160;
        /// <summary><c>config_id</c>, 64 bytes.</summary>
        public const int ConfigId = 192;
        /// <summary><c>isv_prod_id</c>, u16.</summary>
        public const int IsvProdId = 256;
        /// <summary><c>isv_svn</c>, u16.</summary>
        public const int IsvSvn = 258;
        /// <summary><c>config_svn</c>, u16.</summary>
        public const int ConfigSvn = 260;
        /// <summary><c>reserved4</c>, 42 bytes.</summary>
        public const int Reserved4 = 262;
        /// <summary><c>isv_family_id</c>, 16 bytes.</summary>
        public const int IsvFamilyId = 304;
        /// <summary><c>report_data</c>, 64 bytes.</summary>
        public const int ReportData = 320;
    }

    /// <summary>CPU security version (16 bytes).</summary>
    public byte[] CpuSvn { get; set; } = new byte[16];
    /// <summary>MISCSELECT.</summary>
    public uint MiscSelect { get; set; }
    /// <summary>Reserved (12 bytes), kept for byte-exact round trips.</summary>
    public byte[] Reserved1 { get; set; } = new byte[12];
    /// <summary>ISV extended product id (16 bytes, KSS).</summary>
    public byte[] IsvExtProdId { get; set; } = new byte[16];
    /// <summary>Enclave attributes.</summary>
    public SgxAttributes Attributes { get; set; }
    /// <summary>MRENCLAVE (32 bytes).</summary>
    public byte[] MrEnclave { get; set; } = new byte[32];
    /// <summary>Reserved (32 bytes).</summary>
    public byte[] Reserved2 { get; set; } = new byte[32];
    /// <summary>MRSIGNER (32 bytes).</summary>
    public byte[] MrSigner { get; set; } = new byte[32];
    /// <summary>Reserved (32 bytes).</summary>
    public byte[] Reserved3 { get; set; } = new byte[32];
    /// <summary>CONFIGID (64 bytes, KSS).</summary>
    public byte[] ConfigId { get; set; } = new byte[64];
    /// <summary>ISV product id.</summary>
    public ushort IsvProdId { get; set; }
    /// <summary>ISV security version.</summary>
    public ushort IsvSvn { get; set; }
    /// <summary>CONFIGSVN.</summary>
    public ushort ConfigSvn { get; set; }
    /// <summary>Reserved (42 bytes).</summary>
    public byte[] Reserved4 { get; set; } = new byte[42];
    /// <summary>ISV family id (16 bytes, KSS).</summary>
    public byte[] IsvFamilyId { get; set; } = new byte[16];
    /// <summary>User data bound into the report (64 bytes).</summary>
    public byte[] ReportData { get; set; } = new byte[64];

    /// <summary>Decodes a report body from the first 384 bytes of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than 384 bytes.</exception>
    public static ReportBody Read(ReadOnlySpan<byte> source)
    {
        SgxThrow.IfTooShort(source, Size);
        return new ReportBody
        {
            CpuSvn = source.Slice(Offsets.CpuSvn, 16).ToArray(),
            MiscSelect = BinaryPrimitives.ReadUInt32LittleEndian(source[Offsets.MiscSelect..]),
            Reserved1 = source.Slice(Offsets.Reserved1, 12).ToArray(),
            IsvExtProdId = source.Slice(Offsets.IsvExtProdId, 16).ToArray(),
            Attributes = SgxAttributes.Read(source[Offsets.Attributes..]),
            MrEnclave = source.Slice(Offsets.MrEnclave, 32).ToArray(),
            Reserved2 = source.Slice(Offsets.Reserved2, 32).ToArray(),
            MrSigner = source.Slice(Offsets.MrSigner, 32).ToArray(),
            Reserved3 = source.Slice(Offsets.Reserved3, 32).ToArray(),
            ConfigId = source.Slice(Offsets.ConfigId, 64).ToArray(),
            IsvProdId = BinaryPrimitives.ReadUInt16LittleEndian(source[Offsets.IsvProdId..]),
            IsvSvn = BinaryPrimitives.ReadUInt16LittleEndian(source[Offsets.IsvSvn..]),
            ConfigSvn = BinaryPrimitives.ReadUInt16LittleEndian(source[Offsets.ConfigSvn..]),
            Reserved4 = source.Slice(Offsets.Reserved4, 42).ToArray(),
            IsvFamilyId = source.Slice(Offsets.IsvFamilyId, 16).ToArray(),
            ReportData = source.Slice(Offsets.ReportData, 64).ToArray(),
        };
    }

    /// <summary>Encodes the body into the first 384 bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The destination is too short, or an array field has the wrong length.</exception>
    public void Write(Span<byte> destination)
    {
        SgxThrow.IfTooShort(destination, Size);
        Put(destination, Offsets.CpuSvn, CpuSvn, 16, nameof(CpuSvn));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[Offsets.MiscSelect..], MiscSelect);
        Put(destination, Offsets.Reserved1, Reserved1, 12, nameof(Reserved1));
        Put(destination, Offsets.IsvExtProdId, IsvExtProdId, 16, nameof(IsvExtProdId));
        Attributes.Write(destination[Offsets.Attributes..]);
        Put(destination, Offsets.MrEnclave, MrEnclave, 32, nameof(MrEnclave));
        Put(destination, Offsets.Reserved2, Reserved2, 32, nameof(Reserved2));
        Put(destination, Offsets.MrSigner, MrSigner, 32, nameof(MrSigner));
        Put(destination, Offsets.Reserved3, Reserved3, 32, nameof(Reserved3));
        Put(destination, Offsets.ConfigId, ConfigId, 64, nameof(ConfigId));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[Offsets.IsvProdId..], IsvProdId);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[Offsets.IsvSvn..], IsvSvn);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[Offsets.ConfigSvn..], ConfigSvn);
        Put(destination, Offsets.Reserved4, Reserved4, 42, nameof(Reserved4));
        Put(destination, Offsets.IsvFamilyId, IsvFamilyId, 16, nameof(IsvFamilyId));
        Put(destination, Offsets.ReportData, ReportData, 64, nameof(ReportData));
    }

    /// <summary>Returns the 384 encoded bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }

    internal static void Put(Span<byte> destination, int offset, byte[] value, int length, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        SgxThrow.IfWrongLength(value, length, name);
        value.CopyTo(destination[offset..]);
    }
}
