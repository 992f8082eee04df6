using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QuoteHelper.Quoting.Hardware;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Daemon;

/// <summary>
/// Starts the daemon over Intel's DCAP quote library (design.md §4, docs/hardware.md): loads and configures the
/// library, certifies the attestation key once for the clients when asked to, and serves.
/// </summary>
public static class HardwareDaemon
{
    /// <summary>Loads the DCAP library, optionally initialises the attestation key, and starts serving.</summary>
    /// <exception cref="AddressInUseException">A live service already listens on the socket path.</exception>
    /// <exception cref="DcapLibraryException">The DCAP library cannot be loaded or configured.</exception>
    public static async Task<AesmDaemon> StartAsync(AesmDaemonOptions options, DcapQuotingOptions dcap,
        Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dcap);

        // Refuse before loading enclaves: a helper that cannot serve must not take EPC from the one that does.
        UnixSocketPath.EnsureNotTaken(options.SocketPath);
        var backend = new DcapQuotingBackend(dcap);
        try
        {
            // One InitQuoteEx on behalf of the clients (design.md §5: no 42 after a restart). DCAP derives the key
            // from the platform and its TCB, so this is the key the clients would get themselves.
            var eager = dcap.EagerAttestationKey ? InitializeEagerly(backend) : (AesmError?)null;
            var daemon = await AesmDaemon.StartAsync(options, backend, configureLogging, cancellationToken).ConfigureAwait(false);
            daemon.OnDisposed(backend.Dispose);

            var logger = daemon.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HardwareDaemon));
            Log.DcapLoaded(logger, backend.LibraryPath, backend.UsesCoreFunctions ? "core sgx_ql_*" : "wrapper sgx_qe_*", dcap.LoadPolicy.ToString());
            if (eager is { } result)
            {
                if (result == AesmError.Success)
                {
                    Log.EagerKeyReady(logger, backend.Identity.AttestationKeyId);
                }
                else
                {
                    Log.EagerKeyFailed(logger, (uint)result, result.ToString());
                }
            }

            return daemon;
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    private static AesmError InitializeEagerly(DcapQuotingBackend backend)
    {
        Span<byte> targetInfo = stackalloc byte[TargetInfo.Size];
        Span<byte> publicKeyId = stackalloc byte[32];
        return backend.InitializeAttestationKey(targetInfo, publicKeyId);
    }
}
