using System.Text;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Verification.Tests;

/// <summary>Hostile or broken input: always a typed failure with step and reason, never an exception or a "verified".</summary>
public sealed class BadInputTests
{
    private static readonly QuoteVerifier s_verifier = Vectors.IntelVerifier();

    [Theory]
    [InlineData(0)]
    [InlineData(47)]
    [InlineData(48)]
    [InlineData(436)]
    [InlineData(1019)]
    [InlineData(1052)]
    [InlineData(4599)]
    public void TruncatedQuote_QuoteTooShort(int length)
    {
        var result = s_verifier.Verify(Vectors.SgxQuote.AsSpan(0, length), Vectors.SgxCollateral, Vectors.At(Vectors.SgxTime));

        Assert.Equal(VerificationStep.ParseQuote, result.FailedStep);
        Assert.Equal(VerificationFailureReason.QuoteTooShort, result.FailureReason);
    }

    [Fact]
    public void EveryTruncation_NeverThrowsNeverVerifies()
    {
        var quote = Vectors.SgxQuote;
        var collateral = Vectors.SgxCollateral;
        for (var length = 0; length < quote.Length; length += 13)
        {
            var result = s_verifier.Verify(quote.AsSpan(0, length), collateral, Vectors.At(Vectors.SgxTime));
            Assert.False(result.IsVerified);
        }
    }

    [Fact]
    public void OversizedQuote_QuoteTooLong()
    {
        var result = s_verifier.Verify(new byte[QuoteLimits.MaxQuoteLength + 1], Vectors.SgxCollateral, Vectors.At(Vectors.SgxTime));

        Assert.Equal(VerificationFailureReason.QuoteTooLong, result.FailureReason);
    }

    [Fact]
    public void TrailingBytes_Ignored()
    {
        var result = s_verifier.Verify([.. Vectors.SgxQuote, .. new byte[70]], Vectors.SgxCollateral, Vectors.At(Vectors.SgxTime));

        Assert.True(result.IsVerified);
    }

    [Fact]
    public void CertificationDataTypeSix_InV3_UnknownCertificationDataType()
    {
        var quote = Vectors.SgxQuote;
        quote[1046] = 6;

        Assert.Equal(VerificationFailureReason.UnknownCertificationDataType,
            s_verifier.Verify(quote, Vectors.SgxCollateral, Vectors.At(Vectors.SgxTime)).FailureReason);
    }

    [Fact]
    public void PemChainWithJunk_PckChainMalformed()
    {
        var pki = TestPki.Create();
        var pem = string.Concat(pki.Chain.Select(TestPki.Pem)) + "junk\n";
        var result = pki.Verify(collateral: pki.Collateral with { PckCertificateChain = pem });

        Assert.Equal(VerificationStep.ExtractPckChain, result.FailedStep);
        Assert.Equal(VerificationFailureReason.PckChainMalformed, result.FailureReason);
    }

    [Fact]
    public void PemChainWithNineCertificates_TooManyCertificates()
    {
        var pki = TestPki.Create();
        var nine = Enumerable.Repeat(TestPki.Pem(pki.Root), 9);
        var data = new CertificationData(CertificationDataType.PckCertChain, Encoding.ASCII.GetBytes(string.Concat(nine) + "\0"));

        var result = pki.Verify(pki.QuoteV3(data));

        Assert.Equal(VerificationStep.ExtractPckChain, result.FailedStep);
        Assert.Equal(VerificationFailureReason.PckChainTooManyCertificates, result.FailureReason);
    }

    [Fact]
    public void TwoCertificateChain_PckChainIncomplete()
    {
        var pki = TestPki.Create();
        var result = pki.Verify(collateral: pki.Collateral with { PckCertificateChain = TestPki.Pem(pki.Pck) + TestPki.Pem(pki.Root) });

        Assert.Equal(VerificationFailureReason.PckChainIncomplete, result.FailureReason);
    }

    [Fact]
    public void ChainInAnyOrder_IdentifiedBySubjectAndIssuer()
    {
        var pki = TestPki.Create();
        var result = pki.Verify(collateral: pki.Collateral with { PckCertificateChain = TestPki.Pem(pki.Root) + TestPki.Pem(pki.Pck) + TestPki.Pem(pki.Ca) });

        Assert.True(result.IsVerified, $"{result.FailedStep} {result.FailureReason}");
    }

    [Fact]
    public void SignedButMalformedTcbInfo_TcbInfoMalformed()
    {
        // Signed correctly by the wrong-content test: "fmspc" of 5 bytes.
        var pki = TestPki.Create(new PkiKnobs { TcbInfoFmspc = "00906ED500" });
        var result = pki.Verify();

        Assert.Equal(VerificationStep.TcbInfo, result.FailedStep);
        Assert.Equal(VerificationFailureReason.TcbInfoMalformed, result.FailureReason);
    }

    [Fact]
    public void GarbageCrl_RootCrlMalformed()
    {
        var result = s_verifier.Verify(Vectors.SgxQuote, Vectors.SgxCollateral with { RootCaCrl = [0x30, 0x03, 0x02, 0x01] }, Vectors.At(Vectors.SgxTime));

        Assert.Equal(VerificationStep.Crls, result.FailedStep);
        Assert.Equal(VerificationFailureReason.RootCrlMalformed, result.FailureReason);
    }

    [Fact]
    public void IssuerChainWithJunk_SigningChainInvalid()
    {
        var collateral = Vectors.SgxCollateral;
        var result = s_verifier.Verify(Vectors.SgxQuote, collateral with { TcbInfoIssuerChain = "garbage" + collateral.TcbInfoIssuerChain }, Vectors.At(Vectors.SgxTime));

        Assert.Equal(VerificationStep.TcbInfo, result.FailedStep);
        Assert.Equal(VerificationFailureReason.SigningChainInvalid, result.FailureReason);
    }

    [Fact]
    public void TdxCollateralForSgxQuote_TcbInfoUnsupportedOrMismatch()
    {
        var result = s_verifier.Verify(Vectors.SgxQuote, Vectors.TdxCollateral, Vectors.At(Vectors.SgxTime));

        // The TDX collateral's PCK CRL is the Platform CA's: the quote's Processor CA did not issue it.
        Assert.Equal(VerificationStep.Crls, result.FailedStep);
        Assert.Equal(VerificationFailureReason.CrlIssuerMismatch, result.FailureReason);
    }
}
