using System.Buffers.Binary;
using System.Text;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Sgx.Tests;

/// <summary>
/// Manufactured negatives from the real sgx_quote (house-style habit 13): each asserts the specific
/// <see cref="QuoteFormatError"/>, and the hostile-length cases assert that parsing allocates next to nothing.
/// </summary>
public sealed class QuoteNegativeTests
{
    // An exception with a message and a stack trace costs a few KiB; a trusted hostile length would cost megabytes.
    private const long AllocationBudget = 64 * 1024;

    private static byte[] SgxQuote => TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote");

    // Region boundaries of the real quote (dcap-quote.md §1.1, §1.4; with N = 32: cert type 1046, size 1048, data 1052).
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(28)]
    [InlineData(47)]
    [InlineData(48)]
    [InlineData(431)]
    [InlineData(432)]
    [InlineData(435)]
    [InlineData(436)]
    [InlineData(500)]
    [InlineData(564)]
    [InlineData(948)]
    [InlineData(1012)]
    [InlineData(1014)]
    [InlineData(1019)]
    [InlineData(1020)]
    [InlineData(1046)]
    [InlineData(1048)]
    [InlineData(1052)]
    [InlineData(4599)]
    public void Parse_TruncatedAtRegionBoundary_ThrowsTooShort(int length)
    {
        AssertRejected(SgxQuote.AsSpan(0, length).ToArray(), QuoteFormatError.TooShort);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(0)]
    public void Parse_VersionNot3_ThrowsUnsupportedVersion(ushort version)
    {
        var quote = SgxQuote;
        BinaryPrimitives.WriteUInt16LittleEndian(quote.AsSpan(0), version);

        AssertRejected(quote, QuoteFormatError.UnsupportedVersion);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Parse_AttestationKeyTypeNot2_ThrowsUnsupportedAttestationKeyType(ushort keyType)
    {
        var quote = SgxQuote;
        BinaryPrimitives.WriteUInt16LittleEndian(quote.AsSpan(2), keyType);

        AssertRejected(quote, QuoteFormatError.UnsupportedAttestationKeyType);
    }

    [Theory]
    [InlineData(0x81u)]
    [InlineData(1u)]
    public void Parse_TeeTypeNotSgx_ThrowsUnsupportedTeeType(uint teeType)
    {
        var quote = SgxQuote;
        BinaryPrimitives.WriteUInt32LittleEndian(quote.AsSpan(4), teeType);

        AssertRejected(quote, QuoteFormatError.UnsupportedTeeType);
    }

    [Fact]
    public void Parse_ForeignVendorId_ParsesAndExposesIt()
    {
        // The vendor id is policy for the verifier (dcap-quote.md §2 rule 5), not a parse error.
        var quote = SgxQuote;
        quote[12] ^= 0xFF;

        var parsed = Quote.Parse(quote);

        Assert.False(parsed.Header.IsIntelQeVendor);
    }

    [Fact]
    public void Parse_SignatureDataLengthPastBufferEnd_ThrowsTooShort()
    {
        var quote = SgxQuote;
        BinaryPrimitives.WriteUInt32LittleEndian(quote.AsSpan(432), 4165);

        AssertRejected(quote, QuoteFormatError.TooShort);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(583u)]
    [InlineData(QuoteLimits.MaxQuoteLength - 436 + 1)]
    [InlineData(0x7FFF_FFFFu)]
    [InlineData(0xFFFF_FFFFu)]
    public void Parse_SignatureDataLengthOutsideRange_ThrowsWithoutAllocating(uint signatureDataLength)
    {
        var quote = SgxQuote;
        BinaryPrimitives.WriteUInt32LittleEndian(quote.AsSpan(432), signatureDataLength);

        AssertRejectedCheaply(quote, QuoteFormatError.SignatureDataLengthOutOfRange);
    }

    [Fact]
    public void Parse_BufferAboveCap_ThrowsTooLong()
    {
        var buffer = new byte[QuoteLimits.MaxQuoteLength + 1];
        SgxQuote.CopyTo(buffer, 0);

        AssertRejected(buffer, QuoteFormatError.TooLong);
    }

    [Theory]
    [InlineData(3581)] // cert header would end one byte past the declared end
    [InlineData(0xFFFF)]
    public void Parse_AuthDataSizePastDeclaredEnd_ThrowsAuthDataLengthOutOfRange(int authDataSize)
    {
        var quote = SgxQuote;
        BinaryPrimitives.WriteUInt16LittleEndian(quote.AsSpan(1012), (ushort)authDataSize);

        AssertRejectedCheaply(quote, QuoteFormatError.AuthDataLengthOutOfRange);
    }

    [Theory]
    [InlineData(3547u)]
    [InlineData(3549u)]
    [InlineData(0u)]
    public void Parse_CertificationDataSizeNotRemaining_ThrowsMismatch(uint size)
    {
        var quote = SgxQuote;
        BinaryPrimitives.WriteUInt32LittleEndian(quote.AsSpan(1048), size);

        AssertRejected(quote, QuoteFormatError.CertificationDataLengthMismatch);
    }

    [Theory]
    [InlineData(QuoteLimits.MaxCertificationDataLength + 1)]
    [InlineData(0xFFFF_FFF0u)]
    public void Parse_CertificationDataSizeAboveCap_ThrowsOutOfRangeWithoutAllocating(uint size)
    {
        var quote = SgxQuote;
        BinaryPrimitives.WriteUInt32LittleEndian(quote.AsSpan(1048), size);

        AssertRejectedCheaply(quote, QuoteFormatError.CertificationDataLengthOutOfRange);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(0xFFFF)]
    public void Parse_CertificationDataTypeNotV3_ThrowsUnknownCertificationDataType(int type)
    {
        var quote = SgxQuote;
        BinaryPrimitives.WriteUInt16LittleEndian(quote.AsSpan(1046), (ushort)type);

        AssertRejected(quote, QuoteFormatError.UnknownCertificationDataType);
    }

    [Fact]
    public void Parse_MinimalQuoteWithEmptyCertificationData_Succeeds()
    {
        var quote = new Quote
        {
            SignatureData = new QuoteSignatureData
            {
                CertificationData = new CertificationData(CertificationDataType.PckCertChain, []),
            },
        };
        var bytes = quote.ToArray();

        Assert.Equal(QuoteOffsets.MinimumLength, bytes.Length);
        Assert.Equal(bytes, Quote.Parse(bytes).ToArray());
    }

    [Fact]
    public void Parse_JunkPemCertificationData_ParsesLazilyButChainThrowsMalformed()
    {
        var quote = BuildQuote(CertificationDataType.PckCertChain, "not a certificate\n\0"u8.ToArray());

        var parsed = Quote.Parse(quote);

        var ex = Assert.Throws<QuoteFormatException>(() => parsed.SignatureData.CertificationData.GetPckCertChainDer());
        Assert.Equal(QuoteFormatError.MalformedCertificationData, ex.Reason);
    }

    [Fact]
    public void GetPckCertChainDer_CapPlusOneCertificates_ThrowsTooManyCertificates()
    {
        var leafPem = LeafPem();
        var data = Encoding.ASCII.GetBytes(
            string.Concat(Enumerable.Repeat(leafPem + "\n", CertificationData.MaxCertificatesInChain + 1)) + "\0");
        var parsed = Quote.Parse(BuildQuote(CertificationDataType.PckCertChain, data));

        var ex = Assert.Throws<QuoteFormatException>(() => parsed.SignatureData.CertificationData.GetPckCertChainDer());

        Assert.Equal(QuoteFormatError.TooManyCertificates, ex.Reason);
    }

    [Fact]
    public void GetPckCertChainDer_ExactlyCapCertificates_ReturnsAll()
    {
        var data = Encoding.ASCII.GetBytes(
            string.Concat(Enumerable.Repeat(LeafPem() + "\n", CertificationData.MaxCertificatesInChain)) + "\0");

        var chain = new CertificationData(CertificationDataType.PckCertChain, data).GetPckCertChainDer();

        Assert.Equal(CertificationData.MaxCertificatesInChain, chain.Count);
    }

    [Fact]
    public void Parse_OneByteFlipInEachRegion_StillParsesAndReserializesFlippedBytes()
    {
        // Signatures and measurements are opaque to the parser: a flip anywhere outside the length and type fields
        // must survive the round trip unchanged (the verifier, not the parser, rejects it).
        foreach (var offset in new[] { 20, 100, 440, 520, 900, 1000, 1020, 2000, 4598 })
        {
            var quote = SgxQuote;
            quote[offset] ^= 0x01;

            Assert.Equal(quote, Quote.Parse(quote).ToArray());
        }
    }

    internal static byte[] BuildQuote(CertificationDataType type, byte[] certificationData) => new Quote
    {
        SignatureData = new QuoteSignatureData
        {
            QeAuthData = [.. Enumerable.Range(0, 32).Select(i => (byte)i)],
            CertificationData = new CertificationData(type, certificationData),
        },
    }.ToArray();

    internal static string LeafPem()
    {
        var data = Quote.Parse(SgxQuote).SignatureData.CertificationData.Data;
        var text = Encoding.ASCII.GetString(data);
        const string End = "-----END CERTIFICATE-----";
        return text[..(text.IndexOf(End, StringComparison.Ordinal) + End.Length)];
    }

    private static void AssertRejected(byte[] quote, QuoteFormatError expected)
    {
        var ex = Assert.Throws<QuoteFormatException>(() => Quote.Parse(quote));
        Assert.Equal(expected, ex.Reason);
    }

    private static void AssertRejectedCheaply(byte[] quote, QuoteFormatError expected)
    {
        // Warm up once so JIT and type loading are not counted.
        Assert.Throws<QuoteFormatException>(() => Quote.Parse(quote));

        var before = GC.GetAllocatedBytesForCurrentThread();
        QuoteFormatException? caught = null;
        try
        {
            Quote.Parse(quote);
        }
        catch (QuoteFormatException ex)
        {
            caught = ex;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(caught);
        Assert.Equal(expected, caught.Reason);
        Assert.True(allocated < AllocationBudget, $"Parse allocated {allocated} bytes before rejecting.");
    }
}
