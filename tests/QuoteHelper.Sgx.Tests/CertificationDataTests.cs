using System.Text;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Sgx.Tests;

public sealed class CertificationDataTests
{
    [Theory]
    [InlineData("")]
    [InlineData("\0")]
    [InlineData("hello\0")]
    [InlineData("   \n\0")]
    public void GetPckCertChainDer_NoCertificate_ThrowsMalformed(string text)
    {
        AssertMalformed(Encoding.ASCII.GetBytes(text));
    }

    [Fact]
    public void GetPckCertChainDer_TextBetweenBlocks_ThrowsMalformed()
    {
        var leaf = QuoteNegativeTests.LeafPem();

        AssertMalformed(Encoding.ASCII.GetBytes(leaf + "\njunk\n" + leaf + "\n\0"));
    }

    [Fact]
    public void GetPckCertChainDer_TextAfterLastBlock_ThrowsMalformed()
    {
        AssertMalformed(Encoding.ASCII.GetBytes(QuoteNegativeTests.LeafPem() + "\ntrailer\0"));
    }

    [Fact]
    public void GetPckCertChainDer_OtherPemLabel_ThrowsMalformed()
    {
        var leaf = QuoteNegativeTests.LeafPem().Replace("CERTIFICATE", "PRIVATE KEY", StringComparison.Ordinal);

        AssertMalformed(Encoding.ASCII.GetBytes(leaf + "\n\0"));
    }

    [Fact]
    public void GetPckCertChainDer_BrokenBase64_ThrowsMalformed()
    {
        var leaf = QuoteNegativeTests.LeafPem();
        var broken = leaf.Insert(leaf.IndexOf('\n', StringComparison.Ordinal) + 5, "*");

        AssertMalformed(Encoding.ASCII.GetBytes(broken + "\n\0"));
    }

    [Fact]
    public void GetPckCertChainDer_NonAsciiByte_ThrowsMalformed()
    {
        var bytes = Encoding.ASCII.GetBytes(QuoteNegativeTests.LeafPem() + "\n\0");
        bytes[^2] = 0xA0; // NBSP in Latin-1: whitespace to char.IsWhiteSpace, but not ASCII

        AssertMalformed(bytes);
    }

    [Fact]
    public void GetPckCertChainDer_EmbeddedNul_ThrowsMalformed()
    {
        var leaf = QuoteNegativeTests.LeafPem();

        AssertMalformed(Encoding.ASCII.GetBytes(leaf + "\n\0" + leaf + "\n\0"));
    }

    [Fact]
    public void GetPckCertChainDer_WithoutTrailingNul_StillDecodes()
    {
        var data = Encoding.ASCII.GetBytes(QuoteNegativeTests.LeafPem() + "\n");

        Assert.Single(new CertificationData(CertificationDataType.PckCertChain, data).GetPckCertChainDer());
    }

    [Fact]
    public void GetPckCertChainDer_WrongType_ThrowsInvalidOperation()
    {
        var data = new CertificationData(CertificationDataType.PpidCleartext, new byte[36]);

        Assert.Throws<InvalidOperationException>(() => data.GetPckCertChainDer());
    }

    [Theory]
    [InlineData(CertificationDataType.PpidCleartext, 36, 16)]
    [InlineData(CertificationDataType.PpidRsa2048Encrypted, 276, 256)]
    [InlineData(CertificationDataType.PpidRsa3072Encrypted, 404, 384)]
    public void GetPpidCertificationData_FullForm_SplitsFields(CertificationDataType type, int length, int ppidLength)
    {
        var bytes = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

        var ppid = new CertificationData(type, bytes).GetPpidCertificationData();

        Assert.Equal(bytes[..ppidLength], ppid.EncryptedOrPlainPpid);
        Assert.Equal(bytes[ppidLength..(ppidLength + 16)], ppid.CpuSvn);
        Assert.Equal((ushort)(bytes[ppidLength + 16] | (bytes[ppidLength + 17] << 8)), ppid.PceSvn);
        Assert.Equal((ushort)(bytes[ppidLength + 18] | (bytes[ppidLength + 19] << 8)), ppid.PceId);
    }

