using System.Buffers.Binary;

namespace QuoteHelper.Sgx;

/// <summary>Quoting algorithm ids (<c>sgx_ql_attestation_algorithm_id_t</c>, aesm-protocol.md §4.2).</summary>
public enum AttestationAlgorithm : uint
{
    /// <summary>EPID (legacy).</summary>
    Epid = 0,
    /// <summary>Reserved (AESM used it for EPID linkable).</summary>
    Reserved1 = 1,
    /// <summary>ECDSA P-256, the only algorithm QE3 supports.</summary>
    EcdsaP256 = 2,
    /// <summary>ECDSA P-384 (not supported by verifiers).</summary>
    EcdsaP384 = 3,
}

/// <summary>
/// An attestation key id in its 256-byte extended form, <c>sgx_att_key_id_ext_t</c>, whose first 158 bytes are
/// the base <c>sgx_ql_att_key_id_t</c> (aesm-protocol.md §4.2). Servers match ids on the base only (§6.1).
/// </summary>
public sealed class AttestationKeyId
{
    /// <summary>Size of the extended id (<c>sgx_att_key_id_t</c> / <c>sgx_att_key_id_ext_t</c>).</summary>
    public const int Size = 256;

    /// <summary>Size of the base <c>sgx_ql_att_key_id_t</c>; the bytes that servers compare.</summary>
    public const int BaseSize = 158;

    /// <summary>Start offsets of each field.</summary>
    public static class Offsets
    {
        /// <summary><c>id</c>, u16.</summary>
        public const int Id = 0;
        /// <summary><c>version</c>, u16.</summary>
        public const int Version = 2;
        /// <summary><c>mrsigner_length</c>, u16.</summary>
        public const int MrSignerLength = 4;
        /// <summary><c>mrsigner</c>, 48 bytes.</summary>
        public const int MrSigner = 6;
        /// <summary><c>prod_id</c>, u32.</summary>
        public const int ProdId = 54;
        /// <summary><c>extended_prod_id</c>, 16 bytes.</summary>
        public const int ExtendedProdId = 58;
        /// <summary><c>config_id</c>, 64 bytes.</summary>
        public const int ConfigId = 74;
        /// <summary><c>family_id</c>, 16 bytes.</summary>
        public const int FamilyId = 138;
        /// <summary><c>algorithm_id</c>, u32.</summary>
        public const int AlgorithmId = 154;
        /// <summary><c>spid</c>, 16 bytes (extended part).</summary>
        public const int Spid = 158;
        /// <summary><c>att_key_type</c>, u16 (extended part).</summary>
        public const int AttKeyType = 174;
        /// <summary><c>reserved</c>, 80 bytes (extended part).</summary>
        public const int Reserved = 176;
    }

    /// <summary>MRSIGNER of Intel's production QE3 (aesm-protocol.md §5).</summary>
    public static ReadOnlySpan<byte> IntelQe3MrSigner =>
    [
        0x8c, 0x4f, 0x57, 0x75, 0xd7, 0x96, 0x50, 0x3e, 0x96, 0x13, 0x7f, 0x77, 0xc6, 0x8a, 0x82, 0x9a,
        0x00, 0x56, 0xac, 0x8d, 0xed, 0x70, 0x14, 0x0b, 0x08, 0x1b, 0x09, 0x44, 0x90, 0xc5, 0x7b, 0xff,
    ];

    private readonly byte[] _bytes;

    private AttestationKeyId(byte[] bytes) => _bytes = bytes;

    /// <summary>
    /// Intel's default ECDSA-P256 key id as DCAP's <c>sgx_ql_get_keyid()</c> builds it (aesm-protocol.md §5): id 0,
    /// version 0, mrsigner_length 32, the QE3 MRSIGNER, prod_id 1, algorithm_id 2, everything else zero.
    /// </summary>
    public static AttestationKeyId DefaultEcdsaP256 { get; } = CreateDefault();

    /// <summary>Wraps a copy of 256 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not 256 bytes.</exception>
    public static AttestationKeyId Read(ReadOnlySpan<byte> source)
    {
        SgxThrow.IfWrongLength(source, Size, nameof(source));
        return new AttestationKeyId(source.ToArray());
    }

    /// <summary>The 256 bytes of the extended id.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The 158-byte base that servers compare.</summary>
    public ReadOnlySpan<byte> Base => _bytes.AsSpan(0, BaseSize);

