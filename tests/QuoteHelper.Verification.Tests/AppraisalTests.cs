using System.Text;
using QuoteHelper.Verification.Policy;

namespace QuoteHelper.Verification.Tests;

/// <summary>Each appraisal rule on the real sgx_quote result (isvprodid 0, isvsvn 0, "Hello, world!" report data).</summary>
public sealed class AppraisalTests
{
    private static readonly VerificationResult s_result =
        Vectors.IntelVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, Vectors.At(Vectors.SgxTime));

    private static readonly byte[] s_mrEnclave = Convert.FromHexString("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
    private static readonly byte[] s_mrSigner = Convert.FromHexString("815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");

    private static AppraisalRule? Rule(AppraisalPolicy policy, VerificationResult? result = null) => Appraisal.Appraise(result ?? s_result, policy).RejectedBy;

    [Fact]
    public void AllExpectationsMet_Accepted()
    {
        var policy = new AppraisalPolicy
        {
            ExpectedMrEnclave = s_mrEnclave,
            ExpectedMrSigner = s_mrSigner,
            ExpectedIsvProdId = 0,
            MinimumIsvSvn = 0,
            ExpectedReportData = Encoding.ASCII.GetBytes("Hello, world!"),
            MaxCollateralAge = TimeSpan.FromDays(31),
        };

        Assert.True(Appraisal.Appraise(s_result, policy).Accepted);
    }

    [Fact]
    public void OtherMrEnclave_MrEnclaveMismatch() => Assert.Equal(AppraisalRule.MrEnclaveMismatch, Rule(new() { ExpectedMrEnclave = new byte[32] }));

    [Fact]
    public void OtherMrSigner_MrSignerMismatch() => Assert.Equal(AppraisalRule.MrSignerMismatch, Rule(new() { ExpectedMrSigner = new byte[32] }));

    [Fact]
    public void OtherProdId_IsvProdIdMismatch() => Assert.Equal(AppraisalRule.IsvProdIdMismatch, Rule(new() { ExpectedIsvProdId = 1 }));

    [Fact]
    public void SvnBelowMinimum_IsvSvnTooLow() => Assert.Equal(AppraisalRule.IsvSvnTooLow, Rule(new() { MinimumIsvSvn = 1 }));

    [Fact]
    public void OtherReportData_ReportDataMismatch() =>
        Assert.Equal(AppraisalRule.ReportDataMismatch, Rule(new() { ExpectedReportData = Encoding.ASCII.GetBytes("Hello, world?") }));

    [Fact]
    public void StatusNotAccepted_TcbStatusNotAccepted() =>
        Assert.Equal(AppraisalRule.TcbStatusNotAccepted, Rule(new() { AcceptedStatuses = new HashSet<TcbStatus> { TcbStatus.UpToDate } }));

    [Fact]
    public void DefaultStatuses_AcceptConfigurationAndSWHardeningNeeded() => Assert.Null(Rule(new()));

    [Fact]
    public void CollateralOlderThanMax_CollateralTooOld()
    {
        // Earliest issue: QE Identity 2025-06-19T10:01:18Z; t = 2025-07-19T10:01:17Z: just under 30 days.
        Assert.Equal(AppraisalRule.CollateralTooOld, Rule(new() { MaxCollateralAge = TimeSpan.FromDays(29) }));
        Assert.Null(Rule(new() { MaxCollateralAge = TimeSpan.FromDays(30) }));
    }

    [Fact]
    public void ExpiredCollateral_RejectedUnlessAllowed()
    {
        var expired = Vectors.IntelVerifier().Verify(Vectors.SgxQuote, Vectors.SgxCollateral, Vectors.At(1752919300));

        Assert.Equal(AppraisalRule.CollateralExpired, Rule(new(), expired));
        Assert.Null(Rule(new() { AllowExpiredCollateral = true }, expired));
    }

    [Fact]
    public void DebugEnclave_RejectedUnlessAllowed()
    {
        var debug = TestPki.Create(new PkiKnobs { DebugEnclave = true }).Verify();

        Assert.True(debug.IsVerified);
        Assert.Equal(AppraisalRule.DebugEnclave, Rule(new(), debug));
        Assert.Null(Rule(new() { AllowDebug = true }, debug));
    }

    [Fact]
    public void NotVerified_NotVerified()
    {
        var quote = Vectors.SgxQuote;
        quote[100] ^= 1;
        var failed = Vectors.IntelVerifier().Verify(quote, Vectors.SgxCollateral, Vectors.At(Vectors.SgxTime));

        Assert.Equal(AppraisalRule.NotVerified, Rule(new(), failed));
    }
}
