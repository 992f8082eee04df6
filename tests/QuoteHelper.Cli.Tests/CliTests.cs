using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
    public void Quote_NoHelperEverStarted_FailsAtOnceNamingThePathAndItsMissingDirectory()
    {
        var started = Stopwatch.GetTimestamp();
        var (code, output) = CliProcess.Run(s_start, "quote", "--socket", SocketPath, "--report-data", "00", "--out", _temp.Combine("q"));

        // QuoteProvider's default retries would take about 16.5 s; the CLI reports at once.
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), $"took {Stopwatch.GetElapsedTime(started)}");
        Assert.Equal(69, code);
        Assert.Equal($"quote-helper quote: InitQuoteEx failed with ErrorServiceUnavailable (0x4001): no socket at {SocketPath} (ENOENT): " +
            $"its directory {_temp.Combine("run")} does not exist either. Is the quote helper's socket directory mounted here " +
            "(/var/run/aesmd from the host in Kubernetes), and is the path right? See docs/errors.md §5.", output);
        Assert.False(File.Exists(_temp.Combine("q")));
    }

    [Fact]
    public void Quote_StoppedHelper_FailsAtOnceWithEnoent()
    {
        using (var daemon = StartDaemon())
        {
            daemon.Signal("TERM");
            Assert.Equal(0, daemon.WaitForExit(TimeSpan.FromSeconds(20)));
        }

        // The simulated CPU file stays beside the removed socket (protocol.md §7): the socket is what is missing.
        Assert.True(File.Exists(_temp.Combine("run", "sgx-simulated-cpu.json")));
        var started = Stopwatch.GetTimestamp();
        var (code, output) = CliProcess.Run(s_start, "quote", "--socket", SocketPath, "--report-data", "00", "--out", _temp.Combine("q"));

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), $"took {Stopwatch.GetElapsedTime(started)}");
        Assert.Equal(69, code);
        Assert.Equal($"quote-helper quote: InitQuoteEx failed with ErrorServiceUnavailable (0x4001): no socket at {SocketPath} (ENOENT). " +
            "Is the quote helper running and serving this path (it removes the socket when it stops)? In a container, is the " +
            "helper's /var/run/aesmd mounted? See docs/errors.md §5.", output);
    }

    [Fact]
    public void Quote_WaitForHelper_RidesThroughAHelperThatStartsLater()
    {
        // The helper is stopped (its simulated CPU file stays); `quote --wait-for-helper` starts first and keeps
        // retrying, as QuoteProvider does by default, until a helper serves the path again.
        using (var first = StartDaemon())
        {
            first.Signal("TERM");
            Assert.Equal(0, first.WaitForExit(TimeSpan.FromSeconds(20)));
        }

        using var quote = CliProcess.Start("quote", "--socket", SocketPath, "--wait-for-helper", "--report-data", "00", "--out", _temp.Combine("q"));
        Thread.Sleep(TimeSpan.FromSeconds(1));
        Assert.False(quote.HasExited, quote.Output);
        using var daemon = StartDaemon();

        Assert.True(quote.WaitForExit(TimeSpan.FromSeconds(30)) == 0, quote.Output);
        using var root = SimulationRoot();
        IndependentQuoteCheck.Verify(File.ReadAllBytes(_temp.Combine("q")), root);
    }

    [Fact]
    public void Quote_StaleSocket_FailsAtOnceWithEconnrefused()
    {
        Directory.CreateDirectory(_temp.Combine("run"));
        StaleSocket.Create(SocketPath);

        var (code, output) = CliProcess.Run(s_start, "quote", "--socket", SocketPath, "--report-data", "00", "--out", _temp.Combine("q"));

        Assert.Equal(69, code);
        Assert.Equal($"quote-helper quote: InitQuoteEx failed with ErrorServiceUnavailable (0x4001): nothing listens on {SocketPath} " +
            "(ECONNREFUSED): a socket left by a helper that stopped or crashed, or a file that is not a socket. Is the quote " +
            "helper running? Starting it replaces a stale socket. See docs/errors.md §5.", output);
    }

    [Fact]
    public void Quote_HelperServingWithoutASimulatedCpuFile_IsAUsageError()
    {
        using var daemon = StartDaemon();
        var cpu = _temp.Combine("run", "sgx-simulated-cpu.json");
        File.Move(cpu, _temp.Combine("cpu.json"));

        var (code, output) = CliProcess.Run(s_start, "quote", "--socket", SocketPath, "--report-data", "00", "--out", _temp.Combine("q"));

        Assert.Equal(64, code);
        Assert.Equal($"quote-helper quote: No simulated CPU at {cpu}: the helper serving {SocketPath} is not in simulation mode?", output);

        // An explicit --simulated-cpu that does not exist is reported before anything is sent.
        (code, output) = CliProcess.Run(s_start, "quote", "--socket", SocketPath, "--report-data", "00", "--out", _temp.Combine("q"),
            "--simulated-cpu", _temp.Combine("nope.json"));
        Assert.Equal(64, code);
        Assert.Equal($"quote-helper quote: No simulated CPU at {_temp.Combine("nope.json")} (--simulated-cpu).", output);
    }

    [Fact]
    public void Health_EachState_PrintsTheExactLine()
    {
        // No socket file.
        var (code, output) = CliProcess.Run(s_start, "health", "--socket", SocketPath);
        Assert.Equal(1, code);
        Assert.Equal($"unhealthy: GetSupportedAttKeyIdNum failed with ErrorServiceUnavailable (0x4001): no socket at {SocketPath} " +
            $"(ENOENT): its directory {_temp.Combine("run")} does not exist either. Is the quote helper's socket directory mounted " +
            "here (/var/run/aesmd from the host in Kubernetes), and is the path right? See docs/errors.md §5.", output);

        // A socket nobody listens on.
        Directory.CreateDirectory(_temp.Combine("run"));
        StaleSocket.Create(SocketPath);
        (code, output) = CliProcess.Run(s_start, "health", "--socket", SocketPath);
        Assert.Equal(1, code);
        Assert.Equal($"unhealthy: GetSupportedAttKeyIdNum failed with ErrorServiceUnavailable (0x4001): nothing listens on {SocketPath} " +
            "(ECONNREFUSED): a socket left by a helper that stopped or crashed, or a file that is not a socket. Is the quote " +
            "helper running? Starting it replaces a stale socket. See docs/errors.md §5.", output);

        // Something listens but never answers (its backlog takes the connection): the timeout, with the path.
        File.Delete(SocketPath);
        using (var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            silent.Bind(new UnixDomainSocketEndPoint(SocketPath));
            silent.Listen(8);
            (code, output) = CliProcess.Run(s_start, "health", "--socket", SocketPath, "--timeout", "0.5");
            Assert.Equal(1, code);
            Assert.Equal($"unhealthy: GetSupportedAttKeyIdNum failed: ErrorServiceTimeout (0x4002) before any reply from {SocketPath}. " +
                "See docs/errors.md.", output);
        }

        // Serving.
        using (var daemon = StartDaemon())
        {
            var size = new AesmClient(new AesmClientOptions { SocketPath = SocketPath }).GetQuoteSizeEx(AttestationKeyId.DefaultEcdsaP256).Value;
            (code, output) = CliProcess.Run(s_start, "health", "--socket", SocketPath);
            Assert.Equal(0, code);
            Assert.Equal($"healthy: 1 attestation key id(s), quote size {size} bytes", output);
        }

        // Serving, but no attestation key yet (Intel-like lazy key): the server's code, never an empty "(AESM )".
        using var lazy = StartDaemon("--lazy-attestation-key");
        (code, output) = CliProcess.Run(s_start, "health", "--socket", SocketPath);
        Assert.Equal(1, code);
        Assert.Equal("unhealthy: GetQuoteSizeEx failed: AESM error 42 (AttKeyNotInitialized) → ErrorAttKeyUninitialized (0x8003). " +
            "See docs/errors.md.", output);
    }

    [Fact]
    public void Daemon_MetricsPortBusy_OneCleanLineExit69AndNothingLeftBehind()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var url = $"http://127.0.0.1:{port}";

        var (code, output) = CliProcess.Run(s_start, "daemon", "--socket", SocketPath, "--state-dir", StateDirectory, "--metrics-listen", url);

        Assert.Equal(69, code);
        Assert.Equal($"quote-helper daemon: --metrics-listen: cannot serve metrics and health on {url}/: address already in use " +
            "(EADDRINUSE): another process listens on this port.", output);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("run"))); // created by this start, removed with what was in it

        // Beside a predecessor's socket directory: the simulated CPU file it had is left exactly as it was.
        Directory.CreateDirectory(_temp.Combine("run"));
        var cpu = _temp.Combine("run", "sgx-simulated-cpu.json");
        File.WriteAllText(cpu, "{\"predecessor\":true}");
        (code, output) = CliProcess.Run(s_start, "daemon", "--socket", SocketPath, "--state-dir", StateDirectory, "--metrics-listen", url);

        Assert.Equal(69, code);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Equal(["sgx-simulated-cpu.json"], Directory.GetFileSystemEntries(_temp.Combine("run")).Select(Path.GetFileName));
        Assert.Equal("{\"predecessor\":true}", File.ReadAllText(cpu));
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
