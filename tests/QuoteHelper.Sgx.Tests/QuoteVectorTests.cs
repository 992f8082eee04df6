using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Sgx.Tests;

/// <summary>The real quotes of ../vectors (README §1, §2): parsed values and byte-exact re-serialisation.</summary>
public sealed class QuoteVectorTests
{
    private static byte[] SgxQuote => TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote");

    private static byte[] QvlQuote => TestVectors.ReadAllBytes("intel-qvl-sampledata", "quote.dat");

    [Fact]
    public void Parse_DcapQvlSgxQuote_HeaderMatchesVectorReadme()
    {
        var quote = Quote.Parse(SgxQuote);

        Assert.Equal(3, quote.Header.Version);
        Assert.Equal(2, quote.Header.AttestationKeyType);
        Assert.Equal(0u, quote.Header.TeeType);
        Assert.Equal(10, quote.Header.QeSvn);
        Assert.Equal(15, quote.Header.PceSvn);
        Assert.Equal("939a7233f79c4ca9940a0db3957f0607", Hex.ToHex(quote.Header.QeVendorId));
        Assert.True(quote.Header.IsIntelQeVendor);
        Assert.Equal("3987622ee6968a54977c8626ef47123500000000", Hex.ToHex(quote.Header.UserData));
    }

    [Fact]
    public void Parse_DcapQvlSgxQuote_BodyMatchesVectorReadme()
    {
        var body = Quote.Parse(SgxQuote).Body;

        Assert.Equal("0b0b1a18ffff04000000000000000000", Hex.ToHex(body.CpuSvn));
        Assert.Equal(0u, body.MiscSelect);
        Assert.Equal("0500000000000000e700000000000000", Hex.ToHex(body.Attributes.ToBytes()));
        Assert.False(body.Attributes.IsDebug);
        Assert.Equal("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb", Hex.ToHex(body.MrEnclave));
        Assert.Equal("815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6", Hex.ToHex(body.MrSigner));
        Assert.Equal(0, body.IsvProdId);
        Assert.Equal(0, body.IsvSvn);
        Assert.Equal([.. "Hello, world!"u8, .. new byte[64 - 13]], body.ReportData);
    }

