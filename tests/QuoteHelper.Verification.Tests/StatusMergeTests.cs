namespace QuoteHelper.Verification.Tests;

/// <summary>Intel's merge of QE and platform status (dcap-quote.md §5.7, QVL convergeTcbStatusWithQeTcbStatus): each row.</summary>
public sealed class StatusMergeTests
{
    [Theory]
    [InlineData(TcbStatus.OutOfDate, TcbStatus.UpToDate, TcbStatus.OutOfDate)]
    [InlineData(TcbStatus.OutOfDate, TcbStatus.SWHardeningNeeded, TcbStatus.OutOfDate)]
    [InlineData(TcbStatus.OutOfDate, TcbStatus.ConfigurationNeeded, TcbStatus.OutOfDateConfigurationNeeded)]
    [InlineData(TcbStatus.OutOfDate, TcbStatus.ConfigurationAndSWHardeningNeeded, TcbStatus.OutOfDateConfigurationNeeded)]
    [InlineData(TcbStatus.OutOfDate, TcbStatus.OutOfDate, TcbStatus.OutOfDate)]
    [InlineData(TcbStatus.OutOfDate, TcbStatus.OutOfDateConfigurationNeeded, TcbStatus.OutOfDateConfigurationNeeded)]
    [InlineData(TcbStatus.OutOfDate, TcbStatus.Revoked, TcbStatus.Revoked)]
    [InlineData(TcbStatus.Revoked, TcbStatus.UpToDate, TcbStatus.Revoked)]
    [InlineData(TcbStatus.Revoked, TcbStatus.ConfigurationNeeded, TcbStatus.Revoked)]
    [InlineData(TcbStatus.UpToDate, TcbStatus.UpToDate, TcbStatus.UpToDate)]
    [InlineData(TcbStatus.UpToDate, TcbStatus.SWHardeningNeeded, TcbStatus.SWHardeningNeeded)]
    [InlineData(TcbStatus.UpToDate, TcbStatus.ConfigurationNeeded, TcbStatus.ConfigurationNeeded)]
    [InlineData(TcbStatus.UpToDate, TcbStatus.ConfigurationAndSWHardeningNeeded, TcbStatus.ConfigurationAndSWHardeningNeeded)]
    [InlineData(TcbStatus.UpToDate, TcbStatus.OutOfDate, TcbStatus.OutOfDate)]
    [InlineData(TcbStatus.UpToDate, TcbStatus.Revoked, TcbStatus.Revoked)]
    public void Merge_IntelTableRow(TcbStatus qe, TcbStatus platform, TcbStatus expected) =>
        Assert.Equal(expected, QuoteVerifier.Merge(qe, platform));

    [Fact]
    public void EndToEnd_QeOutOfDatePlatformConfigurationNeeded_OutOfDateConfigurationNeededWithPlatformAdvisoriesOnly()
    {
        // dcap-qvl's max-severity rule would say OutOfDate and add the QE level's INTEL-SA-00615 (§7.3).
        var pki = TestPki.Create(new PkiKnobs
        {
            QeSvn = 6,
            TcbLevels = [([2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0], 10, "ConfigurationNeeded", ["INTEL-SA-00100"])],
        });

        var result = pki.Verify();

        Assert.True(result.IsVerified, $"{result.FailedStep} {result.FailureReason} {result.FailureDetail}");
        Assert.Equal(TcbStatus.OutOfDate, result.QeTcbStatus);
        Assert.Equal(TcbStatus.ConfigurationNeeded, result.PlatformTcbStatus);
        Assert.Equal(TcbStatus.OutOfDateConfigurationNeeded, result.Status);
        Assert.Equal(["INTEL-SA-00100"], result.AdvisoryIds);
    }

    [Fact]
    public void EndToEnd_QeRevoked_Revoked()
    {
        var result = TestPki.Create(new PkiKnobs { QeSvn = 6, QeLevels = [(8, "UpToDate", []), (6, "Revoked", [])] }).Verify();

        Assert.Equal(TcbStatus.Revoked, result.Status);
        Assert.Equal(VerificationFailureReason.TcbRevoked, result.FailureReason);
    }
}
