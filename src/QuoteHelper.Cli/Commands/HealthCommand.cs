using System.CommandLine;
using QuoteHelper.Client;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;

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
            uint count;
            uint size;
            try
            {
                // A probe must not wait out a restart: one attempt each, the failure with its path, code and hint.
                count = (await client.GetSupportedAttKeyIdNumAsync(cancellationToken).ConfigureAwait(false)).GetValueOrThrow(QuoteExCall.GetSupportedAttKeyIdNum);
                if (count == 0)
                {
                    await Console.Error.WriteLineAsync("unhealthy: GetSupportedAttKeyIdNum answered 0 attestation key ids.").ConfigureAwait(false);
                    return 1;
                }

                size = (await client.GetQuoteSizeExAsync(AttestationKeyId.DefaultEcdsaP256, cancellationToken).ConfigureAwait(false)).GetValueOrThrow(QuoteExCall.GetQuoteSizeEx);
            }
            catch (AesmCallException e)
            {
                await Console.Error.WriteLineAsync($"unhealthy: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            Console.Out.WriteLine($"healthy: {count} attestation key id(s), quote size {size} bytes");
            return 0;
        });
        return command;
    }
}
