using System.CommandLine;
using System.Text;
using Microsoft.Extensions.Logging;
using QuoteHelper.Cli.Demo;
using QuoteHelper.Client;
using QuoteHelper.Collateral.Simulation;
using QuoteHelper.Daemon;
using QuoteHelper.Quoting.Simulation;
using QuoteHelper.Sgx.Quotes;
using QuoteHelper.Verification;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// <c>quote-helper demo</c>: the whole story on one machine — a helper on a temporary socket and state directory,
/// a workload that gets a quote out-of-proc, the checks a relying party makes, and clean-up.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var keep = new Option<string?>("--out") { Description = "Also write the demo's quote to this file." };
        var command = new Command("demo", "Start a helper on a temporary socket, get a quote out-of-proc as a workload would, check it, clean up.")
        {
            keep,
        };
        command.SetGuardedAction(async (parse, cancellationToken) =>
        {
            var workDirectory = Directory.CreateTempSubdirectory("quote-helper-demo-");
            try
            {
                var socketPath = Path.Combine(workDirectory.FullName, "aesmd", "aesm.socket");
                var stateDirectory = Path.Combine(workDirectory.FullName, "state");
                var output = Console.Out;
                output.WriteLine("Quote Helper demo (simulated platform: real quote format, simulated trust)");
                output.WriteLine();

                var daemon = await SimulationDaemon.StartAsync(new AesmDaemonOptions { SocketPath = socketPath }, stateDirectory,
                    new SimulatedPlatformOptions(), TimeProvider.System, logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(),
                    cancellationToken).ConfigureAwait(false);
                await using var disposeDaemon = daemon.ConfigureAwait(false);
                var identity = daemon.Backend.Identity;
                output.WriteLine($"1. Helper listening on {socketPath}");
                output.WriteLine($"   backend {identity.Mode}, QE SVN {identity.QeSvn}, PCE SVN {identity.PceSvn}, attestation key {identity.AttestationKeyId[..16]}…");

                var enclave = SimulatedEnclave.ForSocket(socketPath);
                var reportData = Encoding.ASCII.GetBytes("Hello from the Quote Helper demo");
                var provider = new QuoteProvider(new AesmClient(new AesmClientOptions { SocketPath = socketPath }));
                var quote = await provider.GetQuoteAsync(target => enclave.CreateReport(target, reportData), cancellationToken).ConfigureAwait(false);
                output.WriteLine($"2. Workload (simulated enclave, MRENCLAVE {Convert.ToHexStringLower(enclave.MrEnclave)[..16]}…) got a {quote.Length}-byte quote out-of-proc");
                output.WriteLine("   (InitQuoteEx → report for the QE target info → GetQuoteSizeEx → GetQuoteEx, as libsgx_quote_ex does)");

                var parsed = Quote.Parse(quote);
                output.WriteLine($"   report data: \"{Encoding.ASCII.GetString(parsed.Body.ReportData).TrimEnd('\0')}\"");

                var simulation = (SimulatedQuotingEnclave)daemon.Backend;
                var platform = simulation.Platform;
                var now = DateTimeOffset.UtcNow;
                output.WriteLine("3. Relying party checks (trusting only the simulation root):");
                var steps = QuoteCheck.Run(quote, platform.RootCertificate, now);
                foreach (var step in steps)
                {
                    output.WriteLine($"   [{(step.Passed ? "ok" : "FAILED")}] {step.Name}: {step.Detail}");
                }

                // The full DCAP pipeline with the simulated platform's collateral (TCB Info, QE Identity, CRLs).
                var collateral = SimulatedCollateral.Create(platform, CollateralScenario.UpToDate, now).ToQuoteCollateral();
                var verifier = new QuoteVerifier(new QuoteVerifierOptions { TrustedRootDer = platform.RootCertificate.RawData });
                var verdict = verifier.Verify(quote, collateral, now);
                var pipelinePassed = verdict.IsVerified && verdict.Status == TcbStatus.UpToDate;
                output.WriteLine($"4. DCAP verification pipeline (docs/verification.md, steps 1-16) with the simulated collateral:");
                output.WriteLine(verdict.IsVerified
                    ? $"   [ok] status {verdict.Status}, QE TCB {verdict.QeTcbStatus}, advisories [{string.Join(", ", verdict.AdvisoryIds)}], FMSPC {Convert.ToHexString(verdict.Fmspc ?? [])}"
                    : $"   [FAILED] step {verdict.FailedStep}: {verdict.FailureReason} {verdict.FailureDetail}");

                if (parse.GetValue(keep) is { } path)
                {
                    await File.WriteAllBytesAsync(path, quote, cancellationToken).ConfigureAwait(false);
                    output.WriteLine($"   quote written to {Path.GetFullPath(path)}");
                }

                await daemon.StopAsync(cancellationToken).ConfigureAwait(false);
                output.WriteLine($"5. Helper stopped; socket removed: {!File.Exists(socketPath)}");
                var passed = steps.All(s => s.Passed) && pipelinePassed;
                output.WriteLine(passed ? "Demo passed." : "Demo FAILED.");
                return passed ? 0 : 1;
            }
            finally
            {
                workDirectory.Delete(recursive: true);
            }
        });
        return command;
    }
}