    [Fact]
    public void Parse_DcapQvlSgxQuote_SignatureDataMatchesVectorReadme()
    {
        var quote = Quote.Parse(SgxQuote);
        var signatureData = quote.SignatureData;

        Assert.Equal(4164, signatureData.Length);
        Assert.Equal(4600, quote.Length);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i), signatureData.QeAuthData);
        Assert.Equal(CertificationDataType.PckCertChain, signatureData.CertificationData.Type);
        Assert.Equal(3548, signatureData.CertificationData.Data.Length);
        Assert.Equal("2d2d2d0a00", Hex.ToHex(signatureData.CertificationData.Data.AsSpan(3543)));

        var qeReport = signatureData.QeReport;
        Assert.Equal("96b347a64e5a045e27369c26e6dcda51fd7c850e9b3a3a79e718f43261dee1e4", Hex.ToHex(qeReport.MrEnclave));
        Assert.Equal(AttestationKeyId.IntelQe3MrSigner.ToArray(), qeReport.MrSigner);
        Assert.Equal(1, qeReport.IsvProdId);
        Assert.Equal(10, qeReport.IsvSvn);
        Assert.Equal("1500000000000000e700000000000000", Hex.ToHex(qeReport.Attributes.ToBytes()));
        Assert.Equal(0u, qeReport.MiscSelect);
        Assert.Equal("c261bb882e542aa8d7f9e99a00efcb11cf2ee66fa9c6861f9230d3f803a275fd",
            Hex.ToHex(qeReport.ReportData.AsSpan(0, 32)));
        Assert.All(qeReport.ReportData[32..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Parse_DcapQvlSgxQuote_QeReportDataBindsAttestationKey()
    {
        // dcap-quote.md §3.3: report_data[0..32) = SHA256(attest_pub_key ‖ qe_auth_data).
        var signatureData = Quote.Parse(SgxQuote).SignatureData;

        var expected = SHA256.HashData([.. signatureData.AttestationPublicKey, .. signatureData.QeAuthData]);

        Assert.Equal(expected, signatureData.QeReport.ReportData[..32]);
    }

    [Fact]
    public void ToArray_DcapQvlSgxQuote_ReproducesFileBytes()
    {
        var bytes = SgxQuote;

        Assert.Equal(bytes, Quote.Parse(bytes).ToArray());
    }

    [Fact]
    public void GetPckCertChainDer_DcapQvlSgxQuote_ReturnsLeafCaRootInOrder()
    {
        var chain = Quote.Parse(SgxQuote).SignatureData.CertificationData.GetPckCertChainDer();

        Assert.Equal(3, chain.Count);
        using var leaf = X509CertificateLoader.LoadCertificate(chain[0]);
        using var ca = X509CertificateLoader.LoadCertificate(chain[1]);
        using var root = X509CertificateLoader.LoadCertificate(chain[2]);
        Assert.Equal("Intel SGX PCK Certificate", leaf.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal("Intel SGX PCK Processor CA", ca.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal("Intel SGX Root CA", root.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal(TestVectors.ReadAllBytes("dcap-qvl-sample", "TrustedRootCA.der"), chain[2]);
    }

    [Fact]
    public void ForPckCertChainDer_DcapQvlSgxChain_ReproducesQuoteCertificationData()
    {
        var original = Quote.Parse(SgxQuote).SignatureData.CertificationData;

        var rebuilt = CertificationData.ForPckCertChainDer(original.GetPckCertChainDer());

        Assert.Equal(CertificationDataType.PckCertChain, rebuilt.Type);
        Assert.Equal(original.Data, rebuilt.Data);
    }

    [Fact]
    public void ForPckCertChain_DcapQvlSgxPemText_ReproducesQuoteCertificationData()
    {
        var original = Quote.Parse(SgxQuote).SignatureData.CertificationData;
        var pem = Encoding.ASCII.GetString(original.Data.AsSpan(0, original.Data.Length - 1));

        Assert.Equal(original.Data, CertificationData.ForPckCertChain(pem).Data);
    }

    [Fact]
    public void Parse_DcapQvlSgxQuoteWithTrailingZeros_IgnoresTrailingBytes()
    {
        var original = SgxQuote;
        var padded = new byte[original.Length + 70];
        original.CopyTo(padded, 0);

        var quote = Quote.Parse(padded);

        Assert.Equal(4600, quote.Length);
        Assert.Equal(original, quote.ToArray());
    }

    [Fact]
    public void TryGetLength_ZeroPaddedAesmBuffer_ReturnsRealLength()
    {
        var padded = new byte[8192];
        SgxQuote.CopyTo(padded, 0);

        Assert.True(Quote.TryGetLength(padded, out var length));
        Assert.Equal(4600, length);
    }

    [Fact]
    public void Parse_IntelQvlQuoteDat_MatchesVectorReadme()
    {
        var quote = Quote.Parse(QvlQuote);

        Assert.Equal(1054, quote.Length);
        Assert.Equal(0, quote.Header.QeSvn);
        Assert.Equal(3, quote.Header.PceSvn);
        Assert.Equal("ef8f440cf9a1b29e378f44ede54fb29b3b263edf", Hex.ToHex(quote.Header.UserData));
        Assert.Equal(new ReportBody().ToArray(), quote.Body.ToArray());
        Assert.Equal(618, quote.SignatureData.Length);
        Assert.Empty(quote.SignatureData.QeAuthData);
        Assert.Equal(CertificationDataType.PpidCleartext, quote.SignatureData.CertificationData.Type);
        Assert.Equal(34, quote.SignatureData.CertificationData.Data.Length);
        var qeReport = quote.SignatureData.QeReport;
        Assert.Equal(AttestationKeyId.IntelQe3MrSigner.ToArray(), qeReport.MrSigner);
        Assert.Equal(1, qeReport.IsvProdId);
        Assert.Equal(1, qeReport.IsvSvn);
        Assert.Equal("70c8cbf48bd76eab9c8126ce95e96c90", Hex.ToHex(qeReport.Attributes.ToBytes()));
        Assert.Equal(0x8cb182d1u, qeReport.MiscSelect);
        Assert.Equal("00030000000101000000000000000000", Hex.ToHex(qeReport.CpuSvn));
    }

    [Fact]
    public void GetPpidCertificationData_IntelQvlQuoteDat_IsOld34ByteForm()
    {
        var ppid = Quote.Parse(QvlQuote).SignatureData.CertificationData.GetPpidCertificationData();

        Assert.Equal("8461863bb7ece31f64c8e9b77fd31cad", Hex.ToHex(ppid.EncryptedOrPlainPpid));
        Assert.Equal("00030000000101000000000000000000", Hex.ToHex(ppid.CpuSvn));
        Assert.Equal(3, ppid.PceSvn);
        Assert.Null(ppid.PceId);
    }

    [Fact]
    public void ToArray_IntelQvlQuoteDat_ReproducesFileBytes()
    {
        var bytes = QvlQuote;

        Assert.Equal(bytes, Quote.Parse(bytes).ToArray());
    }

    [Fact]
    public void Parse_DcapQvlTdxQuote_ThrowsUnsupportedVersion()
    {
        var tdx = TestVectors.ReadAllBytes("dcap-qvl-sample", "tdx_quote");

        var ex = Assert.Throws<QuoteFormatException>(() => Quote.Parse(tdx));

        Assert.Equal(QuoteFormatError.UnsupportedVersion, ex.Reason);
    }
}

internal static class SgxAttributesTestExtensions
{
    public static byte[] ToBytes(this SgxAttributes attributes)
    {
        var bytes = new byte[SgxAttributes.Size];
        attributes.Write(bytes);
        return bytes;
    }
}
