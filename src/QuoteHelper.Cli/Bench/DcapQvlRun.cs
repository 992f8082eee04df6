using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QuoteHelper.Cli.Commands;

namespace QuoteHelper.Cli.Bench;

/// <summary>
/// Times the independent verifier, npm <c>@phala/dcap-qvl</c> on node, on the same quote, collateral, root and time,
/// so that <c>bench verify --dcap-qvl DIR</c> reports both rates from one run (issue 3: ours at least 10× faster).
/// DIR is a directory holding <c>dcap-qvl.js</c> and its installed <c>node_modules</c>: in this repository
/// <c>tests/QuoteHelper.Collateral.Tests/dcap-qvl</c> after its <c>install.sh</c>.
/// </summary>
internal static class DcapQvlRun
{
    /// <param name="VerificationsPerSecond">dcap-qvl's rate.</param>
    /// <param name="Verifications">How many it did.</param>
    /// <param name="Status">Its verdict (Intel's status name), or null when it rejected the quote.</param>
    /// <param name="Error">Its error when it rejected the quote.</param>
    public sealed record Result(double VerificationsPerSecond, long Verifications, string? Status, string? Error);

    /// <exception cref="CliConfigurationException">DIR has no dcap-qvl.js or no installed package, or node is missing.</exception>
    /// <exception cref="InvalidDataException">The script did not print its JSON line.</exception>
    /// <exception cref="TimeoutException">It ran a minute past the duration.</exception>
    public static Result Measure(string directory, string quotePath, string collateralPath, byte[] rootDer, DateTimeOffset at, TimeSpan duration)
    {
        directory = Path.GetFullPath(directory);
        var script = Path.Combine(directory, "dcap-qvl.js");
        if (!File.Exists(script) || !Directory.Exists(Path.Combine(directory, "node_modules", "@phala", "dcap-qvl")))
        {
            throw new CliConfigurationException($"--dcap-qvl {directory}: needs dcap-qvl.js and an installed @phala/dcap-qvl (run install.sh there).");
        }

        var root = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(root, rootDer);
            var info = new ProcessStartInfo("node")
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                script, "verify", Path.GetFullPath(quotePath), Path.GetFullPath(collateralPath), root,
                at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s"),
            })
            {
                info.ArgumentList.Add(argument);
            }

            Process process;
            try
            {
                process = Process.Start(info)!;
            }
            catch (Win32Exception e)
            {
                throw new CliConfigurationException($"--dcap-qvl: cannot run node ({e.Message}).");
            }

            using (process)
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(duration + TimeSpan.FromSeconds(60)))
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException("dcap-qvl did not finish within a minute of its duration.");
                }

                return Parse(stdout.Result, stderr.Result);
            }
        }
        finally
        {
            File.Delete(root);
        }
    }

    private static Result Parse(string stdout, string stderr)
    {
        try
        {
            using var json = JsonDocument.Parse(stdout);
            var result = json.RootElement;
            var ok = result.GetProperty("ok").GetBoolean();
            return new Result(
                result.TryGetProperty("verificationsPerSecond", out var rate) ? rate.GetDouble() : 0,
                result.TryGetProperty("iterations", out var count) ? count.GetInt64() : 0,
                ok ? result.GetProperty("status").GetString() : null,
                ok ? null : result.GetProperty("error").GetString());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"dcap-qvl printed no result ({e.Message}): {stdout}{stderr}".Trim(), e);
        }
    }
}
