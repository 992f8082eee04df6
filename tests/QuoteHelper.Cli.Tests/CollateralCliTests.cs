using System.Text.Json;

namespace QuoteHelper.Cli.Tests;

/// <summary>
/// <c>collateral</c> and <c>pccs</c> as operators run them (docs/cli.md, docs/collateral.md): a helper makes a quote,
/// a <c>pccs</c> process serves the simulated platform's collateral on loopback HTTP, <c>collateral --pccs</c> fetches
/// what the quote needs, and <c>verify</c> reaches the served TCB status. Real processes, real HTTP, real signals.
/// </summary>
public sealed class CollateralCliTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();

    private string SocketPath => _temp.Combine("run", "aesm.socket");

    private string StateDirectory => _temp.Combine("state");

    public void Dispose() => _temp.Dispose();

    // A quote from a helper on the simulated platform in this test's state directory; the helper is stopped again.
    private string MakeQuote()
    {
        using var daemon = CliProcess.Start("daemon", "--socket", SocketPath, "--state-dir", StateDirectory);
        daemon.WaitForLine("quote-helper: listening on", s_timeout);
        var quote = _temp.Combine("quote.bin");
        var (code, output) = CliProcess.Run(s_timeout, "quote", "--socket", SocketPath, "--report-data", "c011a7e2a1", "--out", quote);
        Assert.True(code == 0, output);
        daemon.Signal("TERM");
        Assert.Equal(0, daemon.WaitForExit(s_timeout));
        return quote;
    }

    private static JsonElement VerifyJson(string quote, string collateral, string root, out int exitCode)
    {
        var (code, output) = CliProcess.Run(s_timeout, "verify", quote, "--collateral", collateral, "--root", root, "--json");
        exitCode = code;
        using var json = JsonDocument.Parse(output);
        return json.RootElement.Clone();
    }

    [Fact]
    public void CollateralFromPccsProcess_VerifiesAtTheServedStatus_AndPccsStopsOnSigterm()
    {
        var quote = MakeQuote();
        using var pccs = CliProcess.Start("pccs", "--listen", "http://127.0.0.1:0", "--state-dir", StateDirectory, "--scenario", "OutOfDate");
        var line = pccs.WaitForLine("quote-helper pccs: listening on", s_timeout);
        var url = line.Split(' ')[4];
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);

        var collateral = _temp.Combine("collateral.json");
        var (code, output) = CliProcess.Run(s_timeout, "collateral", "--pccs", url, "--quote", quote, "--out", collateral);
        Assert.True(code == 0, output);
        var root = _temp.Combine("root.der");
        (code, output) = CliProcess.Run(s_timeout, "collateral", "--state-dir", StateDirectory, "--out", _temp.Combine("local.json"), "--root-out", root);
        Assert.True(code == 0, output);

        // Genuine, but OutOfDate is not among the default accepted statuses: exit 1, rejected by the status rule.
        var result = VerifyJson(quote, collateral, root, out var exitCode);
        Assert.Equal(1, exitCode);
        Assert.True(result.GetProperty("verified").GetBoolean());
        Assert.Equal("OutOfDate", result.GetProperty("status").GetString());
        Assert.Equal("TcbStatusNotAccepted", result.GetProperty("rejectedBy").GetString());

        pccs.Signal("TERM");
        Assert.Equal(0, pccs.WaitForExit(s_timeout));
    }

    [Fact]
    public void CollateralFromStateDirectory_UpToDate_VerifiesAndIsAccepted()
    {
        var quote = MakeQuote();
        var collateral = _temp.Combine("collateral.json");
        var root = _temp.Combine("root.der");

        var (code, output) = CliProcess.Run(s_timeout, "collateral", "--state-dir", StateDirectory, "--out", collateral, "--root-out", root);

        Assert.True(code == 0, output);
        using (var json = JsonDocument.Parse(File.ReadAllBytes(collateral)))
        {
            // dcap-qvl's QuoteCollateralV3 field names (docs/collateral.md).
            Assert.True(json.RootElement.TryGetProperty("tcb_info", out _), File.ReadAllText(collateral));
            Assert.True(json.RootElement.TryGetProperty("qe_identity", out _), File.ReadAllText(collateral));
        }

        var result = VerifyJson(quote, collateral, root, out var exitCode);
        Assert.Equal(0, exitCode);
        Assert.Equal("UpToDate", result.GetProperty("status").GetString());
        Assert.True(result.GetProperty("accepted").GetBoolean());
    }

    [Fact]
    public void CollateralFromPccs_NothingListening_Exit69NamingTheRoute()
    {
        var quote = MakeQuote();

        // Port 1 on loopback: connection refused at once.
        var (code, output) = CliProcess.Run(s_timeout, "collateral", "--pccs", "http://127.0.0.1:1/", "--quote", quote, "--out", _temp.Combine("c.json"));

        Assert.True(code == 69, output);
        Assert.Contains("/sgx/certification/", output, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Combine("c.json")));
    }

    [Fact]
    public void CollateralFromPccs_FileIsNoQuote_Exit65()
    {
        var notAQuote = _temp.Combine("not-a-quote.bin");
        File.WriteAllBytes(notAQuote, new byte[100]);

        var (code, output) = CliProcess.Run(s_timeout, "collateral", "--pccs", "http://127.0.0.1:1/", "--quote", notAQuote, "--out", _temp.Combine("c.json"));

        Assert.True(code == 65, output);
    }

    [Fact]
    public void Pccs_UnknownScenario_Exit64()
    {
        var (code, output) = CliProcess.Run(s_timeout, "pccs", "--listen", "http://127.0.0.1:0", "--state-dir", StateDirectory, "--scenario", "NoSuchStatus");

        Assert.True(code == 64, output);
    }
}
