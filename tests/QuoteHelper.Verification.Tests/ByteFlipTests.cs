namespace QuoteHelper.Verification.Tests;

/// <summary>
/// One-byte flips in each region of the real sgx_quote (dcap-quote.md §1.1, §1.4 offsets), each asserting which step
/// rejects it (house-style habit 13). Offsets are written out here, not taken from the parser.
/// </summary>
public sealed class ByteFlipTests
{
    private static readonly QuoteVerifier s_verifier = Vectors.IntelVerifier();
    private static readonly Collateral.QuoteCollateral s_collateral = Vectors.SgxCollateral;

    public static TheoryData<string, int, VerificationStep, VerificationFailureReason> Flips => new()
    {
        { "header version", 0, VerificationStep.ParseQuote, VerificationFailureReason.UnsupportedQuoteVersion },
        { "header att_key_type", 2, VerificationStep.ParseQuote, VerificationFailureReason.UnsupportedAttestationKeyType },
        { "header tee_type", 4, VerificationStep.ParseQuote, VerificationFailureReason.UnsupportedTeeType },
        { "header qe_svn", 8, VerificationStep.QuoteSignature, VerificationFailureReason.QuoteSignatureInvalid },
        { "header pce_svn", 10, VerificationStep.QuoteSignature, VerificationFailureReason.QuoteSignatureInvalid },
        { "header vendor id", 12, VerificationStep.ParseQuote, VerificationFailureReason.UnknownQeVendor },
        { "header user data", 47, VerificationStep.QuoteSignature, VerificationFailureReason.QuoteSignatureInvalid },
        { "body cpusvn", 48, VerificationStep.QuoteSignature, VerificationFailureReason.QuoteSignatureInvalid },
        { "body mrenclave", 112, VerificationStep.QuoteSignature, VerificationFailureReason.QuoteSignatureInvalid },
        { "body report data", 431, VerificationStep.QuoteSignature, VerificationFailureReason.QuoteSignatureInvalid },
        { "signature_data_len (declares one byte past the end)", 432, VerificationStep.ParseQuote, VerificationFailureReason.QuoteTooShort },
        { "signature r", 436, VerificationStep.QuoteSignature, VerificationFailureReason.QuoteSignatureInvalid },
        { "signature s", 499, VerificationStep.QuoteSignature, VerificationFailureReason.QuoteSignatureInvalid },
        { "attestation key X", 500, VerificationStep.QeReportData, VerificationFailureReason.QeReportDataMismatch },
        { "attestation key Y", 563, VerificationStep.QeReportData, VerificationFailureReason.QeReportDataMismatch },
        { "QE report cpusvn", 564, VerificationStep.QeReportSignature, VerificationFailureReason.QeReportSignatureInvalid },
        { "QE report mrsigner", 564 + 128, VerificationStep.QeReportSignature, VerificationFailureReason.QeReportSignatureInvalid },
        { "QE report data", 947, VerificationStep.QeReportSignature, VerificationFailureReason.QeReportSignatureInvalid },
        { "QE report signature r", 948, VerificationStep.QeReportSignature, VerificationFailureReason.QeReportSignatureInvalid },
        { "QE report signature s", 1011, VerificationStep.QeReportSignature, VerificationFailureReason.QeReportSignatureInvalid },
        { "auth data size", 1012, VerificationStep.ParseQuote, VerificationFailureReason.QuoteLengthInconsistent },
        { "auth data first", 1014, VerificationStep.QeReportData, VerificationFailureReason.QeReportDataMismatch },
        { "auth data last", 1045, VerificationStep.QeReportData, VerificationFailureReason.QeReportDataMismatch },
        { "cert data type (5 -> 4)", 1046, VerificationStep.ExtractPckChain, VerificationFailureReason.PckChainMissing },
        { "cert data size", 1048, VerificationStep.ParseQuote, VerificationFailureReason.QuoteLengthInconsistent },
        { "cert data PEM header", 1052, VerificationStep.ExtractPckChain, VerificationFailureReason.PckChainMalformed },
        { "cert data trailing NUL", 4599, VerificationStep.ExtractPckChain, VerificationFailureReason.PckChainMalformed },
    };

    [Theory]
    [MemberData(nameof(Flips))]
    public void FlipOneByte_RejectedByExpectedStep(string region, int offset, VerificationStep step, VerificationFailureReason reason)
    {
        var quote = Vectors.SgxQuote;
        quote[offset] ^= 0x01;

        var result = s_verifier.Verify(quote, s_collateral, Vectors.At(Vectors.SgxTime));

        Assert.False(result.IsVerified, region);
        Assert.Equal(step, result.FailedStep);
        Assert.Equal(reason, result.FailureReason);
    }

    [Fact]
    public void FlipEveryBodyByte_QuoteSignatureStep()
    {
        // The whole ISV body (48..431), every 7th byte: always the quote signature, never earlier or later.
        for (var offset = 48; offset < 432; offset += 7)
        {
            var quote = Vectors.SgxQuote;
            quote[offset] ^= 0x80;
            Assert.Equal(VerificationStep.QuoteSignature, s_verifier.Verify(quote, s_collateral, Vectors.At(Vectors.SgxTime)).FailedStep);
        }
    }

    [Fact]
    public void FlipEveryQeReportByte_QeReportSignatureStep()
    {
        for (var offset = 564; offset < 948; offset += 11)
        {
            var quote = Vectors.SgxQuote;
            quote[offset] ^= 0x80;
            Assert.Equal(VerificationStep.QeReportSignature, s_verifier.Verify(quote, s_collateral, Vectors.At(Vectors.SgxTime)).FailedStep);
        }
    }

    [Fact]
    public void FlipTcbInfoByte_TcbInfoSignatureStep()
    {
        var collateral = Vectors.SgxCollateral;
        var tcbInfo = (byte[])collateral.TcbInfo.Clone();
        tcbInfo[100] ^= 0x01;

        var result = s_verifier.Verify(Vectors.SgxQuote, collateral with { TcbInfo = tcbInfo }, Vectors.At(Vectors.SgxTime));

        Assert.Equal(VerificationStep.TcbInfo, result.FailedStep);
        Assert.Equal(VerificationFailureReason.TcbInfoSignatureInvalid, result.FailureReason);
    }

    [Fact]
    public void FlipQeIdentityByte_QeIdentitySignatureStep()
    {
        var collateral = Vectors.SgxCollateral;
        var identity = (byte[])collateral.QeIdentity.Clone();
        identity[50] ^= 0x01;

        var result = s_verifier.Verify(Vectors.SgxQuote, collateral with { QeIdentity = identity }, Vectors.At(Vectors.SgxTime));

        Assert.Equal(VerificationStep.QeIdentity, result.FailedStep);
        Assert.Equal(VerificationFailureReason.QeIdentitySignatureInvalid, result.FailureReason);
    }

    [Fact]
    public void FlipPckCrlSignatureByte_CrlsStep()
    {
        var collateral = Vectors.SgxCollateral;
        var crl = (byte[])collateral.PckCrl.Clone();
        crl[^5] ^= 0x01;

        var result = s_verifier.Verify(Vectors.SgxQuote, collateral with { PckCrl = crl }, Vectors.At(Vectors.SgxTime));

        Assert.Equal(VerificationStep.Crls, result.FailedStep);
    }
}