    [Theory]
    [InlineData(CertificationDataType.PpidCleartext, 35)]
    [InlineData(CertificationDataType.PpidCleartext, 37)]
    [InlineData(CertificationDataType.PpidRsa2048Encrypted, 274)]
    [InlineData(CertificationDataType.PpidRsa3072Encrypted, 402)]
    [InlineData(CertificationDataType.PpidRsa3072Encrypted, 0)]
    public void GetPpidCertificationData_WrongLength_ThrowsMalformed(CertificationDataType type, int length)
    {
        var data = new CertificationData(type, new byte[length]);

        var ex = Assert.Throws<QuoteFormatException>(() => data.GetPpidCertificationData());

        Assert.Equal(QuoteFormatError.MalformedCertificationData, ex.Reason);
    }

    [Fact]
    public void GetPpidCertificationData_PckChainType_ThrowsInvalidOperation()
    {
        var data = new CertificationData(CertificationDataType.PckCertChain, new byte[36]);

        Assert.Throws<InvalidOperationException>(() => data.GetPpidCertificationData());
    }

    [Fact]
    public void ForPckCertChain_Blocks_EachEndsWithNewlineAndOneNulCounted()
    {
        var leaf = QuoteNegativeTests.LeafPem();

        var data = CertificationData.ForPckCertChain(["\n" + leaf + "\r\n  ", leaf]);

        Assert.Equal(CertificationDataType.PckCertChain, data.Type);
        Assert.Equal(Encoding.ASCII.GetBytes(leaf + "\n" + leaf + "\n\0"), data.Data);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("junk")]
    public void ForPckCertChain_NoCertificateText_ThrowsArgument(string text)
    {
        Assert.Throws<ArgumentException>(() => CertificationData.ForPckCertChain(text));
    }

    [Fact]
    public void ForPckCertChain_TwoBlocksInOneElement_ThrowsArgument()
    {
        var leaf = QuoteNegativeTests.LeafPem();

        Assert.Throws<ArgumentException>(() => CertificationData.ForPckCertChain([leaf + "\n" + leaf]));
    }

    [Fact]
    public void ForPckCertChain_CapPlusOneBlocks_ThrowsArgument()
    {
        var leaf = QuoteNegativeTests.LeafPem();
        var text = string.Concat(Enumerable.Repeat(leaf + "\n", CertificationData.MaxCertificatesInChain + 1));

        Assert.Throws<ArgumentException>(() => CertificationData.ForPckCertChain(text));
        Assert.Throws<ArgumentException>(() =>
            CertificationData.ForPckCertChain(Enumerable.Repeat(leaf, CertificationData.MaxCertificatesInChain + 1)));
    }

    [Fact]
    public void Constructor_DataAboveCap_ThrowsArgument()
    {
        Assert.Throws<ArgumentException>(() =>
            new CertificationData(CertificationDataType.PckCertChain, new byte[QuoteLimits.MaxCertificationDataLength + 1]));
    }

    [Fact]
    public void ComputeLength_IntelSizes_MatchVectors()
    {
        Assert.Equal(4600, Quote.ComputeLength(32, 3548));
        Assert.Equal(1054, Quote.ComputeLength(0, 34));
        Assert.Equal(1020, Quote.ComputeLength(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quote.ComputeLength(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quote.ComputeLength(65536, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Quote.ComputeLength(0, QuoteLimits.MaxCertificationDataLength + 1));
    }

    [Theory]
    [InlineData(0, 0u)]
    [InlineData(435, 0u)]
    [InlineData(1000, 565u)] // declares 1001 bytes
    [InlineData(1000, 0xFFFF_FFFFu)] // must not wrap around
    public void TryGetLength_DeclaredLengthDoesNotFit_ReturnsFalse(int bufferLength, uint signatureDataLength)
    {
        var buffer = new byte[bufferLength];
        if (bufferLength >= 436)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(432), signatureDataLength);
        }

        Assert.False(Quote.TryGetLength(buffer, out var length));
        Assert.Equal(0, length);
    }

    private static void AssertMalformed(byte[] data)
    {
        var certificationData = new CertificationData(CertificationDataType.PckCertChain, data);

        var ex = Assert.Throws<QuoteFormatException>(() => certificationData.GetPckCertChainDer());

        Assert.Equal(QuoteFormatError.MalformedCertificationData, ex.Reason);
    }
}
