using System.Text;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Verification.Tests;

/// <summary>The collateral model's JSON codec and PCS helpers (dcap-quote.md §5.3, §5.8, §5.10).</summary>
public sealed class CollateralJsonTests
{
    private static byte[] SgxJson => TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote_collateral.json");

    [Fact]
    public void Parse_Vector_KeepsInnerJsonBytesAndDecodesHex()
    {
        var collateral = QuoteCollateralJson.Parse(SgxJson);

        Assert.StartsWith("{\"id\":\"SGX\",\"version\":3,", Encoding.UTF8.GetString(collateral.TcbInfo), StringComparison.Ordinal);
        Assert.StartsWith("{\"id\":\"QE\",\"version\":2,", Encoding.UTF8.GetString(collateral.QeIdentity), StringComparison.Ordinal);
        Assert.Equal(64, collateral.TcbInfoSignature.Length);
        Assert.Equal(0x30, collateral.RootCaCrl[0]);
        Assert.Equal(0x30, collateral.PckCrl[0]);
        Assert.Null(collateral.PckCertificateChain);
    }

    [Fact]
    public void SerializeThenParse_RoundTripsEveryField()
    {
        var original = QuoteCollateralJson.Parse(SgxJson) with { PckCertificateChain = "-----BEGIN CERTIFICATE-----\n" };
        var again = QuoteCollateralJson.Parse(QuoteCollateralJson.Serialize(original));

        Assert.Equal(original.TcbInfo, again.TcbInfo);
        Assert.Equal(original.QeIdentity, again.QeIdentity);
        Assert.Equal(original.RootCaCrl, again.RootCaCrl);
        Assert.Equal(original.PckCrl, again.PckCrl);
        Assert.Equal(original.TcbInfoSignature, again.TcbInfoSignature);
        Assert.Equal(original.QeIdentitySignature, again.QeIdentitySignature);
        Assert.Equal(original.PckCrlIssuerChain, again.PckCrlIssuerChain);
        Assert.Equal(original.PckCertificateChain, again.PckCertificateChain);
    }

    [Fact]
    public void Parse_NumberArraysAndPemCrl_Accepted()
    {
        var collateral = QuoteCollateralJson.Parse(SgxJson);
        var pem = new string(System.Security.Cryptography.PemEncoding.Write("X509 CRL", collateral.PckCrl));
        var json = Encoding.UTF8.GetString(SgxJson)
            .Replace($"\"{Convert.ToHexStringLower(collateral.TcbInfoSignature)}\"", "[" + string.Join(",", collateral.TcbInfoSignature) + "]", StringComparison.OrdinalIgnoreCase)
            .Replace($"\"{Convert.ToHexStringLower(collateral.PckCrl)}\"", System.Text.Json.JsonSerializer.Serialize(pem), StringComparison.OrdinalIgnoreCase);

        var parsed = QuoteCollateralJson.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(collateral.TcbInfoSignature, parsed.TcbInfoSignature);
        Assert.Equal(collateral.PckCrl, parsed.PckCrl);
        Assert.NotEqual(SgxJson.Length, json.Length);
    }

