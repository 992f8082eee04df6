using System.Security.Cryptography;
using System.Text;
using QuoteHelper.Sgx.Simulation;

namespace QuoteHelper.Sgx.Tests.Simulation;

/// <summary>The simulated EREPORT / report-key derivation documented in docs/simulated-platform.md.</summary>
public sealed class SimulatedReportKeyTests
{
    private static readonly SimulatedCpu s_cpu = new(
        Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        Enumerable.Repeat((byte)0xAB, 32).ToArray(),
        [11, 11, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    private static TargetInfo Target(byte fill) => new()
    {
        MrEnclave = Enumerable.Repeat(fill, 32).ToArray(),
        Attributes = new SgxAttributes(SgxAttributeFlags.Initted | SgxAttributeFlags.Mode64Bit | SgxAttributeFlags.ProvisionKey, 0xE7),
        MiscSelect = 0,
    };

    [Fact]
    public void Derive_MatchesTheDocumentedFormula()
    {
        var target = Target(0x5A);
        target.ConfigSvn = 0x0102;
        target.MiscSelect = 0x0A0B0C0D;
        var keyId = s_cpu.ReportKeyId;

        // Written out from docs/simulated-platform.md, independently of the implementation.
        var input = new List<byte>(Encoding.ASCII.GetBytes("QuoteHelper simulated report key v1"));
        input.AddRange(target.MrEnclave);
        input.AddRange(Hex.FromHex("1500000000000000e700000000000000"));
        input.AddRange([0x0D, 0x0C, 0x0B, 0x0A]);
        input.AddRange([0x02, 0x01]);
        input.AddRange(new byte[64]);
        input.AddRange(keyId);
        var expected = HMACSHA256.HashData(s_cpu.ReportSecret, input.ToArray())[..16];

        Assert.Equal(expected, SimulatedReportKey.Derive(s_cpu.ReportSecret, target, keyId));
    }

    [Fact]
    public void CreateReport_ForTarget_VerifiesForThatTargetOnly()
    {
        var body = new ReportBody { MrEnclave = Enumerable.Repeat((byte)0x11, 32).ToArray() };
        var report = SimulatedReportKey.CreateReport(s_cpu, body, Target(1)).ToArray();

        Assert.True(SimulatedReportKey.Verify(s_cpu.ReportSecret, Target(1), report));
        Assert.False(SimulatedReportKey.Verify(s_cpu.ReportSecret, Target(2), report));
        Assert.Equal(s_cpu.ReportKeyId, report.AsSpan(Report.KeyIdOffset, 32).ToArray());
    }

    [Theory]
    [InlineData(0)]      // cpu_svn
    [InlineData(64)]     // mr_enclave
    [InlineData(320)]    // report_data
    [InlineData(383)]    // last body byte
    [InlineData(384)]    // key_id: changes the derived key
    [InlineData(431)]    // mac
    public void Verify_OneByteTampered_IsFalse(int offset)
    {
        var report = SimulatedReportKey.CreateReport(s_cpu, new ReportBody(), Target(1)).ToArray();
        report[offset] ^= 0x80;

        Assert.False(SimulatedReportKey.Verify(s_cpu.ReportSecret, Target(1), report));
        using var verifier = new SimulatedReportVerifier(s_cpu.ReportSecret, Target(1));
        Assert.False(verifier.Verify(report));
    }

    [Theory]
    [InlineData("attributes")]
    [InlineData("miscselect")]
    [InlineData("configsvn")]
    [InlineData("configid")]
    public void Verify_TargetIdentityFieldDiffers_IsFalse(string field)
    {
        var report = SimulatedReportKey.CreateReport(s_cpu, new ReportBody(), Target(1)).ToArray();
        var other = Target(1);
        switch (field)
        {
            case "attributes": other.Attributes = other.Attributes with { Xfrm = 0x3 }; break;
            case "miscselect": other.MiscSelect = 1; break;
            case "configsvn": other.ConfigSvn = 1; break;
            default: other.ConfigId[0] = 1; break;
        }

        Assert.False(SimulatedReportKey.Verify(s_cpu.ReportSecret, other, report));
    }

    [Fact]
    public void Verify_OtherPlatformSecret_IsFalse()
    {
        var report = SimulatedReportKey.CreateReport(s_cpu, new ReportBody(), Target(1)).ToArray();
        var otherSecret = (byte[])s_cpu.ReportSecret.Clone();
        otherSecret[0] ^= 1;

        Assert.False(SimulatedReportKey.Verify(otherSecret, Target(1), report));
    }

    [Fact]
    public void Verifier_ManyKeyIdsAndThreads_AgreesWithUncachedVerify()
    {
        using var verifier = new SimulatedReportVerifier(s_cpu.ReportSecret, Target(1));
        var reports = Enumerable.Range(0, 8).Select(i =>
        {
            var cpu = s_cpu with { ReportKeyId = Enumerable.Repeat((byte)i, 32).ToArray() };
            var report = SimulatedReportKey.CreateReport(cpu, new ReportBody(), Target(i % 2 == 0 ? (byte)1 : (byte)2)).ToArray();
            return (report, valid: i % 2 == 0);
        }).ToArray();

        Parallel.For(0, 2000, i =>
        {
            var (report, valid) = reports[i % reports.Length];
            Assert.Equal(valid, verifier.Verify(report));
        });
    }

    [Theory]
    [InlineData(431)]
    [InlineData(433)]
    [InlineData(0)]
    public void Verify_WrongLength_IsFalse(int length)
    {
        Assert.False(SimulatedReportKey.Verify(s_cpu.ReportSecret, Target(1), new byte[length]));
        using var verifier = new SimulatedReportVerifier(s_cpu.ReportSecret, Target(1));
        Assert.False(verifier.Verify(new byte[length]));
    }
}
