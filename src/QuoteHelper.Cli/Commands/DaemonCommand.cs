using System.CommandLine;
using QuoteHelper.Daemon;
using QuoteHelper.Quoting.Hardware;
using QuoteHelper.Quoting.Simulation;

namespace QuoteHelper.Cli.Commands;

/// <summary><c>quote-helper daemon</c>: the AESM-compatible service in the foreground, on the simulated platform or on hardware (<c>--backend</c>).</summary>
internal static class DaemonCommand
{
    public const string DefaultStateDirectory = "/var/lib/quote-helper";

    public static Command Create()
    {
        var socket = CommonOptions.Socket();
        var stateDir = new Option<string>("--state-dir")
        {
            Description = "Directory of the simulated platform's persistent state (created 0700 on first start).",
            DefaultValueFactory = _ => DefaultStateDirectory,
        };
        var socketMode = new Option<string>("--socket-mode")
        {
            Description = "Octal mode of the socket file; 0666 lets any local user connect, as Intel's aesmd does.",
            DefaultValueFactory = _ => "0666",
        };
        var socketDirMode = new Option<string?>("--socket-dir-mode")
        {
            Description = "Octal mode of the socket's directory (created or changed); default: create 0755, leave an existing one alone.",
        };
        var readTimeout = new Option<double>("--read-timeout")
        {
            Description = "Seconds a client has to send its whole request before it is disconnected.",
            DefaultValueFactory = _ => 10,
        };
        var maxConnections = new Option<int>("--max-connections")
        {
            Description = "Most connections served at once; more are closed without a reply.",
            DefaultValueFactory = _ => 1024,
        };
        var shutdownTimeout = new Option<double>("--shutdown-timeout")
        {
            Description = "Seconds to finish requests in flight after SIGTERM.",
            DefaultValueFactory = _ => 30,
        };
        var jsonLogs = new Option<bool>("--json-logs") { Description = "Log one JSON object per line." };
        var qeSvn = new Option<ushort?>("--qe-svn") { Description = "Run a simulated QE with this ISVSVN (a QE update when it differs from the state)." };
        var pceSvn = new Option<ushort?>("--pce-svn") { Description = "Run a simulated PCE with this ISVSVN (re-issues the PCK certificate)." };
        var cpuSvn = new Option<string?>("--cpu-svn") { Description = "Simulated CPUSVN, 32 hex digits (re-issues the PCK certificate)." };
        var lazyKey = new Option<bool>("--lazy-attestation-key")
        {
            Description = "Behave like Intel's aesmd: answer 42 until a client's InitQuoteEx certifies the key (default: load it at start).",
        };

        var metricsListen = new Option<string?>("--metrics-listen")
        {
            Description = "Serve Prometheus metrics and health (/metrics, /healthz, /readyz) at this URL, e.g. http://127.0.0.1:9464.",
        };
        var allowUid = new Option<uint[]>("--allow-uid") { Description = "Only peers with this uid (repeatable; or an allowed gid) may connect.", AllowMultipleArgumentsPerToken = false };
        var allowGid = new Option<uint[]>("--allow-gid") { Description = "Only peers with this gid (repeatable; or an allowed uid) may connect." };
        var maxConcurrentPerPeer = new Option<int>("--max-concurrent-per-peer") { Description = "Most requests in flight per peer uid; more are answered AESM_BUSY. 0: no limit." };
        var maxRatePerPeer = new Option<double>("--max-requests-per-second-per-peer") { Description = "Most requests per second per peer uid (token bucket); more are answered AESM_BUSY. 0: no limit." };
        var stayAfterHandover = new Option<bool>("--stay-after-handover")
        {
            Description = "After a successor takes the socket over, stay alive (not ready) until SIGTERM instead of exiting (for Kubernetes).",
        };

        var backend = new Option<string>("--backend")
        {
            Description = "simulation (default: the simulated platform in --state-dir) or hardware (Intel's DCAP quote library, /dev/sgx_*).",
            DefaultValueFactory = _ => "simulation",
        };
        backend.AcceptOnlyFromAmong("simulation", "hardware");
        var dcapLibrary = new Option<string>("--dcap-library")
        {
            Description = "Hardware mode: path or name of Intel's DCAP quote library.",
            DefaultValueFactory = _ => "libsgx_dcap_ql.so.1",
        };

        var command = new Command("daemon", "Run the AESM-compatible quote service in the foreground (simulated platform or hardware).")
        {
            backend, dcapLibrary,
            socket, stateDir, socketMode, socketDirMode, readTimeout, maxConnections, shutdownTimeout, jsonLogs, qeSvn, pceSvn, cpuSvn, lazyKey,
            metricsListen, allowUid, allowGid, maxConcurrentPerPeer, maxRatePerPeer, stayAfterHandover,
        };
        command.SetGuardedAction(async (parse, cancellationToken) =>
        {
            var readSeconds = parse.GetValue(readTimeout);
            var shutdownSeconds = parse.GetValue(shutdownTimeout);
            var connections = parse.GetValue(maxConnections);
            if (readSeconds is <= 0 or > 3600 || shutdownSeconds is < 0 or > 3600 || connections < 1)
            {
                throw new CliUsageException("--read-timeout must be in (0, 3600] s, --shutdown-timeout in [0, 3600] s and --max-connections at least 1.");
            }

            var options = new AesmDaemonOptions
            {
                SocketPath = Path.GetFullPath(parse.GetValue(socket)!),
                SocketMode = CommonOptions.ParseMode(parse.GetValue(socketMode)!),
                SocketDirectoryMode = parse.GetValue(socketDirMode) is { } dirMode ? CommonOptions.ParseMode(dirMode, "--socket-dir-mode") : null,
                ReadTimeout = TimeSpan.FromSeconds(readSeconds),
                MaxConnections = connections,
                ShutdownTimeout = TimeSpan.FromSeconds(shutdownSeconds),
                JsonLogs = parse.GetValue(jsonLogs),
                MetricsListen = parse.GetValue(metricsListen) is { } url
                    ? Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "http" ? uri : throw new CliUsageException($"--metrics-listen must be an http:// URL, got '{url}'.")
                    : null,
                MaxConcurrentPerPeer = Math.Max(0, parse.GetValue(maxConcurrentPerPeer)),
                MaxRequestsPerSecondPerPeer = Math.Max(0, parse.GetValue(maxRatePerPeer)),
                StayAfterHandover = parse.GetValue(stayAfterHandover),
            };
            foreach (var uid in parse.GetValue(allowUid) ?? [])
            {
                options.AllowedUids.Add(uid);
            }

            foreach (var gid in parse.GetValue(allowGid) ?? [])
            {
                options.AllowedGids.Add(gid);
            }

            var platformOptions = new SimulatedPlatformOptions
            {
                QeSvn = parse.GetValue(qeSvn),
                PceSvn = parse.GetValue(pceSvn),
                CpuSvn = parse.GetValue(cpuSvn) is { } hex ? CommonOptions.ParseFixedHex(hex, 16, "--cpu-svn") : null,
                EagerAttestationKey = !parse.GetValue(lazyKey),
            };

            AesmDaemon daemon;
            try
            {
                daemon = parse.GetValue(backend) == "hardware"
                    ? await HardwareDaemon.StartAsync(options, new DcapQuotingOptions { LibraryPath = parse.GetValue(dcapLibrary)!, EagerAttestationKey = platformOptions.EagerAttestationKey },
                        null, cancellationToken).ConfigureAwait(false)
                    : await SimulationDaemon.StartAsync(options, parse.GetValue(stateDir)!, platformOptions,
                        TimeProvider.System, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (DcapLibraryException e)
            {
                throw new CliConfigurationException(e.Message);
            }
            catch (InvalidDataException e)
            {
                throw new CliConfigurationException($"the state directory cannot be used: {e.Message}");
            }
            catch (MetricsListenException e)
            {
                // Everything the daemon had started is released by now (no socket; the simulated CPU file as found).
                var message = $"--metrics-listen: {e.Message}";
                throw e.SocketError == System.Net.Sockets.SocketError.AccessDenied
                    ? new UnauthorizedAccessException(message, e)
                    : new CliUnavailableException(message);
            }

            await using var disposeDaemon = daemon.ConfigureAwait(false);
            var identity = daemon.Backend.Identity;
            Console.Out.WriteLine($"quote-helper: listening on {options.SocketPath} (mode {CommonOptions.Octal(options.SocketMode)}, " +
                $"{identity.Mode}, QE SVN {identity.QeSvn}, PCE SVN {identity.PceSvn})");
            Console.Out.Flush();
            await daemon.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
