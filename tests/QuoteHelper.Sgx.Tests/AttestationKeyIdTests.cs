using System.Buffers.Binary;

namespace QuoteHelper.Sgx.Tests;

public sealed class AttestationKeyIdTests
{
    // aesm-protocol.md §5, the whole default id, 32 bytes per line.
    private const string DefaultIdHex = """
        0000000020008c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b
        094490c57bff0000000000000000000000000000000001000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000020000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        """;

    [Fact]
    public void DefaultEcdsaP256_Bytes_EqualAesmProtocolSection5()
    {
        Assert.Equal(Hex.FromHex(DefaultIdHex), AttestationKeyId.DefaultEcdsaP256.Bytes.ToArray());
    }

    [Fact]
    public void DefaultEcdsaP256_Fields_AreQe3Values()
    {
        var id = AttestationKeyId.DefaultEcdsaP256;

        Assert.Equal(0, id.Id);
        Assert.Equal(0, id.Version);
        Assert.Equal(32, id.MrSignerLength);
        Assert.Equal(AttestationKeyId.IntelQe3MrSigner.ToArray(), id.MrSigner.ToArray());
        Assert.Equal(1u, id.ProdId);
        Assert.Equal(AttestationAlgorithm.EcdsaP256, id.Algorithm);
        Assert.Equal(0, id.AttKeyType);
    }

    [Fact]
    public void BaseMatches_DifferenceOnlyInExtendedPart_Matches()
    {
        var candidate = AttestationKeyId.DefaultEcdsaP256.Bytes.ToArray();
        candidate[200] = 0xFF;

        Assert.True(AttestationKeyId.BaseMatches(candidate, AttestationKeyId.DefaultEcdsaP256.Bytes));
        candidate[157] = 0xFF;
        Assert.False(AttestationKeyId.BaseMatches(candidate, AttestationKeyId.DefaultEcdsaP256.Bytes));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(10)]
    public void TryValidate_WellFormedList_ReturnsCount(int entries)
    {
        var list = AttestationKeyIdList.Encode(
            Enumerable.Repeat(AttestationKeyId.DefaultEcdsaP256, entries).ToList());

        Assert.True(AttestationKeyIdList.TryValidate(list, out var count));
        Assert.Equal(entries, count);
        Assert.Equal(AttestationKeyId.DefaultEcdsaP256.Bytes.ToArray(),
            AttestationKeyIdList.Entry(list, entries - 1).ToArray());
    }

    // aesm-protocol.md §6.4: every row is answered with 3 (parameter error) by Intel's server.
    [Theory]
    [InlineData(0, 0, 0, 0, 0)] // empty
    [InlineData(263, 0, 0, 1, 0)] // shorter than 264
    [InlineData(8, 0, 0, 0, 0)] // header only
    [InlineData(264, 1, 0, 1, 0)] // id ≠ 0
    [InlineData(264, 0, 1, 1, 0)] // version ≠ 0
    [InlineData(8 + (11 * 256), 0, 0, 11, 0)] // more than 10 entries, length consistent
    [InlineData(264, 0, 0, 2, 0)] // count 2, one entry
    [InlineData(520, 0, 0, 1, 0)] // count 1, two entries
    [InlineData(264, 0, 0, 0, 0)] // count 0, one entry
    [InlineData(265, 0, 0, 1, 0)] // one stray byte
    [InlineData(264, 0, 0, 0, 1)] // count with a high bit set: count × 256 + 8 wraps in 32 bits
    public void TryValidate_MalformedList_ReturnsFalse(int length, ushort id, ushort version, uint count, int highBit)
    {
        var list = new byte[length];
        if (length >= 8)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(list, id);
            BinaryPrimitives.WriteUInt16LittleEndian(list.AsSpan(2), version);
            BinaryPrimitives.WriteUInt32LittleEndian(list.AsSpan(4), highBit == 1 ? 0x0100_0001u : count);
        }

        Assert.False(AttestationKeyIdList.TryValidate(list, out var entries));
        Assert.Equal(0, entries);
    }

    [Fact]
    public void Encode_ElevenIds_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            AttestationKeyIdList.Encode(Enumerable.Repeat(AttestationKeyId.DefaultEcdsaP256, 11).ToList()));
    }
}