    /// <summary>Structure id (0).</summary>
    public ushort Id => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(Offsets.Id));

    /// <summary>Structure version (0).</summary>
    public ushort Version => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(Offsets.Version));

    /// <summary>Number of valid bytes in the MRSIGNER field.</summary>
    public ushort MrSignerLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(Offsets.MrSignerLength));

    /// <summary>The valid MRSIGNER bytes (at most 48).</summary>
    public ReadOnlySpan<byte> MrSigner => _bytes.AsSpan(Offsets.MrSigner, Math.Min((int)MrSignerLength, 48));

    /// <summary>Legacy ISV product id of the QE.</summary>
    public uint ProdId => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(Offsets.ProdId));

    /// <summary>Quoting algorithm.</summary>
    public AttestationAlgorithm Algorithm =>
        (AttestationAlgorithm)BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(Offsets.AlgorithmId));

    /// <summary>Attestation key type of the extended part (0 for non-EPID).</summary>
    public ushort AttKeyType => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(Offsets.AttKeyType));

    /// <summary>True when the first 158 bytes of both ids are equal: the server's matching rule (§6.1).</summary>
    public static bool BaseMatches(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> advertised) =>
        candidate.Length >= BaseSize && advertised.Length >= BaseSize &&
        candidate[..BaseSize].SequenceEqual(advertised[..BaseSize]);

    private static AttestationKeyId CreateDefault()
    {
        var bytes = new byte[Size];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(Offsets.MrSignerLength), 32);
        IntelQe3MrSigner.CopyTo(bytes.AsSpan(Offsets.MrSigner));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(Offsets.ProdId), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(Offsets.AlgorithmId), (uint)AttestationAlgorithm.EcdsaP256);
        return new AttestationKeyId(bytes);
    }
}

/// <summary>
/// <c>sgx_ql_att_key_id_list_header_t</c> (8 bytes) followed by 256-byte entries: the SelectAttKeyID list
/// (aesm-protocol.md §4.3).
/// </summary>
public static class AttestationKeyIdList
{
    /// <summary>Size of the list header.</summary>
    public const int HeaderSize = 8;

    /// <summary><c>SGX_MAX_ATT_KEY_IDS</c>: the most entries a list may carry.</summary>
    public const int MaxEntries = 10;

    /// <summary>Builds a list (header id 0, version 0) of the given ids.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxEntries"/> ids.</exception>
    public static byte[] Encode(IReadOnlyList<AttestationKeyId> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count > MaxEntries)
        {
            throw new ArgumentException($"At most {MaxEntries} attestation key ids fit in a list.", nameof(ids));
        }

        var bytes = new byte[HeaderSize + (ids.Count * AttestationKeyId.Size)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            ids[i].Bytes.CopyTo(bytes.AsSpan(HeaderSize + (i * AttestationKeyId.Size)));
        }

        return bytes;
    }

    /// <summary>
    /// Validates a list as Intel's server does (§6.4): at least one entry, header id and version 0, at most
    /// <see cref="MaxEntries"/> entries, and a length that equals the header's count exactly.
    /// </summary>
    /// <param name="list">The list bytes.</param>
    /// <param name="count">The number of entries when valid.</param>
    /// <returns>True when the list is well formed.</returns>
    public static bool TryValidate(ReadOnlySpan<byte> list, out int count)
    {
        count = 0;
        if (list.Length < HeaderSize + AttestationKeyId.Size)
        {
            return false;
        }

        var id = BinaryPrimitives.ReadUInt16LittleEndian(list);
        var version = BinaryPrimitives.ReadUInt16LittleEndian(list[2..]);
        var entries = BinaryPrimitives.ReadUInt32LittleEndian(list[4..]);
        if (id != 0 || version != 0 || entries > MaxEntries ||
            (entries * AttestationKeyId.Size) + HeaderSize != (uint)list.Length)
        {
            return false;
        }

        count = (int)entries;
        return true;
    }

    /// <summary>The <paramref name="index"/>-th 256-byte entry of a validated list.</summary>
    public static ReadOnlySpan<byte> Entry(ReadOnlySpan<byte> list, int index) =>
        list.Slice(HeaderSize + (index * AttestationKeyId.Size), AttestationKeyId.Size);
}
