using System.Text.Json;

namespace QuoteHelper.Verification.Tests;

/// <summary>
/// Platform TCB level matching (dcap-quote.md §5.5) on the six TCB Info v2 levels of Intel's QVL sample data, re-signed
/// by the test PKI; the PCK certificate's TCB is changed to hit each level (vectors/README.md §2).
/// </summary>
public sealed class TcbMatchingTests
{
    private static (byte[] Components, int PceSvn, string Status, string[] Advisories)[] QvlLevels()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(TestVectors.Path("intel-qvl-sampledata", "tcbInfo.json")));
        return [.. document.RootElement.GetProperty("tcbInfo").GetProperty("tcbLevels").EnumerateArray().Select(level =>
        {
            var tcb = level.GetProperty("tcb");
            var components = Enumerable.Range(1, 16).Select(i => (byte)tcb.GetProperty($"sgxtcbcomp{i:D2}svn").GetInt32()).ToArray();
            return (components, tcb.GetProperty("pcesvn").GetInt32(), level.GetProperty("tcbStatus").GetString()!, Array.Empty<string>());
        })];
    }

    private static byte[] Tcb(params byte[] first) => [.. first, .. new byte[16 - first.Length]];

    public static TheoryData<byte[], ushort, TcbStatus> Rows => new()
    {
        { Tcb(0, 3, 0, 0, 0, 1, 1), 3, TcbStatus.UpToDate },
        { Tcb(9, 9, 9, 9, 9, 9, 9, 9), 9, TcbStatus.UpToDate },
        { Tcb(0, 3, 0, 0, 0, 1, 0), 3, TcbStatus.ConfigurationNeeded },
        { Tcb(0, 3, 0, 0, 0, 1, 1), 2, TcbStatus.OutOfDate }, // PCESVN 2 skips the two pcesvn-3 levels
        { Tcb(0, 2, 0, 0, 0, 1, 1), 2, TcbStatus.OutOfDate },
        { Tcb(0, 2, 0, 0, 0, 1, 0), 2, TcbStatus.OutOfDateConfigurationNeeded },
        { Tcb(0, 2, 0, 0, 0, 1, 0), 9, TcbStatus.OutOfDateConfigurationNeeded },
        { Tcb(0, 0, 0, 0, 0, 0, 0), 0, TcbStatus.OutOfDate },
        { Tcb(0, 1, 0, 0, 0, 1, 0), 0, TcbStatus.OutOfDate }, // PCESVN 0 below the Revoked level's 1
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void PckTcb_MatchesExpectedLevel(byte[] components, ushort pceSvn, TcbStatus expected)
    {
        var result = TestPki.Create(new PkiKnobs { TcbInfoVersion = 2, TcbLevels = QvlLevels(), PckComponents = components, PckPceSvn = pceSvn }).Verify();

        Assert.True(result.IsVerified, $"{result.FailedStep} {result.FailureReason} {result.FailureDetail}");
        Assert.Equal(expected, result.PlatformTcbStatus);
        Assert.Equal(expected, result.Status);
    }

    [Fact]
    public void PckTcb_AtRevokedLevel_RevokedIsTerminal()
    {
        var result = TestPki.Create(new PkiKnobs { TcbInfoVersion = 2, TcbLevels = QvlLevels(), PckComponents = Tcb(0, 1, 0, 0, 0, 1, 0), PckPceSvn = 1 }).Verify();

        Assert.Equal(TcbStatus.Revoked, result.Status);
        Assert.Equal(VerificationStep.Result, result.FailedStep);
        Assert.Equal(VerificationFailureReason.TcbRevoked, result.FailureReason);
    }

    [Fact]
    public void LevelsInReverseJsonOrder_SameMatch()
    {
        // QVL orders levels itself (§5.5 step 2); npm dcap-qvl 0.3.9 would take JSON order and answer OutOfDate here.
        var reversed = QvlLevels().Reverse().ToArray();
        var result = TestPki.Create(new PkiKnobs { TcbInfoVersion = 3, TcbLevels = reversed, PckComponents = Tcb(0, 3, 0, 0, 0, 1, 1), PckPceSvn = 3 }).Verify();

        Assert.Equal(TcbStatus.UpToDate, result.Status);
    }

    [Fact]
    public void PckTcbNotQuoteHeader_IsUsedForMatching()
    {
        // The quote header's PCE SVN and the ISV body's CPUSVN are not the certified TCB (§3.8); the PCK's are.
        var pki = TestPki.Create(new PkiKnobs { PckComponents = Tcb(1, 1, 1, 1, 1, 1, 1, 1), PckPceSvn = 5 });
        var result = pki.Verify();

        Assert.Equal(TcbStatus.OutOfDate, result.PlatformTcbStatus);
        Assert.Equal(["INTEL-SA-00001"], result.AdvisoryIds);
    }
}
