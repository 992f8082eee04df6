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

        var command = new Command("quote", "Get a quote for a simulated enclave's report, as a workload would (out-of-proc).")
        {
            socket, reportData, mrEnclave, mrSigner, isvProdId, isvSvn, debug, cpu, output,
        };
        command.SetGuardedAction(async (parse, cancellationToken) =>
        {
            var socketPath = Path.GetFullPath(parse.GetValue(socket)!);
            var cpuPath = parse.GetValue(cpu) ?? SimulatedCpu.PathBesideSocket(socketPath);
            if (!File.Exists(cpuPath))
            {
                throw new CliUsageException($"No simulated CPU at {cpuPath}: is a quote helper in simulation mode serving {socketPath}?");
            }

            var flags = SgxAttributeFlags.Initted | SgxAttributeFlags.Mode64Bit | (parse.GetValue(debug) ? SgxAttributeFlags.Debug : 0);
            var enclave = new SimulatedEnclave(SimulatedEnclave.LoadCpu(cpuPath))
            {
                MrEnclave = parse.GetValue(mrEnclave) is { } me ? CommonOptions.ParseFixedHex(me, 32, "--mrenclave") : Enumerable.Repeat((byte)0x11, 32).ToArray(),
                MrSigner = parse.GetValue(mrSigner) is { } ms ? CommonOptions.ParseFixedHex(ms, 32, "--mrsigner") : Enumerable.Repeat((byte)0x22, 32).ToArray(),
                IsvProdId = parse.GetValue(isvProdId),
                IsvSvn = parse.GetValue(isvSvn),
                Attributes = new SgxAttributes(flags, 0xE7),
            };
            var data = CommonOptions.ParseHex(parse.GetValue(reportData), 64, "--report-data");
            var provider = new QuoteProvider(new AesmClient(new AesmClientOptions { SocketPath = socketPath }));
            var quote = await provider.GetQuoteAsync(target => enclave.CreateReport(target, data), cancellationToken).ConfigureAwait(false);
            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllBytesAsync(path, quote, cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine($"quote-helper: wrote a {quote.Length}-byte quote to {path}");
            return 0;
        });
        return command;
    }
}
