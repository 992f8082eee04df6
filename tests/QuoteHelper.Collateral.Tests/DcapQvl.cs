using System.Diagnostics;
using System.Text.Json;

namespace QuoteHelper.Collateral.Tests;

/// <summary>
/// Runs the independent verifier (npm @phala/dcap-qvl 0.3.9 through dcap-qvl/dcap-qvl.js, installed through
/// <see cref="DcapQvlPackage"/>). When node or the package is missing the calling test FAILS naming the install
/// script: a skip would hide a gap.
/// </summary>
internal static class DcapQvl
{
    public const string InstallScript = DcapQvlPackage.InstallScript;

    public static Verdict Verify(string quotePath, string collateralPath, string rootPath, long time, int iterations = 0) =>
        Run(iterations > 0
            ? ["verify", quotePath, collateralPath, rootPath, time.ToString(System.Globalization.CultureInfo.InvariantCulture), iterations.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            : ["verify", quotePath, collateralPath, rootPath, time.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    public static Verdict Fetch(Uri pccs, string quotePath, string rootPath, long time) =>
        Run(["fetch", pccs.ToString(), quotePath, rootPath, time.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    private static Verdict Run(string[] arguments)
    {
        _ = DcapQvlPackage.Directory ?? throw new InvalidOperationException("dcap-qvl/dcap-qvl.js not found above the test binaries.");
        if (DcapQvlPackage.EnsureInstalled() is not { } directory)
        {
            Assert.Fail($"npm @phala/dcap-qvl is not installed: run {InstallScript} (CI's .ci/run does).");
            throw new InvalidOperationException("unreachable");
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(directory, "dcap-qvl.js"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"node is not installed ({e.Message}): install nodejs and npm, then run {InstallScript} (CI's .ci/run does).");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("node dcap-qvl.js did not finish within 60 s.");
            }

            var text = output.Result;
            Assert.True(process.ExitCode == 0 && text.Length > 0, $"node dcap-qvl.js failed ({process.ExitCode}): {error.Result}");
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            return new Verdict(
                root.GetProperty("ok").GetBoolean(),
                root.TryGetProperty("status", out var status) ? status.GetString() : null,
                root.TryGetProperty("advisory_ids", out var ids) ? ids.EnumerateArray().Select(i => i.GetString()!).ToArray() : [],
                root.TryGetProperty("error", out var message) ? message.GetString() : null,
                root.TryGetProperty("verificationsPerSecond", out var rate) ? rate.GetDouble() : null,
                root.TryGetProperty("tcb_info", out var tcbInfo) ? tcbInfo.GetString() : null);
        }
    }
}

internal sealed record Verdict(bool Ok, string? Status, string[] AdvisoryIds, string? Error, double? VerificationsPerSecond, string? FetchedTcbInfo);
