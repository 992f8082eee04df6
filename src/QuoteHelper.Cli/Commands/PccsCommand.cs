using System.CommandLine;
using System.Runtime.InteropServices;
using QuoteHelper.Collateral.Caching;
using QuoteHelper.Collateral.Pcs;
using QuoteHelper.Collateral.Server;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// <c>quote-helper pccs</c>: runs the PCCS-compatible collateral server in the foreground on HTTP (loopback unless
/// <c>--allow-remote</c>) — for the simulated platform of a state directory (as a reader: read-only is enough), or as
/// a caching proxy in front of an upstream PCS/PCCS — until SIGINT or SIGTERM. docs/collateral.md.
/// </summary>
internal static class PccsCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen")
        {
            Description = "Where to listen: http://127.0.0.1:PORT (port 0 picks one); another IP address, such as http://0.0.0.0:PORT, needs --allow-remote.",
            Required = true,
        };
        var allowRemote = new Option<bool>("--allow-remote")
        {
            Description = "Allow --listen on a non-loopback address (plain HTTP, no authentication: anyone who reaches the port reads the collateral).",
        };
        var stateDir = new Option<string?>("--state-dir") { Description = "Serve the simulated platform of this state directory." };
        var scenario = new Option<string?>("--scenario") { Description = "With --state-dir: the TCB status to serve (see 'collateral --help'). Default UpToDate." };
        var create = StateDirectoryOptions.Create();
        var waitForPlatform = new Option<double>("--wait-for-platform")
        {
            Description = "With --state-dir: wait up to this many seconds for a helper to create the platform before failing (a server started beside the helper). Default 0.",
        };
        var upstream = new Option<string?>("--upstream") { Description = "Act as a caching proxy in front of this PCS/PCCS base URL." };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "With --upstream: keep the cache on disk here too (survives restarts)." };
        var staleHours = new Option<double>("--stale-hours")
        {
            Description = "With --upstream: when the upstream fails, serve an expired cache entry for at most this many hours past its freshness (marked Warning: 110). Default 0: never.",
        };
        var command = new Command("pccs", "Run the PCCS-compatible collateral server (simulated platform or caching proxy) in the foreground.")
        {
            listen, allowRemote, stateDir, scenario, create, waitForPlatform, upstream, cacheDir, staleHours,
        };
        command.SetGuardedAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(listen), UriKind.Absolute, out var listenUri))
            {
                throw new CliUsageException($"--listen must be http://127.0.0.1:PORT, got '{parse.GetValue(listen)}'.");
            }

            var hours = parse.GetValue(staleHours);
            if (hours < 0 || double.IsNaN(hours) || hours > 24 * 365)
            {
                throw new CliUsageException("--stale-hours must be between 0 and 8760.");
            }

            IPccsBackend backend;
            PcsClient? client = null;
            string what;
            if (parse.GetValue(stateDir) is { } directory)
            {
                if (parse.GetValue(upstream) is not null || parse.GetValue(cacheDir) is not null)
                {
                    throw new CliUsageException("--state-dir and --upstream/--cache-dir exclude each other.");
                }

                var chosen = CollateralCommand.ParseScenario(parse.GetValue(scenario));
                var wait = parse.GetValue(waitForPlatform);
                if (wait < 0 || double.IsNaN(wait) || wait > 3600)
                {
                    throw new CliUsageException("--wait-for-platform must be between 0 and 3600.");
                }

                // The server is a reader of the state directory: it never creates a platform unless --create says so.
                (await StateDirectoryOptions.OpenAsync(directory, parse.GetValue(create), TimeSpan.FromSeconds(wait), "pccs", cancellationToken).ConfigureAwait(false)).Dispose();
                var simulated = new SimulatedPccsBackend(directory, chosen, TimeProvider.System);
                _ = simulated.Current; // generate now: a bad state directory fails before "listening"
                backend = simulated;
                what = $"simulated platform in {Path.GetFullPath(directory)}, scenario {chosen.Name}";
            }
            else if (parse.GetValue(upstream) is { } upstreamUrl)
            {
                if (parse.GetValue(scenario) is not null || parse.GetValue(create) || parse.GetValue(waitForPlatform) != 0)
                {
                    throw new CliUsageException("--scenario, --create and --wait-for-platform apply to --state-dir only.");
                }

                if (!Uri.TryCreate(upstreamUrl, UriKind.Absolute, out var upstreamUri))
                {
                    throw new CliUsageException($"--upstream must be an absolute URL, got '{upstreamUrl}'.");
                }

                var cache = new CollateralCache(new CollateralCacheOptions
                {
                    Directory = parse.GetValue(cacheDir),
                    StaleServing = hours > 0 ? StaleServing.OnUpstreamFailure : StaleServing.Never,
                    MaxStaleness = TimeSpan.FromHours(hours),
                }, TimeProvider.System);
                try
                {
                    client = new PcsClient(new PcsClientOptions { BaseAddress = upstreamUri }, cache);
                }
                catch (ArgumentException e)
                {
                    throw new CliUsageException(e.Message);
                }

                backend = new ProxyPccsBackend(client);
                what = $"caching proxy for {client.Options.BaseAddress}" + (hours > 0 ? $", stale on upstream failure up to {hours} h" : ", never stale");
            }
            else
            {
                throw new CliUsageException("Give --state-dir DIR or --upstream URL.");
            }

            using (client)
            {
                PccsServer server;
                try
                {
                    server = await PccsServer.StartAsync(backend, listenUri, parse.GetValue(allowRemote), cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (ArgumentException e)
                {
                    throw new CliUsageException(e.Message);
                }

                await using (server.ConfigureAwait(false))
                {
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
                    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
                    Console.Out.WriteLine($"quote-helper pccs: listening on {server.BaseAddress} ({what})");
                    Console.Out.Flush();
                    await server.WaitForShutdownAsync(stop.Token).ConfigureAwait(false);
                    return 0;

                    void Stop(PosixSignalContext context)
                    {
                        context.Cancel = true;
                        stop.Cancel();
                    }
                }
            }
        });
        return command;
    }
}
