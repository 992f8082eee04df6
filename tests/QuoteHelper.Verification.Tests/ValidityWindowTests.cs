using System.Text;
using System.Text.Json.Nodes;
using QuoteHelper.Verification.Collateral;
using QuoteHelper.Verification.Policy;

namespace QuoteHelper.Verification.Tests;

/// <summary>
/// Issue 8: which collateral item expired (and when) is part of the result and of the policy's rejection; the strict
/// time option rejects an evaluation time before notBefore / issueDate / thisUpdate, which Intel's rules accept;
/// a whole PCS body pasted into <c>tcb_info</c> / <c>qe_identity</c> is split with its exact signed bytes.
/// </summary>
public sealed class ValidityWindowTests
{
    // sgx_quote's collateral: PCK CRL thisUpdate 2025-06-19T10:23:18Z, TCB Info issueDate 2025-06-19T10:56:11Z,
    // QE Identity nextUpdate 2025-07-19T10:01:18Z (vectors/README.md).
    private static readonly DateTimeOffset s_afterQeIdentity = Vectors.At(1752919300);
    private static readonly DateTimeOffset s_beforeTcbInfoIssue = DateTimeOffset.Parse("2025-06-19T10:30:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly DateTimeOffset s_beforePckCrl = DateTimeOffset.Parse("2025-06-19T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static QuoteVerifier StrictTimeVerifier() => new(new QuoteVerifierOptions { StrictValidityStart = true });

    [Fact]
    public void ExpiredQeIdentity_ResultNamesTheItemAndItsEnd()
    {
        var result = Vectors.IntelVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, s_afterQeIdentity);

        Assert.True(result.CollateralExpired);
        var issue = Assert.Single(result.ExpiredCollateral);
        Assert.Equal(CollateralItem.QeIdentity, issue.Item);
        Assert.Equal("QE Identity", issue.Name);
        Assert.Equal(DateTimeOffset.Parse("2025-07-19T10:01:18Z", System.Globalization.CultureInfo.InvariantCulture), issue.ValidUntil);
        Assert.False(issue.NotYetValid);
        Assert.Equal("QE Identity expired at 2025-07-19T10:01:18Z", issue.ToString());
    }

    [Fact]
    public void ExpiredQeIdentity_PolicyRejectionNamesTheItem()
    {
        var result = Vectors.IntelVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, s_afterQeIdentity);

        var appraisal = Appraisal.Appraise(result, new AppraisalPolicy());

