using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using QuoteHelper.Client;
using QuoteHelper.Sgx;

namespace QuoteHelper.Cli.Tests;

/// <summary>The CLI as users and operators run it: real processes, real sockets, signals.</summary>
public sealed class CliTests : IDisposable
{
    private static readonly TimeSpan s_start = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _temp = new();

    private string SocketPath => _temp.Combine("run", "aesm.socket");

    private string StateDirectory => _temp.Combine("state");

    public void Dispose() => _temp.Dispose();

    private CliProcess StartDaemon(params string[] extra)
    {
        var daemon = CliProcess.Start(["daemon", "--socket", SocketPath, "--state-dir", StateDirectory, .. extra]);
        daemon.WaitForLine("quote-helper: listening on", s_start);
        return daemon;
    }

    private X509Certificate2 SimulationRoot()
    {
        using var state = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(StateDirectory, "platform.json")));
        var der = Convert.FromBase64String(state.RootElement.GetProperty("rootCa").GetProperty("certificate").GetString()!);
        return X509CertificateLoader.LoadCertificate(der);
    }

    [Fact]
    public void Daemon_Started_PrintsListeningWithThePathAndDrainsOnSigterm()
    {
        using var daemon = CliProcess.Start("daemon", "--socket", SocketPath, "--state-dir", StateDirectory);

        var line = daemon.WaitForLine("quote-helper: listening on", s_start);

        Assert.Contains(SocketPath, line, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite,
            File.GetUnixFileMode(SocketPath));
        daemon.Signal("TERM");
        Assert.Equal(0, daemon.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.False(File.Exists(SocketPath));
    }

    [Fact]
    public void Daemon_SocketModeOption_IsApplied()
    {
        using var daemon = StartDaemon("--socket-mode", "0660");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public void Daemon_SocketDirectoryModeOption_IsApplied()
    {
        using var daemon = StartDaemon("--socket-dir-mode", "0750");
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(Path.GetDirectoryName(SocketPath)!));
    }

    [Fact]
    public void Daemon_SecondOnTheSamePath_RefusesAndTheFirstKeepsServing()
    {
        using var first = StartDaemon();

        var (code, output) = CliProcess.Run(s_start, "daemon", "--socket", SocketPath, "--state-dir", _temp.Combine("other-state"));

        Assert.Equal(69, code);
        Assert.Contains("refusing", output, StringComparison.Ordinal);
        Assert.True(new AesmClient(new AesmClientOptions { SocketPath = SocketPath }).GetSupportedAttKeyIdNum().IsSuccess);
    }

    [Fact]
    public void Quote_WritesTheExactQuoteBytes_ThatVerifyIndependently()
    {
        using var daemon = StartDaemon();
        var output = _temp.Combine("quote.bin");
        var mrEnclave = new string('a', 64);
        var mrSigner = new string('b', 64);

        var (code, text) = CliProcess.Run(s_start, "quote", "--socket", SocketPath, "--report-data", "48656c6c6f",
            "--mrenclave", mrEnclave, "--mrsigner", mrSigner, "--isv-prod-id", "3", "--isv-svn", "9", "--out", output);

        Assert.True(code == 0, text);
        var quote = File.ReadAllBytes(output);
        using var root = SimulationRoot();
        var result = IndependentQuoteCheck.Verify(quote, root); // also asserts the file is trimmed to 436 + signature_data_len
        var body = ReportBody.Read(result.IsvReportBody);
        Assert.Equal(Convert.FromHexString(mrEnclave), body.MrEnclave);
        Assert.Equal(Convert.FromHexString(mrSigner), body.MrSigner);
        Assert.Equal(3, body.IsvProdId);
        Assert.Equal(9, body.IsvSvn);
        Assert.Equal("Hello"u8.ToArray(), body.ReportData[..5]);
        Assert.Equal(new byte[59], body.ReportData[5..]);
        Assert.False(body.Attributes.IsDebug);
    }

    [Fact]
    public void Quote_NoHelper_FailsWithAClearMessage()
    {
        var (code, output) = CliProcess.Run(s_start, "quote", "--socket", SocketPath, "--report-data", "00", "--out", _temp.Combine("q"));

        Assert.Equal(64, code);
        Assert.Contains("No simulated CPU", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_ReportDataTooLong_IsAUsageError()
    {
        using var daemon = StartDaemon();
        var (code, output) = CliProcess.Run(s_start, "quote", "--socket", SocketPath, "--report-data", new string('0', 130), "--out", _temp.Combine("q"));

        Assert.Equal(64, code);
        Assert.Contains("at most 64 bytes", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_RealIntelQuote_Json_ShowsTheVectorValues()
    {
        var (code, output) = CliProcess.Run(s_start, "inspect", TestVectors.Path("dcap-qvl-sample", "sgx_quote"), "--json");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(4600, root.GetProperty("length").GetInt32());
        Assert.Equal(10, root.GetProperty("header").GetProperty("qeSvn").GetInt32());
        Assert.Equal(15, root.GetProperty("header").GetProperty("pceSvn").GetInt32());
        Assert.Equal("3987622ee6968a54977c8626ef47123500000000", root.GetProperty("header").GetProperty("userData").GetString());
        Assert.Equal("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb", root.GetProperty("reportBody").GetProperty("mrEnclave").GetString());
        Assert.Equal("96b347a64e5a045e27369c26e6dcda51fd7c850e9b3a3a79e718f43261dee1e4",
            root.GetProperty("signatureData").GetProperty("qeReport").GetProperty("mrEnclave").GetString());
        var certificates = root.GetProperty("certificates");
        Assert.Equal(3, certificates.GetArrayLength());
        var sgx = certificates[0].GetProperty("sgxExtension");
        Assert.Equal("00A067110000", sgx.GetProperty("fmspc").GetString());
        Assert.Equal("d04ec06d4e6d92dc90d0ad3cf5ee2ddf", sgx.GetProperty("ppid").GetString());
        Assert.Equal(13, sgx.GetProperty("pceSvn").GetInt32());
        Assert.Equal([11, 11, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], sgx.GetProperty("componentSvns").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Contains("Intel SGX Root CA", certificates[2].GetProperty("subject").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_Text_ShowsReportDataAndCertificates()
    {
        var (code, output) = CliProcess.Run(s_start, "inspect", TestVectors.Path("dcap-qvl-sample", "sgx_quote"));

        Assert.Equal(0, code);
        Assert.Contains("mrEnclave: 33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb", output, StringComparison.Ordinal);
        Assert.Contains("subject: CN=Intel SGX PCK Certificate", output, StringComparison.Ordinal);
        Assert.Contains("fmspc: 00A067110000", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated-tdx")]
    [InlineData("missing")]
    public void Inspect_NotAValidQuote_Exits2WithTheReason(string kind)
    {
        var path = _temp.Combine("input");
        switch (kind)
        {
            case "garbage": File.WriteAllBytes(path, [1, 2, 3]); break;
            // v4/v5 quotes are inspected since issue 3; a truncated one is still rejected with its reason.
            case "truncated-tdx": File.WriteAllBytes(path, TestVectors.ReadAllBytes("dcap-qvl-sample", "tdx_quote")[..1000]); break;
        }

        var (code, output) = CliProcess.Run(s_start, "inspect", path);

        Assert.Equal(2, code);
        Assert.Contains("quote-helper inspect:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_RunsEndToEndAndCleansUp()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "quote-helper-demo-*").Length;

        var quote = _temp.Combine("demo-quote.bin");
        var (code, output) = CliProcess.Run(TimeSpan.FromSeconds(60), "demo", "--out", quote);

        Assert.True(code == 0, output);
        Assert.Contains("Demo passed.", output, StringComparison.Ordinal);
        Assert.Equal(6, output.Split('\n').Count(l => l.Contains("[ok]", StringComparison.Ordinal)));
        Assert.Contains("[ok] status UpToDate", output, StringComparison.Ordinal);
        Assert.Contains("socket removed: True", output, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "quote-helper-demo-*").Length);

        // Issue 8: demo, inspect and verify write the FMSPC the same way, upper case as Intel's TCB Info does.
        var (inspectCode, inspected) = CliProcess.Run(s_start, "inspect", quote, "--json");
        Assert.True(inspectCode == 0, inspected);
        using var json = JsonDocument.Parse(inspected);
        var fmspc = json.RootElement.GetProperty("certificates")[0].GetProperty("sgxExtension").GetProperty("fmspc").GetString()!;
        Assert.Equal(fmspc.ToUpperInvariant(), fmspc);
        Assert.Contains($", FMSPC {fmspc}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Daemon_KilledHard_RestartReplacesTheStaleSocketAndKeepsTheKey()
    {
        byte[] before;
        using (var daemon = StartDaemon())
        {
            before = new AesmClient(new AesmClientOptions { SocketPath = SocketPath }).InitQuoteEx(AttestationKeyId.DefaultEcdsaP256, true).Value!.PublicKeyId!;
            daemon.Signal("KILL");
            daemon.WaitForExit(TimeSpan.FromSeconds(10));
        }

        Assert.True(File.Exists(SocketPath)); // stale: nobody listens

        // A supervisor restarts a helper once the old process is gone; on a loaded machine the kernel may still be
        // tearing the killed process's listener down for a moment after waitpid.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Daemon.UnixSocketPath.IsLive(SocketPath) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        using var restarted = StartDaemon();
        var client = new AesmClient(new AesmClientOptions { SocketPath = SocketPath });

        // Served without InitQuoteEx, with the same attestation key.
        var size = client.GetQuoteSizeEx(AttestationKeyId.DefaultEcdsaP256);
        Assert.True(size.IsSuccess, $"{size.Status} ({size.ServerError})\n{restarted.Output}");
        Assert.Equal(before, client.InitQuoteEx(AttestationKeyId.DefaultEcdsaP256, true).Value!.PublicKeyId);
        Assert.True(restarted.OutputEventuallyContains("Removed stale socket", TimeSpan.FromSeconds(10)), restarted.Output);
    }

    [Fact]
    public void BenchQuotes_Json_ReportsTheRequiredFields()
    {
        using var daemon = StartDaemon();

        var (code, output) = CliProcess.Run(TimeSpan.FromSeconds(60), "bench", "quotes", "--socket", SocketPath,
            "--clients", "2", "--seconds", "1", "--warmup", "0.2", "--json");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output.Split('\n').Single(l => l.StartsWith('{')));
        var root = json.RootElement;
        Assert.True(root.GetProperty("quotes").GetInt64() > 0);
        Assert.Equal(0, root.GetProperty("errors").GetInt64());
        Assert.True(root.GetProperty("quotesPerSecond").GetDouble() > 0);
        Assert.True(root.GetProperty("p50Ms").GetDouble() > 0);
        Assert.True(root.GetProperty("p99Ms").GetDouble() >= root.GetProperty("p50Ms").GetDouble());
        Assert.True(root.GetProperty("referenceSignsPerSecond").GetDouble() > 1000);
        Assert.Equal(daemon.Pid, root.GetProperty("daemonPid").GetInt32());
    }
}
