using System.Buffers.Binary;

namespace QuoteHelper.Sgx.Quotes;

/// <summary>
/// The 48-byte quote header (<c>sgx_quote_header_t</c>, dcap-quote.md §1.2). The parser exposes every field as found;
/// policy checks such as the vendor id belong to the verifier.
/// </summary>
public sealed class QuoteHeader
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Size = 48;

    /// <summary>Length of <see cref="QeVendorId"/>.</summary>
    public const int QeVendorIdLength = 16;

    /// <summary>Length of <see cref="UserData"/>.</summary>
    public const int UserDataLength = 20;

    /// <summary>Start offsets of each field inside the header (also the absolute quote offsets).</summary>
    public static class Offsets
    {
        /// <summary><c>version</c>, u16.</summary>
        public const int Version = 0;
        /// <summary><c>att_key_type</c>, u16.</summary>
        public const int AttestationKeyType = 2;
        /// <summary><c>att_key_data_0</c> (v3) / <c>tee_type</c> (v4+), u32.</summary>
        public const int TeeType = 4;
        /// <summary><c>qe_svn</c>, u16.</summary>
        public const int QeSvn = 8;
        /// <summary><c>pce_svn</c>, u16.</summary>
        public const int PceSvn = 10;
        /// <summary><c>vendor_id</c>, 16 bytes.</summary>
        public const int QeVendorId = 12;
        /// <summary><c>user_data</c>, 20 bytes.</summary>
        public const int UserData = 28;
    }

    /// <summary>Intel's QE vendor id <c>939A7233F79C4CA9940A0DB3957F0607</c> (dcap-quote.md §1.2).</summary>
    public static ReadOnlySpan<byte> IntelQeVendorId =>
    [
        0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07,
    ];

    /// <summary>Quote version; 3 by default, the only version QE3 emits.</summary>
    public ushort Version { get; set; } = Quote.SupportedVersion;

    /// <summary>Attestation key type (<c>sgx_ql_attestation_algorithm_id_t</c>); 2 (ECDSA-P256) by default.</summary>
    public ushort AttestationKeyType { get; set; } = (ushort)AttestationAlgorithm.EcdsaP256;

    /// <summary>
    /// The u32 at offset 4: <c>att_key_data_0</c> in v3, <c>tee_type</c> in v4+ (0 = SGX, 0x81 = TDX). 0 by default.
    /// </summary>
    public uint TeeType { get; set; }

    /// <summary>ISVSVN of the quoting enclave at quote time.</summary>
    public ushort QeSvn { get; set; }

    /// <summary>ISVSVN of the installed PCE (not the certified PCESVN, which is in the PCK certificate).</summary>
    public ushort PceSvn { get; set; }

    /// <summary>QE vendor id (16 bytes); Intel's id by default.</summary>
    public byte[] QeVendorId { get; set; } = IntelQeVendorId.ToArray();

    /// <summary>User data (20 bytes); QE3 writes its 16-byte QE_ID followed by 4 zero bytes.</summary>
    public byte[] UserData { get; set; } = new byte[UserDataLength];

    /// <summary>True when <see cref="QeVendorId"/> is Intel's QE vendor id.</summary>
    public bool IsIntelQeVendor => QeVendorId.AsSpan().SequenceEqual(IntelQeVendorId);

    /// <summary>Decodes a header from the first 48 bytes of <paramref name="source"/>, without validating it.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than 48 bytes.</exception>
    public static QuoteHeader Read(ReadOnlySpan<byte> source)
    {
        SgxThrow.IfTooShort(source, Size);
        return new QuoteHeader
        {
            Version = BinaryPrimitives.ReadUInt16LittleEndian(source[Offsets.Version..]),
            AttestationKeyType = BinaryPrimitives.ReadUInt16LittleEndian(source[Offsets.AttestationKeyType..]),
            TeeType = BinaryPrimitives.ReadUInt32LittleEndian(source[Offsets.TeeType..]),
            QeSvn = BinaryPrimitives.ReadUInt16LittleEndian(source[Offsets.QeSvn..]),
            PceSvn = BinaryPrimitives.ReadUInt16LittleEndian(source[Offsets.PceSvn..]),
            QeVendorId = source.Slice(Offsets.QeVendorId, QeVendorIdLength).ToArray(),
            UserData = source.Slice(Offsets.UserData, UserDataLength).ToArray(),
        };
    }

    /// <summary>Encodes the header into the first 48 bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The destination is too short, or an array field has the wrong length.</exception>
    public void Write(Span<byte> destination)
    {
        SgxThrow.IfTooShort(destination, Size);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[Offsets.Version..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[Offsets.AttestationKeyType..], AttestationKeyType);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[Offsets.TeeType..], TeeType);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[Offsets.QeSvn..], QeSvn);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[Offsets.PceSvn..], PceSvn);
        ReportBody.Put(destination, Offsets.QeVendorId, QeVendorId, QeVendorIdLength, nameof(QeVendorId));
        ReportBody.Put(destination, Offsets.UserData, UserData, UserDataLength, nameof(UserData));
    }

    /// <summary>Returns the 48 encoded bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }
}
