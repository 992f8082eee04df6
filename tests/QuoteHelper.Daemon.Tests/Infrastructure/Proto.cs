using System.Buffers.Binary;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// A minimal protobuf writer for building request frames and expected response frames by hand, independently of
/// the generated message types the daemon uses: varint fields (wire type 0) and length-delimited fields (wire type
/// 2), concatenated in the order given (aesm-protocol.md §2.7 lists the resulting tag bytes).
/// </summary>
internal static class Proto
{
    /// <summary>A varint field: tag (field, 0) then the value.</summary>
    public static byte[] Varint(int field, ulong value) => [.. Tag(field, 0), .. EncodeVarint(value)];

    /// <summary>A length-delimited field: tag (field, 2), length, bytes.</summary>
    public static byte[] Bytes(int field, ReadOnlySpan<byte> data) =>
        [.. Tag(field, 2), .. EncodeVarint((ulong)data.Length), .. data];

    /// <summary>A nested message at <paramref name="field"/> made of the given fields.</summary>
    public static byte[] Sub(int field, params byte[][] fields) => Bytes(field, Concat(fields));

    /// <summary>Fields concatenated in order.</summary>
    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>One AESM frame: 4-byte little-endian body length, then the body (aesm-protocol.md §1.2).</summary>
    public static byte[] Frame(params byte[][] body)
    {
        var bytes = Concat(body);
        var frame = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)bytes.Length);
        bytes.CopyTo(frame, 4);
        return frame;
    }

    /// <summary>The varint encoding of <paramref name="value"/>.</summary>
    public static byte[] EncodeVarint(ulong value)
    {
        var bytes = new List<byte>(10);
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static byte[] Tag(int field, int wireType) => EncodeVarint(((ulong)field << 3) | (uint)wireType);
}
