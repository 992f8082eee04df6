using System.CommandLine;
using QuoteHelper.Client;
using QuoteHelper.Sgx;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// <c>quote-helper health</c>: a real AESM round trip, usable as an exec probe. Exit 0 only when the service
/// answers GetSupportedAttKeyIDNum with at least one key id and GetQuoteSizeEx for the default key (the attestation
/// key is ready); 1 otherwise, with the reason on stderr.
/// </summary>
internal static class HealthCommand
{
    public static Command Create()
    {
        var socket = CommonOptions.Socket();
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for each reply.", DefaultValueFactory = _ => 5 };
        var command = new Command("health", "Check a running helper with a real protocol round trip (exit 0 when healthy).") { socket, timeout };
        command.SetGuardedAction(async (parse, cancellationToken) =>
        {
            var client = new AesmClient(new AesmClientOptions { SocketPath = parse.GetValue(socket)!, Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)) });
            var count = await client.GetSupportedAttKeyIdNumAsync(cancellationToken).ConfigureAwait(false);
            if (!count.IsSuccess || count.Value == 0)
            {
                await Console.Error.WriteLineAsync($"unhealthy: GetSupportedAttKeyIDNum → {count.Status} (AESM {count.ServerError})").ConfigureAwait(false);
                return 1;
            }

            var size = await client.GetQuoteSizeExAsync(AttestationKeyId.DefaultEcdsaP256, cancellationToken).ConfigureAwait(false);
            if (!size.IsSuccess)
            {
                await Console.Error.WriteLineAsync($"unhealthy: GetQuoteSizeEx → {size.Status} (AESM {size.ServerError})").ConfigureAwait(false);
                return 1;
            }

            Console.Out.WriteLine($"healthy: {count.Value} attestation key id(s), quote size {size.Value} bytes");
            return 0;
        });
        return command;
    }
}
