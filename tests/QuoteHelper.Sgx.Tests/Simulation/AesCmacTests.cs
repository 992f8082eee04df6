using QuoteHelper.Sgx.Simulation;

namespace QuoteHelper.Sgx.Tests.Simulation;

/// <summary>AES-128-CMAC against the four test vectors of RFC 4493 §4.</summary>
public sealed class AesCmacTests
{
    private const string Key = "2b7e151628aed2a6abf7158809cf4f3c";
    private const string Message64 =
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

    [Theory]
    [InlineData(0, "bb1d6929e95937287fa37d129b756746")]
    [InlineData(16, "070a16b46b4d4144f79bdd9dd04a287c")]
    [InlineData(40, "dfa66747de9ae63030ca32611497c827")]
    [InlineData(64, "51f0bebf7e3b9d92fc49741779363cfe")]
    public void Compute_Rfc4493Vectors_GiveTheRfcTags(int length, string expectedTag)
    {
        using var cmac = new AesCmac(Hex.FromHex(Key));
        var message = Hex.FromHex(Message64)[..length];
        var tag = new byte[16];

        cmac.Compute(message, tag);

        Assert.Equal(expectedTag, Hex.ToHex(tag));
        Assert.True(cmac.Verify(message, tag));
    }

    [Fact]
    public void Compute_OneInstanceManyMessages_EachGivesItsRfcTag()
    {
        // The instance keeps one CBC encryptor across messages: each message must start again from the zero IV, in
        // any order of lengths, including after a message longer than the internal buffer.
        using var cmac = new AesCmac(Hex.FromHex(Key));
        var message = Hex.FromHex(Message64);
        var tag = new byte[16];
        (int Length, string Tag)[] vectors =
        [
            (64, "51f0bebf7e3b9d92fc49741779363cfe"), (0, "bb1d6929e95937287fa37d129b756746"),
            (40, "dfa66747de9ae63030ca32611497c827"), (16, "070a16b46b4d4144f79bdd9dd04a287c"),
        ];

        for (var round = 0; round < 2; round++)
        {
            foreach (var (length, expected) in vectors)
            {
                cmac.Compute(message.AsSpan(0, length), tag);
                Assert.Equal(expected, Hex.ToHex(tag));
            }

            cmac.Compute(new byte[1000], tag);
        }
    }

    [Fact]
    public void Verify_OneBitFlipped_IsFalse()
    {
        using var cmac = new AesCmac(Hex.FromHex(Key));
        var message = Hex.FromHex(Message64);
        var tag = new byte[16];
        cmac.Compute(message, tag);

        message[17] ^= 0x01;

        Assert.False(cmac.Verify(message, tag));
    }

    [Fact]
    public void Compute_LongMessage_MatchesBlockwiseDefinition()
    {
        // Longer than the instance's 512-byte buffer, which then grows; 1000 bytes end in a partial block (the K2 path).
        using var cmac = new AesCmac(Hex.FromHex(Key));
        var message = new byte[1000];
        new Random(4493).NextBytes(message);
        var tag = new byte[16];

        cmac.Compute(message, tag);

        Assert.True(cmac.Verify(message, tag));
        Assert.False(cmac.Verify(message.AsSpan(0, 999), tag));
    }

    [Fact]
    public void Constructor_KeyNot16Bytes_Throws() =>
        Assert.Throws<ArgumentException>(() => new AesCmac(new byte[15]));
}
