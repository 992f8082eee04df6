using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Cli.Tests;

/// <summary>
/// <c>collateral import</c> (issue 8, point 5): separate PCS/PCCS responses in, the collateral JSON of
/// <c>verify --collateral</c> out, signed bytes kept exactly — on the real vectors (docs/collateral.md §7).
/// </summary>
public sealed class CollateralImportCliTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Qvl(string name) => TestVectors.Path("intel-qvl-sampledata", name);

    private static string Sample(string name) => TestVectors.Path("dcap-qvl-sample", name);

    [Fact]
    public void Import_QvlSampleFromItsSeparateFiles_VerifiesUpToDateAsTheExistingTests()
    {
        var collateral = _temp.Combine("collateral.json");

        var (code, output) = CliProcess.Run(s_timeout, "collateral", "import",
            "--tcb-info", Qvl("tcbInfo.json"), "--tcb-info-issuer-chain", Qvl("tcbSignChain.pem"),
            "--qe-identity", Qvl("qeIdentity.json"), "--qe-identity-issuer-chain", Qvl("tcbSignChain.pem"),
            "--pck-crl", Qvl("intermediateCaCrl.der"), "--pck-crl-issuer-chain", Qvl("pckSignChain.pem"),
            "--root-ca-crl", Qvl("rootCaCrl.der"),
            "--pck-chain", Qvl("pckCert.pem"), "--pck-chain", Qvl("pckSignChain.pem"),
            "--out", collateral);

        Assert.True(code == 0, output);
        Assert.Equal(
            "quote-helper collateral import: TCB Info v2 for FMSPC 00707F000000 (issued 2019-09-05T07:47:07Z, next update 2029-09-05T07:47:07Z), " +
            $"QE Identity QE (next update 2029-09-05T07:47:08Z), with a PCK chain -> {collateral} (not verified yet: run verify).",
            output.Trim());

        // The signed values are exactly the bytes between the member name and ",\"signature\"" of each body.
        var imported = QuoteCollateralJson.Parse(File.ReadAllBytes(collateral));
        Assert.Equal(SignedBytes(Qvl("tcbInfo.json"), "tcbInfo"), imported.TcbInfo);
        Assert.Equal(SignedBytes(Qvl("qeIdentity.json"), "enclaveIdentity"), imported.QeIdentity);
        Assert.Equal(File.ReadAllBytes(Qvl("rootCaCrl.der")), imported.RootCaCrl);
        Assert.Equal(File.ReadAllBytes(Qvl("intermediateCaCrl.der")), imported.PckCrl);

        // The expectation of VerifyCliTests / VectorTests for this sample: UpToDate, no advisories, nothing expired.
        var (verifyCode, verifyOutput) = CliProcess.Run(s_timeout, "verify", Qvl("quote.dat"), "--collateral", collateral,
            "--root", Qvl("trustedRootCaCert.pem"), "--at", "2024-01-01T00:00:00Z", "--json");
        Assert.True(verifyCode == 0, verifyOutput);
        using var json = JsonDocument.Parse(verifyOutput);
        Assert.Equal("UpToDate", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("advisoryIds").GetArrayLength());
        Assert.False(json.RootElement.GetProperty("collateralExpired").GetBoolean());
        Assert.Equal("00707F000000", json.RootElement.GetProperty("fmspc").GetString());
        Assert.Equal(1704067200, json.RootElement.GetProperty("evaluationTime").GetInt64());
    }

    [Fact]
    public void Import_DcapQvlSampleAsPcsServesIt_SameCollateralAndSameResult()
    {
        // Rebuild what Intel PCS and a PCCS served for sgx_quote: bodies {"tcbInfo":…,"signature":…}, the TCB Info
        // chain in a curl header dump (HTTP/2, lower-case names), the QE Identity chain as the raw header value, the
        // PCK CRL chain as PEM, the PCK CRL as PEM (PCS default), the root CRL as hex (PCCS rootcacrl).
        using var original = JsonDocument.Parse(File.ReadAllBytes(Sample("sgx_quote_collateral.json")));
        string Field(string name) => original.RootElement.GetProperty(name).GetString()!;
        var tcbBody = _temp.Combine("tcb.json");
        File.WriteAllText(tcbBody, $"{{\"tcbInfo\":{Field("tcb_info")},\"signature\":\"{Field("tcb_info_signature")}\"}}");
        var qeBody = _temp.Combine("qe.json");
        File.WriteAllText(qeBody, $"{{\"enclaveIdentity\":{Field("qe_identity")},\"signature\":\"{Field("qe_identity_signature")}\"}}");
        var headers = _temp.Combine("tcb.headers");
        File.WriteAllText(headers, "HTTP/2 200\r\ncontent-type: application/json\r\n" +
            $"tcb-info-issuer-chain: {Uri.EscapeDataString(Field("tcb_info_issuer_chain"))}\r\nrequest-id: 0f3c\r\n\r\n");
        var crlChain = _temp.Combine("pckcrl-chain.pem");
        File.WriteAllText(crlChain, Field("pck_crl_issuer_chain"));
        var pckCrl = _temp.Combine("pckcrl.pem");
        File.WriteAllText(pckCrl, new string(PemEncoding.Write("X509 CRL", Convert.FromHexString(Field("pck_crl")))));
        var rootCrl = _temp.Combine("rootcacrl.hex");
        File.WriteAllText(rootCrl, Field("root_ca_crl"));
        var collateral = _temp.Combine("collateral.json");

        var (code, output) = CliProcess.Run(s_timeout, "collateral", "import",
            "--tcb-info", tcbBody, "--tcb-info-issuer-chain", headers,
            "--qe-identity", qeBody, "--qe-identity-issuer-chain", Uri.EscapeDataString(Field("qe_identity_issuer_chain")),
            "--pck-crl", pckCrl, "--pck-crl-issuer-chain", crlChain, "--root-ca-crl", rootCrl, "--out", collateral);

        Assert.True(code == 0, output);
        var expected = QuoteCollateralJson.Serialize(QuoteCollateralJson.Parse(File.ReadAllBytes(Sample("sgx_quote_collateral.json"))));
        Assert.Equal(Encoding.UTF8.GetString(expected), File.ReadAllText(collateral));
        Assert.Equal(VerifyStatus(Sample("sgx_quote_collateral.json")), VerifyStatus(collateral));
        Assert.Equal("0 ConfigurationAndSWHardeningNeeded INTEL-SA-00289,INTEL-SA-00615", VerifyStatus(collateral));
    }

    [Fact]
    public void Import_BodiesSwapped_Exit65NamesTheOption()
    {
        var (code, output) = CliProcess.Run(s_timeout, "collateral", "import",
            "--tcb-info", Qvl("qeIdentity.json"), "--tcb-info-issuer-chain", Qvl("tcbSignChain.pem"),
            "--qe-identity", Qvl("tcbInfo.json"),
            "--pck-crl", Qvl("intermediateCaCrl.der"), "--pck-crl-issuer-chain", Qvl("pckSignChain.pem"),
            "--root-ca-crl", Qvl("rootCaCrl.der"), "--out", _temp.Combine("c.json"));

        Assert.True(code == 65, output);
        Assert.Equal("quote-helper import: --tcb-info: MissingField: Body has no 'tcbInfo' member.", output.Trim());
        Assert.False(File.Exists(_temp.Combine("c.json")));
    }

    [Fact]
    public void Import_ChainNeitherFileNorHeaderValue_Exit65()
    {
        var (code, output) = CliProcess.Run(s_timeout, "collateral", "import",
            "--tcb-info", Qvl("tcbInfo.json"), "--tcb-info-issuer-chain", "tcbSignChian.pem",
            "--qe-identity", Qvl("qeIdentity.json"),
            "--pck-crl", Qvl("intermediateCaCrl.der"), "--pck-crl-issuer-chain", Qvl("pckSignChain.pem"),
            "--root-ca-crl", Qvl("rootCaCrl.der"), "--out", _temp.Combine("c.json"));

        Assert.True(code == 65, output);
        Assert.Equal("quote-helper import: --tcb-info-issuer-chain: 'tcbSignChian.pem' is not a file, nor a URL-encoded PEM chain.", output.Trim());
    }

    [Fact]
    public void Import_MissingRequiredOption_Exit64()
    {
        var (code, output) = CliProcess.Run(s_timeout, "collateral", "import", "--tcb-info", Qvl("tcbInfo.json"), "--out", _temp.Combine("c.json"));

        Assert.True(code == 64, output);
        Assert.Contains("--root-ca-crl", output, StringComparison.Ordinal);
    }

    private static byte[] SignedBytes(string bodyPath, string member)
    {
        var body = File.ReadAllText(bodyPath);
        var start = body.IndexOf($"{{\"{member}\":", StringComparison.Ordinal) + member.Length + 4;
        var end = body.LastIndexOf(",\"signature\"", StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(body[start..end]);
    }

    private static string VerifyStatus(string collateral)
    {
        var (code, output) = CliProcess.Run(s_timeout, "verify", Sample("sgx_quote"), "--collateral", collateral, "--at", "1752919277", "--json");
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        return $"{code} {root.GetProperty("status").GetString()} {string.Join(',', root.GetProperty("advisoryIds").EnumerateArray().Select(e => e.GetString()))}";
    }
}
