using System.Diagnostics;
using System.Globalization;
using QuoteHelper.Client;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Cli.Tests;

/// <summary>
/// Operating the helper (issue 4): zero-downtime handover under load, crash and restart, SIGTERM drain, metrics,
/// health probes, and the peer policy with peers of another uid. Real processes, real signals, real sockets.
/// </summary>
public sealed class OperationsTests(ITestOutputHelper output, OtherUserCli otherUserCli) : IDisposable, IClassFixture<OtherUserCli>
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

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Clients that behave like Intel's library: no retries, every failure counted.</summary>
    private sealed class Load : IDisposable
    {
        private readonly Thread[] _threads;
        private readonly List<long> _latencies = [];
        private volatile bool _stop;
        private long _served;
        private long _failed;

        public Load(string socketPath, int clients)
        {
            var enclave = SimulatedEnclave.ForSocket(socketPath);
            var client = new AesmClient(new AesmClientOptions { SocketPath = socketPath });
            var target = TargetInfo.Read(client.InitQuoteEx(AttestationKeyId.DefaultEcdsaP256, true).Value!.TargetInfo);
            var size = client.GetQuoteSizeEx(AttestationKeyId.DefaultEcdsaP256).Value;
            _threads = Enumerable.Range(0, clients).Select(i => new Thread(() =>
            {
                while (!_stop)
                {
                    var started = Stopwatch.GetTimestamp();
                    var reply = client.GetQuoteEx(enclave.CreateReport(target, [(byte)i]).ToArray(), AttestationKeyId.DefaultEcdsaP256, null, size + 1024);
                    var elapsed = Stopwatch.GetTimestamp() - started;
                    lock (_latencies)
                    {
                        _latencies.Add(elapsed);
                    }

                    if (reply.IsSuccess)
                    {
                        Interlocked.Increment(ref _served);
                    }
                    else
                    {
                        Interlocked.Increment(ref _failed);
                        Failures.Add($"{reply.Status} ({reply.ServerError})");
                    }
                }
            }) { IsBackground = true }).ToArray();
            foreach (var thread in _threads)
            {
                thread.Start();
            }
        }

        public System.Collections.Concurrent.ConcurrentBag<string> Failures { get; } = [];

        public long Served => Interlocked.Read(ref _served);

        public long Failed => Interlocked.Read(ref _failed);

        public double MaxLatencyMs
        {
            get
            {
                lock (_latencies)
                {
                    return _latencies.Count == 0 ? 0 : _latencies.Max() * 1000.0 / Stopwatch.Frequency;
                }
            }
        }

        public void Dispose()
        {
            _stop = true;
            foreach (var thread in _threads)
            {
                thread.Join();
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Handover_UnderLoadOf16Clients_NoRequestFails(bool stayAfterHandoverThenSigterm)
    {
        using var first = stayAfterHandoverThenSigterm ? StartDaemon("--stay-after-handover") : StartDaemon();
        long servedBefore, served;
        double maxLatency;
        using (var load = new Load(SocketPath, 16))
        {
            Thread.Sleep(800);
            servedBefore = load.Served;

            using var second = StartDaemon();
            if (stayAfterHandoverThenSigterm)
            {
                first.WaitForLine("Handed the socket", TimeSpan.FromSeconds(10));
                first.Signal("TERM");
            }

            Assert.Equal(0, first.WaitForExit(TimeSpan.FromSeconds(30)));
            Thread.Sleep(800);
            load.Dispose();
            served = load.Served;
            maxLatency = load.MaxLatencyMs;

            Assert.True(load.Failed == 0, $"{load.Failed} failed requests: {string.Join(", ", load.Failures.Distinct())}");
            Assert.True(File.Exists(SocketPath));
            Assert.True(new AesmClient(new AesmClientOptions { SocketPath = SocketPath }).GetSupportedAttKeyIdNum().IsSuccess);
            second.Signal("TERM");
            Assert.Equal(0, second.WaitForExit(TimeSpan.FromSeconds(30)));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"handover (stay+SIGTERM: {stayAfterHandoverThenSigterm}): {served} requests served, {served - servedBefore} during and after the handover, 0 failed, max latency {maxLatency:F1} ms"));
        Assert.True(served > servedBefore);
        Assert.False(File.Exists(SocketPath)); // the last one out removes the socket
    }

    [Fact]
    public async Task KillHard_UnderLoad_ProviderClientsRecoverAfterRestart_KeyIntact()
    {
        using var first = StartDaemon();
        var client = new AesmClient(new AesmClientOptions { SocketPath = SocketPath });
        var keyBefore = client.InitQuoteEx(AttestationKeyId.DefaultEcdsaP256, true).Value!.PublicKeyId;
        var enclave = SimulatedEnclave.ForSocket(SocketPath);
        using var provider = new QuoteProvider(client, new QuoteProviderOptions { MaxUnavailableRetries = 100, UnavailableRetryDelay = TimeSpan.FromMilliseconds(50) });
        var stop = false;
        var quotes = 0;
        var workers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            while (!Volatile.Read(ref stop))
            {
                await provider.GetQuoteAsync(target => enclave.CreateReport(target, [(byte)i]));
                Interlocked.Increment(ref quotes);
            }
        })).ToArray();

        await Task.Delay(500);
        first.Signal("KILL");
        first.WaitForExit(TimeSpan.FromSeconds(10));
        var killedAt = Stopwatch.GetTimestamp();
        var before = Volatile.Read(ref quotes);
        using var second = StartDaemon();
        while (Volatile.Read(ref quotes) == before && Stopwatch.GetElapsedTime(killedAt) < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        var recovery = Stopwatch.GetElapsedTime(killedAt);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers); // any exception (a failure the provider did not recover from) fails the test

        output.WriteLine($"recovered {recovery.TotalMilliseconds:F0} ms after kill -9 (includes the new daemon's start)");
        Assert.True(recovery < TimeSpan.FromSeconds(20));
        Assert.Equal(keyBefore, client.InitQuoteEx(AttestationKeyId.DefaultEcdsaP256, true).Value!.PublicKeyId);
    }

    [Fact]
    public void Sigterm_UnderLoad_DrainsWithoutResettingAnyone()
    {
        using var daemon = StartDaemon();
        using var load = new Load(SocketPath, 8);
        Thread.Sleep(500);

        daemon.Signal("TERM");
        Assert.Equal(0, daemon.WaitForExit(TimeSpan.FromSeconds(30)));
        load.Dispose();

        // After the name is gone clients cannot connect (SERVICE_UNAVAILABLE); nobody who got in is cut off
        // (which would be SGX_ERROR_UNEXPECTED).
        Assert.DoesNotContain(load.Failures, f => !f.StartsWith(nameof(SgxStatus.ErrorServiceUnavailable), StringComparison.Ordinal));
        Assert.True(load.Served > 0);
        Assert.False(File.Exists(SocketPath));
    }

    [Fact]
    public async Task Metrics_Scraped_CountRequestsAndDescribeTheBackend()
    {
        var port = FreePort();
        using var daemon = StartDaemon("--metrics-listen", $"http://127.0.0.1:{port}");
        var client = new AesmClient(new AesmClientOptions { SocketPath = SocketPath });
        for (var i = 0; i < 5; i++)
        {
            Assert.True(client.GetSupportedAttKeyIdNum().IsSuccess);
        }

        Assert.True(client.GetSupportedAttKeyIds(1).IsSuccess);

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        var samples = ParsePrometheus(text);

        Assert.Equal(5, samples["quote_helper_requests_total{call=\"GetSupportedAttKeyIdNum\",result=\"0\"}"]);
        Assert.Equal(1, samples["quote_helper_requests_total{call=\"GetSupportedAttKeyIds\",result=\"0\"}"]);
        Assert.True(samples["quote_helper_request_duration_seconds_count{call=\"GetSupportedAttKeyIdNum\"}"] >= 5);
        Assert.Contains(samples.Keys, k => k.StartsWith("quote_helper_backend_info{mode=\"simulation\",qe_svn=\"10\",pce_svn=\"13\",attestation_key_id=\"", StringComparison.Ordinal));
        Assert.Equal(1, samples["quote_helper_ready"]);
        Assert.True(samples["quote_helper_connections_total{outcome=\"served\"}"] >= 6);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"))).StatusCode);
    }

    [Fact]
    public async Task Readyz_AfterHandover_Is503AndHandoverCounted()
    {
        var port = FreePort();
        using var first = StartDaemon("--metrics-listen", $"http://127.0.0.1:{port}", "--stay-after-handover");
        using var second = StartDaemon();
        first.WaitForLine("Handed the socket", TimeSpan.FromSeconds(10));

        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"))).StatusCode);
        var samples = ParsePrometheus(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")));
        Assert.Equal(1, samples["quote_helper_handovers_total{direction=\"out\"}"]);
        Assert.Equal(0, samples["quote_helper_ready"]);
        Assert.True(second.OutputEventuallyContains("Took the socket", TimeSpan.FromSeconds(10)), second.Output);
    }

    [Fact]
    public void Health_ExitCodes_FollowARealRoundTrip()
    {
        Assert.Equal(1, CliProcess.Run(s_start, "health", "--socket", SocketPath).ExitCode); // nobody listens

        using (var daemon = StartDaemon())
        {
            var (code, text) = CliProcess.Run(s_start, "health", "--socket", SocketPath);
            Assert.True(code == 0, text);
            Assert.Contains("healthy", text, StringComparison.Ordinal);
        }

        // Intel-like lazy key: the service answers, but GetQuoteSizeEx says 42: not healthy yet.
        using var lazy = StartDaemon("--lazy-attestation-key");
        Assert.Equal(1, CliProcess.Run(s_start, "health", "--socket", SocketPath).ExitCode);
    }

    [Fact]
    public void AllowList_PeerOfAnotherUid_RefusedWhileRootIsServed()
    {
        OpenForOtherUsers();
        using var daemon = StartDaemon("--allow-uid", "0");

        Assert.Equal(0, CliProcess.Run(s_start, "health", "--socket", SocketPath).ExitCode);
        var (code, text) = RunAs(65534, "health", "--socket", SocketPath);
        Assert.Equal(1, code);
        Assert.Equal("unhealthy: GetSupportedAttKeyIdNum failed: AESM error 30 (ServiceUnavailable) → ErrorServiceUnavailable (0x4001). " +
            "See docs/errors.md.", text.Trim());
        Assert.True(daemon.OutputEventuallyContains("uid 65534", TimeSpan.FromSeconds(10)), daemon.Output);
    }

    [Fact]
    public void Health_SocketModeShutsTheUserOut_SaysPermissionDenied()
    {
        OpenForOtherUsers();
        using var daemon = StartDaemon("--socket-mode", "0600");

        var (code, text) = RunAs(65534, "health", "--socket", SocketPath);

        Assert.Equal(1, code);
        Assert.Equal($"unhealthy: GetSupportedAttKeyIdNum failed with ErrorServiceUnavailable (0x4001): permission denied connecting to " +
            $"{SocketPath} (EACCES). The socket's mode (daemon --socket-mode, default 0666) or its directory's (--socket-dir-mode) " +
            "does not let this user in. See docs/errors.md §5.", text.Trim());
    }

    [Fact]
    public void AllowList_ByUid_OtherUserServedRootRefused()
    {
        OpenForOtherUsers();
        using var daemon = StartDaemon("--allow-uid", "65534");

        Assert.Equal(0, RunAs(65534, "health", "--socket", SocketPath).ExitCode);
        Assert.Equal(1, CliProcess.Run(s_start, "health", "--socket", SocketPath).ExitCode);
    }

    [Fact]
    public void RateLimit_NoisyPeerGetsBusy_OtherPeerStillServed()
    {
        OpenForOtherUsers();
        using var daemon = StartDaemon("--max-requests-per-second-per-peer", "5");
        var client = new AesmClient(new AesmClientOptions { SocketPath = SocketPath });

        var results = Enumerable.Range(0, 30).Select(_ => client.GetSupportedAttKeyIdNum()).ToArray();

        var busy = results.Count(r => r.Status == SgxStatus.ErrorBusy && r.ServerError == AesmError.Busy);
        Assert.True(busy >= 20, $"{busy} of 30 were answered busy");
        Assert.True(results.Count(r => r.IsSuccess) >= 5);

        // Another uid has its own bucket.
        Assert.Equal(0, RunAs(65534, "health", "--socket", SocketPath).ExitCode);
    }

    private void OpenForOtherUsers()
    {
        // The temporary directory is 0700; another uid must traverse it to reach the socket and the CPU file.
        File.SetUnixFileMode(_temp.Path, (UnixFileMode)0b111_101_101);
    }

    private (int ExitCode, string Output) RunAs(int uid, params string[] arguments)
    {
        var info = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "dotnet", otherUserCli.Dll }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        info.Environment["HOME"] = Path.GetTempPath();
        CliProcess.WithoutDiagnostics(info);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the CLI run as another user did not finish");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static Dictionary<string, double> ParsePrometheus(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return samples;
    }
}
