using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace QuoteHelper.Cli.Tests;

/// <summary>
/// Issue 8 (points 3 and 6) as a user meets it: the readers of a state directory (<c>collateral --state-dir</c>,
/// <c>pccs --state-dir</c>) work on a read-only mount and never create a platform without <c>--create</c>; a
/// writer on a read-only mount, a file given as the directory and a mistyped path each fail at once with their own
/// message and exit code (docs/errors.md §7); a verify against another platform's root names both roots.
/// </summary>
public sealed class StateDirectoryCliTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Stderr(string output) => output.Trim();

    // A quote from a helper on the platform in stateDirectory (created by the helper); the helper is stopped again.
    private string MakeQuote(string stateDirectory)
    {
        var socket = _temp.Combine("run", Path.GetFileName(stateDirectory) + ".socket");
        using var daemon = CliProcess.Start("daemon", "--socket", socket, "--state-dir", stateDirectory);
        daemon.WaitForLine("quote-helper: listening on", s_timeout);
        var quote = _temp.Combine(Path.GetFileName(stateDirectory) + "-quote.bin");
        var (code, output) = CliProcess.Run(s_timeout, "quote", "--socket", socket, "--report-data", "5a7e", "--out", quote);
        Assert.True(code == 0, output);
        daemon.Signal("TERM");
        Assert.Equal(0, daemon.WaitForExit(s_timeout));
        return quote;
    }

    [Fact]
    public void Collateral_MistypedStateDir_Exit66AndCreatesNothing()
    {
        var typo = _temp.Combine("stat");

        var (code, output) = CliProcess.Run(s_timeout, "collateral", "--state-dir", typo, "--out", _temp.Combine("c.json"));

        Assert.Equal(66, code);
        Assert.Equal($"quote-helper collateral: The state directory {typo} does not exist, so it holds no simulated platform. " +
            "Check the path; a helper (quote-helper daemon --state-dir) creates the platform on first start, or add --create to make one here.", Stderr(output));
        Assert.False(Directory.Exists(typo));
        Assert.False(File.Exists(_temp.Combine("c.json")));
    }

    [Fact]
    public void Collateral_EmptyStateDirWithCreate_CreatesThePlatform()
    {
        var directory = _temp.Combine("new");
        Directory.CreateDirectory(directory);

        var (code, output) = CliProcess.Run(s_timeout, "collateral", "--state-dir", directory, "--create", "--out", _temp.Combine("c.json"));

        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(directory, "platform.json")));
    }

    [Fact]
    public void Collateral_CreateWithPccs_Exit64()
    {
        var (code, output) = CliProcess.Run(s_timeout, "collateral", "--pccs", "http://127.0.0.1:1/", "--quote", "q", "--create", "--out", _temp.Combine("c.json"));

        Assert.Equal(64, code);
        Assert.Equal("quote-helper collateral: --scenario, --at and --create apply to --state-dir only.", Stderr(output));
    }

    [Theory]
    [InlineData("collateral")]
    [InlineData("daemon")]
    public void StateDirIsAFile_Exit78SayingSo(string verb)
    {
        var file = _temp.Combine("state");
        File.WriteAllText(file, "");
        string[] arguments = verb == "daemon"
            ? ["daemon", "--socket", _temp.Combine("run", "aesm.socket"), "--state-dir", file]
            : ["collateral", "--state-dir", file, "--create", "--out", _temp.Combine("c.json")];

        var (code, output) = CliProcess.Run(s_timeout, arguments);

        Assert.Equal(78, code);
        Assert.Equal($"quote-helper {verb}: The state directory {file} is a file, not a directory.", Stderr(output));
    }

    [Fact]
    public async Task ReadOnlyMount_CollateralAndPccsRead_DaemonFailsAtOnceWithEROFS()
    {
        using var mount = TmpfsMount.TryCreate();
        if (mount is null)
        {
            Assert.Skip(TmpfsMount.UnavailableReason!);
        }

        var state = mount.Combine("state");
        var (code, output) = CliProcess.Run(s_timeout, "collateral", "--state-dir", state, "--create", "--out", _temp.Combine("before.json"), "--root-out", _temp.Combine("before.der"));
        Assert.True(code == 0, output);
        mount.RemountReadOnly();

        var watch = Stopwatch.StartNew();
        (code, output) = CliProcess.Run(s_timeout, "collateral", "--state-dir", state, "--out", _temp.Combine("c.json"), "--root-out", _temp.Combine("root.der"));
        Assert.True(code == 0, output);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.Equal(File.ReadAllBytes(_temp.Combine("before.der")), File.ReadAllBytes(_temp.Combine("root.der")));

        // The collateral server too (the chart's collateral container mounts the state directory read-only).
        using (var pccs = CliProcess.Start("pccs", "--listen", "http://127.0.0.1:0", "--state-dir", state))
        {
            var url = pccs.WaitForLine("quote-helper pccs: listening on", s_timeout).Split(' ')[4];
            using var http = new HttpClient();
            using var response = await http.GetAsync(new Uri(new Uri(url), "sgx/certification/v4/rootcacrl"), TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            pccs.Signal("TERM");
            Assert.Equal(0, pccs.WaitForExit(s_timeout));
        }

        watch.Restart();
        (code, output) = CliProcess.Run(s_timeout, "daemon", "--socket", _temp.Combine("run", "aesm.socket"), "--state-dir", state);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.Equal(78, code);
        Assert.StartsWith($"quote-helper daemon: The state directory {state} is on a read-only file system (EROFS): creating or updating the simulated platform " +
            "needs it writable. Readers of the platform need no write access. (", Stderr(output), StringComparison.Ordinal);
    }

    [Fact]
    public void Pccs_MistypedStateDir_Exit66()
    {
        var typo = _temp.Combine("stat");

        var (code, output) = CliProcess.Run(s_timeout, "pccs", "--listen", "http://127.0.0.1:0", "--state-dir", typo);

        Assert.Equal(66, code);
        Assert.StartsWith($"quote-helper pccs: The state directory {typo} does not exist, so it holds no simulated platform.", Stderr(output), StringComparison.Ordinal);
        Assert.False(Directory.Exists(typo));
    }

    [Fact]
    public void Pccs_NonLoopbackWithoutAllowRemote_Exit64()
    {
        var (code, output) = CliProcess.Run(s_timeout, "pccs", "--listen", "http://0.0.0.0:0", "--state-dir", _temp.Path, "--create");

        Assert.Equal(64, code);
        Assert.Equal("quote-helper pccs: The collateral server listens on loopback only unless --allow-remote is given, not on '0.0.0.0'. (Parameter 'listen')", Stderr(output));
    }

    [Fact]
    public void Pccs_AllowRemote_WaitsForThePlatform_ServesItAndGivesItsRoot()
    {
        var state = _temp.Combine("state");

        // Started before any helper, as the chart's collateral container may be: it waits for the platform.
        using var pccs = CliProcess.Start("pccs", "--listen", "http://0.0.0.0:0", "--allow-remote", "--state-dir", state, "--wait-for-platform", "60");
        pccs.WaitForLine($"quote-helper pccs: waiting up to 60 s for a helper to create the platform in {state}", s_timeout);
        var quote = MakeQuote(state);
        var line = pccs.WaitForLine("quote-helper pccs: listening on", s_timeout);
        var port = new Uri(line.Split(' ')[4]).Port;
        Assert.StartsWith("quote-helper pccs: listening on http://0.0.0.0:", line, StringComparison.Ordinal);

        var collateral = _temp.Combine("collateral.json");
        var root = _temp.Combine("root.der");
        var (code, output) = CliProcess.Run(s_timeout, "collateral", "--pccs", $"http://127.0.0.1:{port}/", "--quote", quote, "--out", collateral, "--root-out", root);
        Assert.True(code == 0, output);

        var local = _temp.Combine("local-root.der");
        (code, output) = CliProcess.Run(s_timeout, "collateral", "--state-dir", state, "--out", _temp.Combine("local.json"), "--root-out", local);
        Assert.True(code == 0, output);
        Assert.Equal(File.ReadAllBytes(local), File.ReadAllBytes(root));

        (code, output) = CliProcess.Run(s_timeout, "verify", quote, "--collateral", collateral, "--root", root, "--json");
        Assert.True(code == 0, output);

        pccs.Signal("TERM");
        Assert.Equal(0, pccs.WaitForExit(s_timeout));
    }

    [Fact]
    public void Verify_AnotherPlatformsRoot_NamesBothRoots()
    {
        var quote = MakeQuote(_temp.Combine("a"));
        var other = _temp.Combine("b");
        var (code, output) = CliProcess.Run(s_timeout, "collateral", "--state-dir", other, "--create", "--out", _temp.Combine("b.json"), "--root-out", _temp.Combine("b.der"));
        Assert.True(code == 0, output);
        (code, output) = CliProcess.Run(s_timeout, "collateral", "--state-dir", _temp.Combine("a"), "--out", _temp.Combine("a.json"), "--root-out", _temp.Combine("a.der"));
        Assert.True(code == 0, output);

        (code, output) = CliProcess.Run(s_timeout, "verify", quote, "--collateral", _temp.Combine("a.json"), "--root", _temp.Combine("b.der"), "--json");

        Assert.Equal(2, code); // not verified
        using var json = JsonDocument.Parse(output);
        Assert.Equal("UntrustedRoot", json.RootElement.GetProperty("reason").GetString());
        Assert.Equal($"chain root '{CommonName("a.der")}' is not the trusted root '{CommonName("b.der")}'.", json.RootElement.GetProperty("detail").GetString());
        Assert.Matches("^Quote Helper Simulated SGX Root CA [0-9a-f]{8}$", CommonName("a.der"));
        Assert.NotEqual(CommonName("a.der"), CommonName("b.der"));
    }

    private string CommonName(string file)
    {
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(_temp.Combine(file));
        return certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
    }
}