    [Theory]
    [InlineData("not json", CollateralFormatError.MalformedJson)]
    [InlineData("[1,2]", CollateralFormatError.MalformedJson)]
    [InlineData("{}", CollateralFormatError.MissingField)]
    [InlineData("{\"pck_crl_issuer_chain\":1}", CollateralFormatError.WrongFieldType)]
    [InlineData("{\"pck_crl_issuer_chain\":\"a\",\"pck_crl_issuer_chain\":\"b\"}", CollateralFormatError.DuplicateField)]
    [InlineData("{\"pck_crl_issuer_chain\":\"a\",\"root_ca_crl\":\"3g\"}", CollateralFormatError.InvalidBytes)]
    [InlineData("{\"pck_crl_issuer_chain\":\"a\",\"root_ca_crl\":\"4142\"}", CollateralFormatError.InvalidCrlEncoding)]
    [InlineData("{\"pck_crl_issuer_chain\":\"a\",\"root_ca_crl\":[48,256]}", CollateralFormatError.InvalidBytes)]
    public void Parse_Malformed_TypedReason(string json, CollateralFormatError reason)
    {
        var e = Assert.Throws<CollateralFormatException>(() => QuoteCollateralJson.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void Parse_SignatureOfWrongLength_InvalidSignatureLength()
    {
        var collateral = QuoteCollateralJson.Parse(SgxJson);
        var json = Encoding.UTF8.GetString(SgxJson).Replace(Convert.ToHexStringLower(collateral.QeIdentitySignature), "00ff", StringComparison.OrdinalIgnoreCase);

        var e = Assert.Throws<CollateralFormatException>(() => QuoteCollateralJson.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(CollateralFormatError.InvalidSignatureLength, e.Reason);
    }

    [Fact]
    public void Parse_DocumentAtCapPlusOne_DocumentTooLarge()
    {
        var e = Assert.Throws<CollateralFormatException>(() => QuoteCollateralJson.Parse(new byte[CollateralLimits.MaxDocumentLength + 1]));
        Assert.Equal(CollateralFormatError.DocumentTooLarge, e.Reason);
    }

    [Fact]
    public void ReadSignedBody_QvlTcbInfo_KeepsExactRawBytes()
    {
        var body = TestVectors.ReadAllBytes("intel-qvl-sampledata", "tcbInfo.json");
        var text = Encoding.UTF8.GetString(body);
        var start = text.IndexOf("{\"tcbInfo\":", StringComparison.Ordinal) + "{\"tcbInfo\":".Length;
        var end = text.IndexOf(",\"signature\":\"", StringComparison.Ordinal);

        var (value, signature) = PcsCollateral.ReadSignedBody(body, PcsCollateral.TcbInfoMember);

        Assert.Equal(text[start..end], Encoding.UTF8.GetString(value));
        Assert.Equal(64, signature.Length);
    }

    [Fact]
    public void ReadSignedBody_WhitespaceInsideValue_Preserved()
    {
        var body = Encoding.UTF8.GetBytes("{ \"tcbInfo\" : { \"a\" : 1 ,\"b\":\"\\u002b\" } , \"signature\" : \"" + new string('0', 128) + "\" }");

        var (value, _) = PcsCollateral.ReadSignedBody(body, PcsCollateral.TcbInfoMember);

        Assert.Equal("{ \"a\" : 1 ,\"b\":\"\\u002b\" }", Encoding.UTF8.GetString(value));
    }

    [Fact]
    public void WriteSignedBody_ThenRead_SameBytes()
    {
        var collateral = QuoteCollateralJson.Parse(SgxJson);
        var body = PcsCollateral.TcbInfoBody(collateral);

        var (value, signature) = PcsCollateral.ReadSignedBody(body, PcsCollateral.TcbInfoMember);

        Assert.Equal(collateral.TcbInfo, value);
        Assert.Equal(collateral.TcbInfoSignature, signature);
    }

    [Fact]
    public void CrlEncoding_DerPemHex_SameDer()
    {
        var der = TestVectors.ReadAllBytes("intel-qvl-sampledata", "rootCaCrl.der");

        Assert.Equal(der, CrlEncoding.ToDer(der));
        Assert.Equal(der, CrlEncoding.ToDer(TestVectors.ReadAllBytes("intel-qvl-sampledata", "rootCaCrl.pem")));
        Assert.Equal(der, CrlEncoding.ToDer(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(der))));
    }

    [Fact]
    public void CrlEncoding_AboveCap_FieldTooLarge()
    {
        var e = Assert.Throws<CollateralFormatException>(() => CrlEncoding.ToDer(new byte[(2 * CollateralLimits.MaxCrlLength) + 1025]));
        Assert.Equal(CollateralFormatError.FieldTooLarge, e.Reason);
    }

    [Fact]
    public void DecodeIssuerChainHeader_UrlEncodedPem()
    {
        Assert.Equal("-----BEGIN CERTIFICATE-----\nAB+/=\n", PcsCollateral.DecodeIssuerChainHeader("-----BEGIN%20CERTIFICATE-----%0AAB%2B%2F%3D%0A"));
    }
}
