using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Verification.Tests;

/// <summary>The v3/v4/v5 reader (dcap-quote.md §1.7) on the real TDX quote and on generated v5 quotes.</summary>
public sealed class DcapQuoteTests
{
    [Fact]
    public void TdxVector_ParsesV4WithTrailingZeros()
    {
        var quote = DcapQuote.Parse(Vectors.TdxQuote);

        Assert.Equal(4, quote.Version);
        Assert.Equal(TeeType.Tdx, quote.TeeType);
        Assert.Equal(QuoteBodyType.TdReport10, quote.BodyType);
        Assert.Equal(4936, quote.Length);
        Assert.Equal(632, quote.SignedLength);
        Assert.Equal(4166, quote.OuterCertificationDataLength);
        Assert.Equal(32, quote.QeAuthData.Length);
        Assert.Equal(CertificationDataType.PckCertChain, quote.CertificationData.Type);
        Assert.Equal(3678, quote.CertificationData.Data.Length);
        Assert.Equal(2, quote.QeReport.IsvProdId);
        Assert.Equal(6, quote.QeReport.IsvSvn);
        Assert.Equal("dc9e2a7c", Hex.ToHex(quote.QeReport.MrSigner)[..8]);
        Assert.Equal("889b7d6ff9df2405b240a830e73faf3d00000000", Hex.ToHex(quote.Header.UserData));
        Assert.False(quote.TdReport!.IsVersion15);
        Assert.Equal(3, quote.CertificationData.GetPckCertChainDer().Count);
    }

    [Fact]
    public void SgxVector_DcapQuoteAgreesWithQuote()
    {
        var bytes = Vectors.SgxQuote;
        var dcap = DcapQuote.Parse(bytes);
        var v3 = Quote.Parse(bytes);

        Assert.Equal(v3.Body.ToArray(), dcap.EnclaveReport!.ToArray());
        Assert.Equal(v3.SignatureData.QeReport.ToArray(), dcap.QeReportBytes.ToArray());
        Assert.Equal(v3.SignatureData.CertificationData.Data, dcap.CertificationData.Data);
        Assert.Equal(432, dcap.SignedLength);
        Assert.Null(dcap.OuterCertificationDataLength);
    }

    [Theory]
    [InlineData(QuoteBodyType.SgxEnclaveReport, 384)]
    [InlineData(QuoteBodyType.TdReport10, 584)]
    [InlineData(QuoteBodyType.TdReport15, 648)]
    public void GeneratedV5_EachBodyType_Parses(QuoteBodyType type, int size)
    {
        var quote = DcapQuote.Parse(TestPki.Create().QuoteV5(type));

        Assert.Equal(5, quote.Version);
        Assert.Equal(type, quote.BodyType);
        Assert.Equal(54 + size, quote.SignedLength);
        Assert.Equal(type == QuoteBodyType.TdReport15, quote.TdReport?.IsVersion15 ?? false);
    }

    [Fact]
    public void GeneratedV5_WrongBodySize_BodySizeMismatch()
    {
        var bytes = TestPki.Create().QuoteV5();
        bytes[50] = 0x81; // body_size 384 (0x180) -> 0x181

        Assert.Equal(QuoteFormatError.BodySizeMismatch, Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(bytes)).Reason);
    }

    [Fact]
    public void GeneratedV5_SgxTeeWithTdBody_UnsupportedBodyType()
    {
        var bytes = TestPki.Create().QuoteV5(QuoteBodyType.TdReport10, teeTypeOverride: 0);

        Assert.Equal(QuoteFormatError.UnsupportedBodyType, Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(bytes)).Reason);
    }

    [Fact]
    public void GeneratedV5_UnknownBodyType_UnsupportedBodyType()
    {
        var bytes = TestPki.Create().QuoteV5();
        bytes[48] = 9;

        Assert.Equal(QuoteFormatError.UnsupportedBodyType, Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(bytes)).Reason);
    }

    [Fact]
    public void TdxVector_OuterTypeNotSix_UnknownCertificationDataType()
    {
        var bytes = Vectors.TdxQuote;
        bytes[636 + 128] = 5; // outer cert type at 636 + sig (64) + key (64)

        Assert.Equal(QuoteFormatError.UnknownCertificationDataType, Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(bytes)).Reason);
    }

    [Fact]
    public void TdxVector_InV3Quote_UnsupportedTeeType()
    {
        var bytes = Vectors.TdxQuote;
        bytes[0] = 3;

        Assert.Equal(QuoteFormatError.UnsupportedTeeType, Assert.Throws<QuoteFormatException>(() => DcapQuote.Parse(bytes)).Reason);
    }

    [Fact]
    public void GeneratedV5Tdx_VerifiesThroughStep13()
    {
        var pki = TestPki.Create();
        var result = pki.Verify(pki.QuoteV5(QuoteBodyType.TdReport15));

        // The test collateral is SGX (id "SGX"): a TDX quote needs TDX TCB Info, so step 6 says so.
        Assert.Equal(VerificationStep.TcbInfo, result.FailedStep);
        Assert.Equal(VerificationFailureReason.TcbInfoUnsupported, result.FailureReason);
    }
}
