using QuoteHelper.Quoting;
using Microsoft.Extensions.Logging;
using QuoteHelper.Quoting.Simulation;
using QuoteHelper.Sgx.Simulation;

namespace QuoteHelper.Daemon;

/// <summary>
/// Starts the daemon on the simulated platform (design.md §3): opens (or creates) the platform in the state
/// directory, starts QE3 emulation with the attestation key loaded eagerly, publishes the simulated CPU beside the
/// socket so that simulated enclaves can make reports, and serves.
/// </summary>
public static class SimulationDaemon
{
    /// <summary>Opens the platform, publishes the simulated CPU and starts serving.</summary>
    /// <exception cref="AddressInUseException">A live service already listens on the socket path.</exception>
    /// <exception cref="InvalidDataException">The state directory holds an unreadable state.</exception>
    public static async Task<AesmDaemon> StartAsync(AesmDaemonOptions options, string stateDirectory,
        SimulatedPlatformOptions platformOptions, TimeProvider time, Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(platformOptions);

        // A live socket at the path is taken over only from this state directory's own helper (a handover); anything
        // else is refused before the state directory is touched: a helper that cannot serve must not update it.
        options.SocketPath = Path.GetFullPath(options.SocketPath);
        options.TakeOverFromLiveHelper = ServingMarker.NamesLiveSocket(stateDirectory, options.SocketPath, out var predecessor);
        options.PredecessorPid = predecessor;
        if (!options.TakeOverFromLiveHelper)
        {
            UnixSocketPath.EnsureNotTaken(options.SocketPath);
        }

        var platform = SimulatedPlatform.Open(stateDirectory, platformOptions, time);
        var backend = new SimulatedQuotingEnclave(platform, platformOptions.EagerAttestationKey);
        try
        {
            UnixSocketPath.EnsureDirectory(options.SocketPath, options.SocketDirectoryMode);
            PublishSimulatedCpu(platform.Cpu, SimulatedCpu.PathBesideSocket(options.SocketPath));
            var daemon = await AesmDaemon.StartAsync(options, backend, configureLogging, cancellationToken).ConfigureAwait(false);
            ServingMarker.Write(stateDirectory, options.SocketPath);
            daemon.OnDisposed(() =>
            {
                backend.Dispose();
                platform.Dispose();
            });
            return daemon;
        }
        catch
        {
            backend.Dispose();
            platform.Dispose();
            throw;
        }
    }

    // Atomic and world-readable: every simulated enclave on the node may EREPORT. The directory exists (EnsureDirectory).
    private static void PublishSimulatedCpu(SimulatedCpu cpu, string path)
    {
        AtomicFile.Write(path, cpu.ToJson(),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }
}
