using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Verification.Tests;

/// <summary>Every vector gives exactly its expected result at its evaluation time (vectors/README.md).</summary>
public sealed class VectorTests
{
    [Fact]
    public void SgxQuote_AtEvaluationTime_ConfigurationAndSWHardeningNeededWithBothAdvisories()
    {
        var result = Vectors.IntelVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, Vectors.At(Vectors.SgxTime));

        Assert.True(result.IsVerified, $"{result.FailedStep} {result.FailureReason} {result.FailureDetail}");
        Assert.Equal(TcbStatus.ConfigurationAndSWHardeningNeeded, result.Status);
        Assert.Equal(TcbStatus.ConfigurationAndSWHardeningNeeded, result.PlatformTcbStatus);
        Assert.Equal(TcbStatus.UpToDate, result.QeTcbStatus);
        Assert.Equal(["INTEL-SA-00289", "INTEL-SA-00615"], result.AdvisoryIds);
        Assert.False(result.CollateralExpired);
        Assert.Equal("00A067110000", Convert.ToHexString(result.Fmspc!));
        Assert.Equal(17, result.TcbEvaluationDataNumber);
        Assert.Equal("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb", Hex.ToHex(result.EnclaveReport!.MrEnclave));
    }

    [Fact]
    public void QvlSampleData_TestRootAndSeparateChain_UpToDateNoAdvisories()
    {
        var result = Vectors.QvlVerifier().Verify(Vectors.QvlQuote, Vectors.QvlCollateral, Vectors.At(Vectors.QvlTime));

        Assert.True(result.IsVerified, $"{result.FailedStep} {result.FailureReason} {result.FailureDetail}");
        Assert.Equal(TcbStatus.UpToDate, result.Status);
        Assert.Empty(result.AdvisoryIds);
        Assert.False(result.CollateralExpired);
        Assert.Equal(CertificationDataType.PpidCleartext, result.Quote!.CertificationData.Type);
        Assert.Equal("00707F000000", Convert.ToHexString(result.Fmspc!));
    }

    [Fact]
    public void TdxQuote_AtEvaluationTime_PassesSteps1To13ThenStopsAtTdxTcbEvaluation()
    {
        // Full TDX TCB evaluation (TEE TCB SVN, TDX module identity) is out of scope: the pipeline says so at step 14
        // after the PCK chain, CRLs, TCB Info, QE Identity, QE report signature and quote signature all passed.
        var result = Vectors.IntelVerifier().Verify(Vectors.TdxQuote, Vectors.TdxCollateral, Vectors.At(Vectors.TdxTime));

        Assert.Equal(VerificationStep.PlatformTcbLevel, result.FailedStep);
        Assert.Equal(VerificationFailureReason.TdxTcbEvaluationNotSupported, result.FailureReason);
        Assert.Equal(TcbStatus.UpToDate, result.QeTcbStatus);
        Assert.False(result.CollateralExpired);
        Assert.Equal("B0C06F000000", Convert.ToHexString(result.Fmspc!));
        Assert.Equal(4936, result.Quote!.Length);
    }

    [Fact]
    public void SgxQuote_AfterQeIdentityNextUpdate_IntelSemanticsKeepStatusAndFlagExpiry()
    {
        var result = Vectors.IntelVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, Vectors.At(1752919300));

        Assert.True(result.IsVerified);
        Assert.Equal(TcbStatus.ConfigurationAndSWHardeningNeeded, result.Status);
        Assert.Equal(["INTEL-SA-00289", "INTEL-SA-00615"], result.AdvisoryIds);
        Assert.True(result.CollateralExpired);
    }

    [Fact]
    public void SgxQuote_AfterQeIdentityNextUpdate_StrictFailsAtQeIdentityStep()
    {
        var result = Vectors.IntelVerifier(strict: true).Verify(Vectors.SgxQuote, Vectors.SgxCollateral, Vectors.At(1752919300));

        Assert.Equal(VerificationStep.QeIdentity, result.FailedStep);
        Assert.Equal(VerificationFailureReason.QeIdentityExpired, result.FailureReason);
    }

    [Fact]
    public void SgxQuote_AtEvaluationTime_StrictAlsoVerifies()
    {
        var result = Vectors.IntelVerifier(strict: true).Verify(Vectors.SgxQuote, Vectors.SgxCollateral, Vectors.At(Vectors.SgxTime));

        Assert.True(result.IsVerified, $"{result.FailedStep} {result.FailureReason} {result.FailureDetail}");
        Assert.Equal(TcbStatus.ConfigurationAndSWHardeningNeeded, result.Status);
    }

    [Fact]
    public void SgxQuote_WithQvlTestRoot_FailsAtTrustAnchor()
    {
        var result = Vectors.QvlVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, Vectors.At(Vectors.SgxTime));

        Assert.Equal(VerificationStep.TrustAnchor, result.FailedStep);
        Assert.Equal(VerificationFailureReason.UntrustedRoot, result.FailureReason);
    }

    [Fact]
    public void QvlSampleData_WithIntelRoot_FailsAtTrustAnchor()
    {
        var result = Vectors.IntelVerifier().Verify(Vectors.QvlQuote, Vectors.QvlCollateral, Vectors.At(Vectors.QvlTime));

        Assert.Equal(VerificationStep.TrustAnchor, result.FailedStep);
    }

    [Fact]
    public void QvlSampleData_AfterTcbSignerExpiry_IntelFlagsStrictFails()
    {
        var at = Vectors.At(1788000000); // 2026-08-29, after the TCB Signing certificate's notAfter
        var intel = Vectors.QvlVerifier().Verify(Vectors.QvlQuote, Vectors.QvlCollateral, at);
        var strict = new QuoteVerifier(new QuoteVerifierOptions { TrustedRootDer = Vectors.QvlRootDer, StrictExpiry = true })
            .Verify(Vectors.QvlQuote, Vectors.QvlCollateral, at);

        Assert.True(intel.IsVerified);
        Assert.Equal(TcbStatus.UpToDate, intel.Status);
        Assert.True(intel.CollateralExpired);
        Assert.Equal(VerificationStep.TcbInfo, strict.FailedStep);
        Assert.Equal(VerificationFailureReason.TcbInfoExpired, strict.FailureReason);
    }

    [Fact]
    public void SgxQuote_TypeOneWithoutSuppliedChain_FailsAtExtractPckChain()
    {
        var result = Vectors.QvlVerifier().Verify(Vectors.QvlQuote, Vectors.QvlCollateral with { PckCertificateChain = null }, Vectors.At(Vectors.QvlTime));

        Assert.Equal(VerificationStep.ExtractPckChain, result.FailedStep);
        Assert.Equal(VerificationFailureReason.PckChainMissing, result.FailureReason);
    }

    [Fact]
    public void SgxQuote_VerifiedTwice_SameResultFromWarmCaches()
    {
        var verifier = Vectors.IntelVerifier();
        var collateral = Vectors.SgxCollateral;
        var first = verifier.Verify(Vectors.SgxQuote, collateral, Vectors.At(Vectors.SgxTime));
        var second = verifier.Verify(Vectors.SgxQuote, collateral, Vectors.At(Vectors.SgxTime));

        Assert.Equal(first.Status, second.Status);
        Assert.Equal(first.AdvisoryIds, second.AdvisoryIds);
        Assert.True(second.IsVerified);
    }
}