        Assert.Equal(AppraisalRule.CollateralExpired, appraisal.RejectedBy);
        Assert.Equal("collateral outside its validity at 2025-07-19T10:01:40Z: QE Identity expired at 2025-07-19T10:01:18Z.", appraisal.Detail);
    }

    [Fact]
    public void InsideEveryWindow_NoExpiredItems()
    {
        var result = Vectors.IntelVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, Vectors.At(Vectors.SgxTime));

        Assert.False(result.CollateralExpired);
        Assert.Empty(result.ExpiredCollateral);
    }

    [Fact]
    public void QvlSampleAfterTcbSignerExpiry_BothSignerUsesNamed()
    {
        var result = Vectors.QvlVerifier().Verify(Vectors.QvlQuote, Vectors.QvlCollateral, Vectors.At(1788000000));

        Assert.Equal(
            [
                "TCB Info signer certificate 'Intel SGX TCB Signing' expired at 2026-08-28T11:36:55Z",
                "QE Identity signer certificate 'Intel SGX TCB Signing' expired at 2026-08-28T11:36:55Z",
            ],
            result.ExpiredCollateral.Select(i => i.ToString()));
        Assert.Equal([CollateralItem.TcbInfoSigningCertificate, CollateralItem.QeIdentitySigningCertificate], result.ExpiredCollateral.Select(i => i.Item));
    }

    [Fact]
    public void BeforeTcbInfoIssueDate_IntelAcceptsStrictTimeRejectsAtStep6()
    {
        var intel = Vectors.IntelVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, s_beforeTcbInfoIssue);
        var strict = StrictTimeVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, s_beforeTcbInfoIssue);

        Assert.True(intel.IsVerified);
        Assert.False(intel.CollateralExpired);
        Assert.Equal(VerificationStep.TcbInfo, strict.FailedStep);
        Assert.Equal(VerificationFailureReason.TcbInfoNotYetValid, strict.FailureReason);
        Assert.Equal("TCB Info not valid before 2025-06-19T10:56:11Z (t = 2025-06-19T10:30:00Z).", strict.FailureDetail);
    }

    [Fact]
    public void BeforePckCrlThisUpdate_IntelFlagsTheCrlStrictTimeRejectsAtStep4()
    {
        var intel = Vectors.IntelVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, s_beforePckCrl);
        var strict = StrictTimeVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, s_beforePckCrl);

        Assert.True(intel.IsVerified);
        var issue = Assert.Single(intel.ExpiredCollateral);
        Assert.Equal(CollateralItem.PckCrl, issue.Item);
        Assert.True(issue.NotYetValid);
        Assert.Equal(VerificationStep.Crls, strict.FailedStep);
        Assert.Equal(VerificationFailureReason.CrlNotYetValid, strict.FailureReason);
    }

    [Fact]
    public void StrictTimeAfterExpiry_KeepsIntelExpirySemantics()
    {
        var result = StrictTimeVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, s_afterQeIdentity);

        Assert.True(result.IsVerified);
        Assert.True(result.CollateralExpired);
    }

    [Fact]
    public void WholeTcbInfoAndQeIdentityBodiesPasted_SplitWithExactBytesAndVerify()
    {
        var original = Vectors.SgxCollateral;
        var json = JsonNode.Parse(TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote_collateral.json"))!.AsObject();
        json["tcb_info"] = Encoding.UTF8.GetString(PcsCollateral.TcbInfoBody(original));
        json["qe_identity"] = Encoding.UTF8.GetString(PcsCollateral.QeIdentityBody(original));
        json.Remove("tcb_info_signature");
        json.Remove("qe_identity_signature");

        var pasted = QuoteCollateralJson.Parse(Encoding.UTF8.GetBytes(json.ToJsonString()));
        var result = Vectors.IntelVerifier().Verify(Vectors.SgxQuote, pasted, Vectors.At(Vectors.SgxTime));

        Assert.Equal(original.TcbInfo, pasted.TcbInfo);
        Assert.Equal(original.TcbInfoSignature, pasted.TcbInfoSignature);
        Assert.Equal(original.QeIdentity, pasted.QeIdentity);
        Assert.Equal(original.QeIdentitySignature, pasted.QeIdentitySignature);
        Assert.Equal(TcbStatus.ConfigurationAndSWHardeningNeeded, result.Status);
    }

    [Fact]
    public void WholeBodyAsJsonObject_RawBytesKept()
    {
        // The body pasted as a JSON object rather than a string: the inner value keeps its raw bytes, so it verifies.
        var body = Encoding.UTF8.GetString(TestVectors.ReadAllBytes("intel-qvl-sampledata", "tcbInfo.json"));
        var json = JsonNode.Parse(QuoteCollateralJson.Serialize(Vectors.QvlCollateral))!.AsObject().ToJsonString();
        json = json.Replace("\"tcb_info\":", "\"tcb_info\":" + body + ",\"old_tcb_info\":", StringComparison.Ordinal);

        var pasted = QuoteCollateralJson.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(Vectors.QvlCollateral.TcbInfo, pasted.TcbInfo);
        Assert.True(Vectors.QvlVerifier().Verify(Vectors.QvlQuote, pasted, Vectors.At(Vectors.QvlTime)).IsVerified);
    }

    [Fact]
    public void WholeBodyWithADifferentSeparateSignature_Rejected()
    {
        var original = Vectors.SgxCollateral;
        var json = JsonNode.Parse(TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote_collateral.json"))!.AsObject();
        json["tcb_info"] = Encoding.UTF8.GetString(PcsCollateral.TcbInfoBody(original));
        json["tcb_info_signature"] = new string('0', 128);

        var e = Assert.Throws<CollateralFormatException>(() => QuoteCollateralJson.Parse(Encoding.UTF8.GetBytes(json.ToJsonString())));

        Assert.Equal(CollateralFormatError.InvalidSignedJson, e.Reason);
        Assert.Equal("Collateral member 'tcb_info' holds a whole PCS body whose signature differs from 'tcb_info_signature'.", e.Message);
    }

    [Fact]
    public void QeIdentityBodyInTcbInfo_RejectedWithWhichBody()
    {
        var original = Vectors.SgxCollateral;
        var json = JsonNode.Parse(TestVectors.ReadAllBytes("dcap-qvl-sample", "sgx_quote_collateral.json"))!.AsObject();
        json["tcb_info"] = Encoding.UTF8.GetString(PcsCollateral.QeIdentityBody(original));

        var e = Assert.Throws<CollateralFormatException>(() => QuoteCollateralJson.Parse(Encoding.UTF8.GetBytes(json.ToJsonString())));

        Assert.Equal(CollateralFormatError.InvalidSignedJson, e.Reason);
        Assert.Equal("Collateral member 'tcb_info' holds a PCS body with 'enclaveIdentity'; it needs the 'tcbInfo' body.", e.Message);
    }
}
