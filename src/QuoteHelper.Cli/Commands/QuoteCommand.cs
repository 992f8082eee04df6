using System.CommandLine;
using QuoteHelper.Client;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Simulation;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// <c>quote-helper quote</c>: acts as a simulated enclave in a workload — gets the QE target info over the socket,
/// makes its report, gets the quote, writes the quote's exact bytes.
/// </summary>
internal static class QuoteCommand
{
    public static Command Create()
    {
        var socket = CommonOptions.Socket();
        var reportData = new Option<string>("--report-data") { Description = "Report data, up to 64 bytes in hex (zero padded).", Required = true };
        var mrEnclave = new Option<string?>("--mrenclave") { Description = "MRENCLAVE of the simulated enclave (32 bytes hex); default 32 × 11." };
        var mrSigner = new Option<string?>("--mrsigner") { Description = "MRSIGNER of the simulated enclave (32 bytes hex); default 32 × 22." };
        var isvProdId = new Option<ushort>("--isv-prod-id") { Description = "ISV product id." };
        var isvSvn = new Option<ushort>("--isv-svn") { Description = "ISV security version." };
        var debug = new Option<bool>("--debug") { Description = "Set the DEBUG attribute (verifiers reject debug enclaves by default)." };
        var cpu = new Option<string?>("--simulated-cpu") { Description = $"The simulated CPU file; default: {SimulatedCpu.FileName} beside the socket." };
        var output = new Option<string>("--out") { Description = "File to write the quote to (its exact bytes).", Required = true };
        var waitForHelper = new Option<bool>("--wait-for-helper")
        {
            Description = "Recover as a workload's QuoteProvider does by default: retry while the socket is missing or nobody listens " +
                "(a helper restarting), up to 20 times (about 16.5 s), instead of failing at once.",
        };

        var command = new Command("quote", "Get a quote for a simulated enclave's report, as a workload would (out-of-proc).")
        {
            socket, reportData, mrEnclave, mrSigner, isvProdId, isvSvn, debug, cpu, output, waitForHelper,
        };
        command.SetGuardedAction(async (parse, cancellationToken) =>
        {
            var socketPath = Path.GetFullPath(parse.GetValue(socket)!);
            var cpuOption = parse.GetValue(cpu);
            var cpuPath = cpuOption ?? SimulatedCpu.PathBesideSocket(socketPath);
            if (cpuOption is not null && !File.Exists(cpuPath))
            {
                throw new CliUsageException($"No simulated CPU at {cpuPath} (--simulated-cpu).");
            }

            var flags = SgxAttributeFlags.Initted | SgxAttributeFlags.Mode64Bit | (parse.GetValue(debug) ? SgxAttributeFlags.Debug : 0);
            var mrEnclaveBytes = parse.GetValue(mrEnclave) is { } me ? CommonOptions.ParseFixedHex(me, 32, "--mrenclave") : Enumerable.Repeat((byte)0x11, 32).ToArray();
            var mrSignerBytes = parse.GetValue(mrSigner) is { } ms ? CommonOptions.ParseFixedHex(ms, 32, "--mrsigner") : Enumerable.Repeat((byte)0x22, 32).ToArray();
            var data = CommonOptions.ParseHex(parse.GetValue(reportData), 64, "--report-data");

            // The enclave is made when the QE's target info arrives, after the first call reached the helper: when
            // nothing serves the socket, that (with the path) is the error to report, not the simulated CPU file
            // missing beside it.
            SimulatedEnclave? enclave = null;
            Report CreateReport(TargetInfo target)
            {
                if (enclave is null)
                {
                    if (!File.Exists(cpuPath))
                    {
                        throw new CliUsageException($"No simulated CPU at {cpuPath}: the helper serving {socketPath} is not in simulation mode?");
                    }

                    enclave = new SimulatedEnclave(SimulatedEnclave.LoadCpu(cpuPath))
                    {
                        MrEnclave = mrEnclaveBytes,
                        MrSigner = mrSignerBytes,
                        IsvProdId = parse.GetValue(isvProdId),
                        IsvSvn = parse.GetValue(isvSvn),
                        Attributes = new SgxAttributes(flags, 0xE7),
                    };
                }

                return enclave.CreateReport(target, data);
            }

            // A person or a script waits for this command: a socket that is missing or that nobody listens on is
            // reported at once (exit 69) rather than retried for seconds; a connection closed without a reply (a
            // helper stopping mid-request) is still retried a few times (about 1.5 s in all). --wait-for-helper acts
            // as a workload does instead: the library's default recovery across a helper's restart.
            var options = parse.GetValue(waitForHelper)
                ? new QuoteProviderOptions()
                : new QuoteProviderOptions { RetryWhenCannotConnect = false, MaxUnavailableRetries = 5 };
            using var provider = new QuoteProvider(new AesmClient(new AesmClientOptions { SocketPath = socketPath }), options);
            var quote = await provider.GetQuoteAsync(CreateReport, cancellationToken).ConfigureAwait(false);
            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllBytesAsync(path, quote, cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine($"quote-helper: wrote a {quote.Length}-byte quote to {path}");
            return 0;
        });
        return command;
    }
}
