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
    // The simulated CPU file: 0644, world-readable (every simulated enclave on the node reads it).
    private const UnixFileMode CpuFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

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
        var socketDirectory = Path.GetDirectoryName(options.SocketPath)!;
        var createdSocketDirectory = !Directory.Exists(socketDirectory);
        var cpuPath = SimulatedCpu.PathBesideSocket(options.SocketPath);
        byte[]? previousCpu = null;
        var publishedCpu = false;
        try
        {
            UnixSocketPath.EnsureDirectory(options.SocketPath, options.SocketDirectoryMode);
            previousCpu = ReadIfPresent(cpuPath);
            PublishSimulatedCpu(platform.Cpu, cpuPath);
            publishedCpu = true;
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

            // A helper that did not start leaves the socket directory as it found it: no CPU file of its own behind,
            // and a predecessor's (a refused or failed handover) restored, since that helper's enclaves read it.
            if (publishedCpu)
            {
                Restore(cpuPath, previousCpu);
            }

            if (createdSocketDirectory && Directory.Exists(socketDirectory) && !Directory.EnumerateFileSystemEntries(socketDirectory).Any())
            {
                Directory.Delete(socketDirectory);
            }

            throw;
        }
    }

    private static byte[]? ReadIfPresent(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static void Restore(string path, byte[]? previous)
    {
        if (previous is null)
        {
            File.Delete(path);
        }
        else
        {
            AtomicFile.Write(path, previous, CpuFileMode);
        }
    }

    // Atomic and world-readable: every simulated enclave on the node may EREPORT. The directory exists (EnsureDirectory).
    private static void PublishSimulatedCpu(SimulatedCpu cpu, string path) => AtomicFile.Write(path, cpu.ToJson(), CpuFileMode);
}
