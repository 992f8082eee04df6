using System.Text.Json;

namespace QuoteHelper.Cli.Tests;

/// <summary><c>verify</c>, <c>bench verify</c> and <c>inspect</c> of v4 quotes, as processes (docs/verification.md, docs/cli.md).</summary>
public sealed class VerifyCliTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private static string Quote => TestVectors.Path("dcap-qvl-sample", "sgx_quote");
    private static string Collateral => TestVectors.Path("dcap-qvl-sample", "sgx_quote_collateral.json");

    [Fact]
    public void Verify_SgxVectorAtItsTime_Json_Exit0WithStatusAndAdvisories()
    {
        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", "1752919277", "--json");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("ConfigurationAndSWHardeningNeeded", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(["INTEL-SA-00289", "INTEL-SA-00615"], json.RootElement.GetProperty("advisoryIds").EnumerateArray().Select(e => e.GetString()));
        Assert.False(json.RootElement.GetProperty("collateralExpired").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("failedStep").ValueKind);
    }

    [Fact]
    public void Verify_PolicyRejects_Exit1WithRule()
    {
        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", "1752919277", "--json", "--accept-status", "UpToDate");

        Assert.True(code == 1, output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("TcbStatusNotAccepted", json.RootElement.GetProperty("rejectedBy").GetString());
    }

    [Fact]
    public void Verify_StrictAfterQeIdentityExpiry_Exit2WithStep7()
    {
        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", "1752919300", "--json", "--strict-expiry");

        Assert.True(code == 2, output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(7, json.RootElement.GetProperty("failedStep").GetInt32());
        Assert.Equal("QeIdentityExpired", json.RootElement.GetProperty("reason").GetString());
    }

    [Theory] // The exit codes docs/cli.md lists for verify besides 0/1/2 (issue 8 found 64 and 65 undocumented).
    [InlineData(64, "--collateral is missing", "")]
    [InlineData(64, "bad hex", "--mrenclave zz")]
    [InlineData(65, "a file that does not exist", "--root /nonexistent/root.der")]
    public void Verify_UsageAndMissingFile_ExitCodesOfTheDocs(int expected, string why, string extra)
    {
        string[] arguments = why.StartsWith("--collateral", StringComparison.Ordinal)
            ? ["verify", Quote]
            : ["verify", Quote, "--collateral", Collateral, .. extra.Split(' ')];

        var (code, output) = CliProcess.Run(s_timeout, arguments);

        Assert.True(code == expected, $"{why}: exit {code}\n{output}");
        Assert.Contains("quote-helper", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_QvlSampleWithTestRootAndSeparateChain_Exit0UpToDate()
    {
        using var temp = new TempDirectory();
        string Qvl(string name) => TestVectors.Path("intel-qvl-sampledata", name);
        var chain = temp.Combine("chain.pem");
        File.WriteAllText(chain, File.ReadAllText(Qvl("pckCert.pem")) + File.ReadAllText(Qvl("pckSignChain.pem")));
        var collateral = temp.Combine("collateral.json");
        File.WriteAllBytes(collateral, Verification.Collateral.QuoteCollateralJson.Serialize(Verification.Collateral.PcsCollateral.FromPcsResponses(
            File.ReadAllText(Qvl("pckSignChain.pem")), File.ReadAllBytes(Qvl("rootCaCrl.der")), File.ReadAllBytes(Qvl("intermediateCaCrl.der")),
            File.ReadAllText(Qvl("tcbSignChain.pem")), File.ReadAllBytes(Qvl("tcbInfo.json")),
            File.ReadAllText(Qvl("tcbSignChain.pem")), File.ReadAllBytes(Qvl("qeIdentity.json")))));

        var (code, output) = CliProcess.Run(s_timeout, "verify", Qvl("quote.dat"), "--collateral", collateral, "--root", Qvl("trustedRootCaCert.pem"),
            "--pck-chain", chain, "--at", "1704067200", "--json");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("UpToDate", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("advisoryIds").GetArrayLength());
    }

    [Fact]
    public void Verify_MalformedCollateral_Exit2WithReason()
    {
        using var temp = new TempDirectory();
        var collateral = temp.Combine("bad.json");
        File.WriteAllText(collateral, "{not json");

        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", collateral, "--at", "1752919277");

        Assert.True(code == 2, output);
        Assert.StartsWith("NOT VERIFIED: step 0 (ReadInputs), reason InputMalformed: collateral (MalformedJson): Collateral is not well-formed JSON", output, StringComparison.Ordinal);
        Assert.Contains("\nstatus: null\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MalformedCollateral_Json_HasEveryMemberOfAResult()
    {
        using var temp = new TempDirectory();
        var collateral = temp.Combine("bad.json");
        File.WriteAllText(collateral, "{not json");
        var (_, good) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", "1752919277", "--json");

        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", collateral, "--at", "1752919277", "--json");

        Assert.True(code == 2, output);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        using var reference = JsonDocument.Parse(good);
        // Every member a verification result has, except those describing a quote that was never read.
        var expected = reference.RootElement.EnumerateObject().Select(p => p.Name).Except(["quoteVersion", "teeType", "report"]);
        Assert.Equal(expected, root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("status").ValueKind);
        Assert.Equal(0, root.GetProperty("failedStep").GetInt32());
        Assert.Equal("ReadInputs", root.GetProperty("failedStepName").GetString());
        Assert.Equal("InputMalformed", root.GetProperty("reason").GetString());
        Assert.Equal("NotVerified", root.GetProperty("rejectedBy").GetString());
        Assert.Equal(1752919277, root.GetProperty("evaluationTime").GetInt64());
    }

    [Theory]
    [InlineData("1752919277")]
    [InlineData("2025-07-19T10:01:17Z")]
    [InlineData("2025-07-19t10:01:17.000z")]
    [InlineData("2025-07-19T12:01:17+02:00")]
    public void Verify_AtAsUnixSecondsOrRfc3339_SameInstant(string at)
    {
        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", at, "--json");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(1752919277, json.RootElement.GetProperty("evaluationTime").GetInt64());
    }

    [Theory]
    [InlineData("2025-07-19T10:01:17", "--at '2025-07-19T10:01:17' has no offset: add Z for UTC (or +hh:mm).")]
    [InlineData("yesterday", "--at 'yesterday' is not a time: give Unix seconds (1752919277) or an RFC 3339 time with an offset (2025-07-19T10:01:17Z, 2025-07-19T12:01:17+02:00).")]
    [InlineData("99999999999999999", "--at '99999999999999999' is out of range: Unix seconds from -62135596800 to 253402300799.")]
    public void Verify_AtNotATime_Exit64WithTheAcceptedForms(string at, string message)
    {
        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", at);

        Assert.True(code == 64, output);
        Assert.Contains("quote-helper: " + message, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ExpiredQeIdentity_RejectionNamesTheItemAndWhen()
    {
        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", "1752919300", "--json");
        var (textCode, text) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", "1752919300");

        Assert.True(code == 1, output);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("CollateralExpired", root.GetProperty("rejectedBy").GetString());
        const string Detail = "collateral outside its validity at 2025-07-19T10:01:40Z: QE Identity expired at 2025-07-19T10:01:18Z.";
        Assert.Equal(Detail, root.GetProperty("policyDetail").GetString());
        var item = Assert.Single(root.GetProperty("expiredCollateral").EnumerateArray());
        Assert.Equal("QeIdentity", item.GetProperty("item").GetString());
        Assert.Equal("QE Identity", item.GetProperty("name").GetString());
        Assert.Equal("2025-06-19T10:01:18Z", item.GetProperty("validFrom").GetString());
        Assert.Equal("2025-07-19T10:01:18Z", item.GetProperty("validUntil").GetString());
        Assert.Equal("expired", item.GetProperty("problem").GetString());
        Assert.Equal(1, textCode);
        Assert.StartsWith($"REJECTED BY POLICY: genuine, status ConfigurationAndSWHardeningNeeded; rule CollateralExpired: {Detail}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_BeforeTcbInfoIssueDate_AcceptedByDefaultRejectedWithStrictTime()
    {
        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", "2025-06-19T10:30:00Z", "--json");
        var (strictCode, strict) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", "2025-06-19T10:30:00Z", "--json", "--strict-time");

        Assert.True(code == 0, output);
        Assert.True(strictCode == 2, strict);
        using var json = JsonDocument.Parse(strict);
        Assert.Equal(6, json.RootElement.GetProperty("failedStep").GetInt32());
        Assert.Equal("TcbInfoNotYetValid", json.RootElement.GetProperty("reason").GetString());
        Assert.Equal("TCB Info not valid before 2025-06-19T10:56:11Z (t = 2025-06-19T10:30:00Z).", json.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public void Docs_VerifyJsonMembersAndCollateralItems_MatchTheCode()
    {
        var cli = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "cli.md"));
        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", "1752919277", "--json");
        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);

        // verify's paragraph: "`--json` prints one object: `verified`, … `report`." (it may wrap over several lines).
        var start = cli.IndexOf("`--json` prints one object: `verified`", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/cli.md lacks verify's `--json` prints one object: `verified`… sentence");
        var sentence = cli[start..cli.IndexOf("`.", start, StringComparison.Ordinal)].Split("one object:")[1] + "`";
        Assert.Equal(json.RootElement.EnumerateObject().Select(p => p.Name), Backticked(sentence));
        var items = cli[(cli.IndexOf("(items: ", StringComparison.Ordinal) + 8)..];
        Assert.Equal(Enum.GetNames<Verification.CollateralItem>(), Backticked(items[..items.IndexOf(')', StringComparison.Ordinal)]));
    }

    private static IEnumerable<string> Backticked(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, "`([A-Za-z]+)`").Select(m => m.Groups[1].Value);

    [Fact]
    public void Verify_Json_ApostrophesStayReadable()
    {
        var (code, output) = CliProcess.Run(s_timeout, "verify", Quote, "--collateral", Collateral, "--at", "1752919277", "--json",
            "--root", TestVectors.Path("intel-qvl-sampledata", "trustedRootCaCert.pem"));

        Assert.True(code == 2, output);
        // Both roots are called 'Intel SGX Root CA' (Intel's test root has the real one's name), so the detail adds each
        // key's fingerprint.
        Assert.Contains("\"detail\": \"chain root 'Intel SGX Root CA' (key SHA-256 a0af031289f5d5d4) is not the trusted root 'Intel SGX Root CA' (key SHA-256 6a3b29fc4ae6ef0e).\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("UntrustedRoot", json.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void BenchVerify_Json_HasRateAndReference()
    {
        var (code, output) = CliProcess.Run(s_timeout, "bench", "verify", Quote, "--collateral", Collateral, "--at", "1752919277", "--seconds", "0.3", "--json");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("verificationsPerSecond").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("referenceVerifiesPerSecond").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("verified").GetBoolean());
    }

    [Fact]
    public void BenchVerify_WithDcapQvl_ReportsBothRatesFromOneRun()
    {
        var directory = DcapQvlPackage.EnsureInstalled();
        Assert.True(directory is not null, $"npm @phala/dcap-qvl is not installed: run {DcapQvlPackage.InstallScript} (CI's .ci/run does).");

        var (code, output) = CliProcess.Run(s_timeout, "bench", "verify", Quote, "--collateral", Collateral, "--at", "1752919277",
            "--root", TestVectors.Path("dcap-qvl-sample", "TrustedRootCA.der"), "--seconds", "0.5", "--dcap-qvl", directory, "--json");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        var result = json.RootElement;
        Assert.Equal("ConfigurationAndSWHardeningNeeded", result.GetProperty("dcapQvlStatus").GetString());
        Assert.True(result.GetProperty("dcapQvlVerifications").GetInt64() > 0);
        // Both printed rates are rounded to 0.1/s, so their quotient matches the printed ratio only to about 1 %.
        var expected = result.GetProperty("verificationsPerSecond").GetDouble() / result.GetProperty("dcapQvlVerificationsPerSecond").GetDouble();
        Assert.InRange(result.GetProperty("timesFasterThanDcapQvl").GetDouble(), expected * 0.99, expected * 1.01);
    }

    [Fact]
    public void BenchVerify_DcapQvlDirectoryWithoutThePackage_Exit78()
    {
        using var empty = new TempDirectory();

        var (code, output) = CliProcess.Run(s_timeout, "bench", "verify", Quote, "--collateral", Collateral, "--at", "1752919277",
            "--seconds", "0.1", "--dcap-qvl", empty.Path);

        Assert.True(code == 78, output);
        Assert.Contains("install.sh", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_TdxQuote_ShowsTdReportFields()
    {
        var (code, output) = CliProcess.Run(s_timeout, "inspect", TestVectors.Path("dcap-qvl-sample", "tdx_quote"), "--json");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(4, json.RootElement.GetProperty("header").GetProperty("version").GetInt32());
        Assert.Equal(4936, json.RootElement.GetProperty("length").GetInt32());
        Assert.StartsWith("91eb2b44", json.RootElement.GetProperty("reportBody").GetProperty("mrTd").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, json.RootElement.GetProperty("certificates").GetArrayLength());
    }
}
