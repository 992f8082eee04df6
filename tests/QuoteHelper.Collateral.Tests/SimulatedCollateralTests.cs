using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using QuoteHelper.Collateral.Simulation;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Collateral.Tests;

public sealed class SimulatedCollateralTests(SimulatedPlatformFixture fixture)
{
    private static readonly DateTimeOffset s_at = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    public static TheoryData<string> Scenarios => new(CollateralScenario.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Create_EachScenario_SignaturesVerifyIndependentlyOverTheRawBytes(string name)
    {
        var collateral = SimulatedCollateral.Create(fixture.Platform, CollateralScenario.Parse(name), s_at);
        var tcbSigning = fixture.Platform.TcbSigningCertificate;

        Assert.True(IndependentChecks.VerifyRaw(tcbSigning, collateral.TcbInfo, collateral.TcbInfoSignature));
        Assert.True(IndependentChecks.VerifyRaw(tcbSigning, collateral.TcbInfoV2, collateral.TcbInfoV2Signature));
        Assert.True(IndependentChecks.VerifyRaw(tcbSigning, collateral.QeIdentity, collateral.QeIdentitySignature));

        var root = IndependentChecks.CheckCrl(collateral.RootCaCrl, fixture.Platform.RootCertificate);
        var pck = IndependentChecks.CheckCrl(collateral.PckCrl, fixture.Platform.PckCaCertificate);
        foreach (var crl in new[] { root, pck })
        {
            Assert.True(crl.SignatureValid);
            Assert.True(crl.IssuerMatches);
            Assert.Contains("2.5.29.20", crl.ExtensionOids); // CRL Number
            Assert.Contains("2.5.29.35", crl.ExtensionOids); // Authority Key Identifier
            Assert.Equal(collateral.IssueDate, crl.ThisUpdate);
        }

        Assert.Equal(collateral.NextUpdate, pck.NextUpdate);
        Assert.Equal(collateral.IssueDate + SimulatedCollateral.RootCrlValidity, root.NextUpdate);
        Assert.Empty(root.RevokedSerials);
        var pckSerial = IndependentChecks.Serial(fixture.Platform.PckCertificate);
        Assert.Equal(name == "Revoked", pck.RevokedSerials.Contains(pckSerial));
    }

    [Fact]
    public void Create_TcbInfo_HasIntelsFieldOrderCompactDatesAndPlatformIdentity()
    {
        var collateral = SimulatedCollateral.Create(fixture.Platform, CollateralScenario.UpToDate, s_at);
        var text = Encoding.UTF8.GetString(collateral.TcbInfo);

        using var document = JsonDocument.Parse(collateral.TcbInfo);
        Assert.Equal(["id", "version", "issueDate", "nextUpdate", "fmspc", "pceId", "tcbType", "tcbEvaluationDataNumber", "tcbLevels"],
            document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain(' ', text);
        Assert.DoesNotContain('\n', text);
        Assert.StartsWith("{\"id\":\"SGX\",\"version\":3,\"issueDate\":\"2027-01-15T07:00:00Z\",\"nextUpdate\":\"2027-02-14T07:00:00Z\"", text);
        Assert.Equal(Convert.ToHexString(fixture.Platform.PckExtension.Fmspc), document.RootElement.GetProperty("fmspc").GetString());
        Assert.Equal(collateral.NextUpdate - collateral.IssueDate, TimeSpan.FromDays(30));
        Assert.Equal(17, document.RootElement.GetProperty("tcbEvaluationDataNumber").GetInt32());

        using var qe = JsonDocument.Parse(collateral.QeIdentity);
        Assert.Equal(["id", "version", "issueDate", "nextUpdate", "tcbEvaluationDataNumber", "miscselect", "miscselectMask",
            "attributes", "attributesMask", "mrsigner", "isvprodid", "tcbLevels"], qe.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF", qe.RootElement.GetProperty("mrsigner").GetString());

        using var v2 = JsonDocument.Parse(collateral.TcbInfoV2);
        Assert.Equal(2, v2.RootElement.GetProperty("version").GetInt32());
        Assert.False(v2.RootElement.TryGetProperty("id", out _));
        Assert.Equal(17, v2.RootElement.GetProperty("tcbLevels")[0].GetProperty("tcb").EnumerateObject().Count());
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Create_EachScenario_LevelsSortedHighestFirstAndFirstMatchCarriesTheScenarioStatus(string name)
    {
        var scenario = CollateralScenario.Parse(name);
        var collateral = SimulatedCollateral.Create(fixture.Platform, scenario, s_at);
        var extension = fixture.Platform.PckExtension;

        using var document = JsonDocument.Parse(collateral.TcbInfo);
        var levels = document.RootElement.GetProperty("tcbLevels").EnumerateArray()
            .Select(l => (Components: l.GetProperty("tcb").GetProperty("sgxtcbcomponents").EnumerateArray().Select(c => c.GetProperty("svn").GetInt32()).ToArray(),
                Pce: l.GetProperty("tcb").GetProperty("pcesvn").GetInt32(), Status: l.GetProperty("tcbStatus").GetString()))
            .ToList();
        for (var i = 1; i < levels.Count; i++)
        {
            var order = levels[i - 1].Components.Zip(levels[i].Components, (a, b) => a.CompareTo(b)).FirstOrDefault(c => c != 0);
            Assert.True(order > 0 || (order == 0 && levels[i - 1].Pce > levels[i].Pce), $"level {i} is not below level {i - 1}");
        }

        var match = levels.First(l => l.Pce <= extension.PceSvn && l.Components.Select((svn, i) => svn <= extension.ComponentSvns[i]).All(b => b));
        Assert.Equal(scenario.PlatformStatus, match.Status);

        using var qe = JsonDocument.Parse(collateral.QeIdentity);
        var qeMatch = qe.RootElement.GetProperty("tcbLevels").EnumerateArray()
            .First(l => l.GetProperty("tcb").GetProperty("isvsvn").GetInt32() <= fixture.Platform.QeSvn);
        Assert.Equal(scenario.QeStatus, qeMatch.GetProperty("tcbStatus").GetString());
    }

    [Fact]
    public void Bodies_RoundTripThroughTheVerificationLibrary_ByteExact()
    {
        var collateral = SimulatedCollateral.Create(fixture.Platform, CollateralScenario.SWHardeningNeeded, s_at);

        var (tcbInfo, signature) = PcsCollateral.ReadSignedBody(collateral.TcbInfoBody, PcsCollateral.TcbInfoMember);
        Assert.Equal(collateral.TcbInfo, tcbInfo);
        Assert.Equal(collateral.TcbInfoSignature, signature);
        var json = QuoteCollateralJson.Serialize(collateral.ToQuoteCollateral());
        var parsed = QuoteCollateralJson.Parse(json);
        Assert.Equal(collateral.QeIdentity, parsed.QeIdentity);
        Assert.Equal(collateral.PckCrl, parsed.PckCrl);
        Assert.Equal(collateral.PckCaChain, parsed.PckCrlIssuerChain);
        Assert.Contains($"\"signature\":\"{Convert.ToHexStringLower(collateral.QeIdentitySignature)}\"", Encoding.UTF8.GetString(collateral.QeIdentityBody));
    }

    [Fact]
    public void Chains_AreSignerThenRoot()
    {
        var collateral = SimulatedCollateral.Create(fixture.Platform, CollateralScenario.UpToDate, s_at);
        using var tcb = X509CertificateLoader.LoadCertificate(PemEncoding.Find(collateral.TcbSigningChain) is var f ? Convert.FromBase64String(collateral.TcbSigningChain[f.Base64Data]) : []);
        Assert.Equal(fixture.Platform.TcbSigningCertificate.RawData, tcb.RawData);
        Assert.EndsWith(SimulatedCollateral.Pem(fixture.Platform.RootCertificate), collateral.TcbSigningChain, StringComparison.Ordinal);
        Assert.StartsWith(SimulatedCollateral.Pem(fixture.Platform.PckCaCertificate), collateral.PckCaChain, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uptodate", "UpToDate")]
    [InlineData("Platform=OutOfDate,Qe=Revoked,PckRevoked", "Platform=OutOfDate,Qe=Revoked,PckRevoked")]
    [InlineData("Platform=ConfigurationNeeded,Qe=OutOfDate", "ConfigurationNeededQeOutOfDate")]
    public void Parse_NamesAndCombinations_RoundTrip(string input, string name) =>
        Assert.Equal(name, CollateralScenario.Parse(input).Name);

    [Fact]
    public void Parse_Unknown_Throws() => Assert.Throws<ArgumentException>(() => CollateralScenario.Parse("Sunny"));
}
