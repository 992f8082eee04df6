using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QuoteHelper.Quoting;

namespace QuoteHelper.Daemon;

/// <summary>
/// Builds and runs the daemon: a generic host (logging, systemd integration, SIGTERM/SIGINT handling) around
/// <see cref="AesmSocketServer"/>, plus the socket-path preparation. Thin: every protocol decision is in
/// <see cref="AesmService"/>.
/// </summary>
public sealed class AesmDaemon : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly List<Action> _onDisposed = [];

    private AesmDaemon(IHost host, AesmDaemonOptions options, IQuotingBackend backend)
    {
        _host = host;
        Options = options;
        Backend = backend;
    }

    /// <summary>The options the daemon runs with.</summary>
    public AesmDaemonOptions Options { get; }

    /// <summary>The quoting backend.</summary>
    public IQuotingBackend Backend { get; }

    /// <summary>The host's services (for tests and the CLI).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>The daemon's metrics.</summary>
    public DaemonMetrics Metrics => _host.Services.GetRequiredService<DaemonMetrics>();

    /// <summary>True while this daemon serves the public socket path.</summary>
    public bool Ready => _host.Services.GetRequiredService<AesmServerHostedService>().Ready;

    /// <summary>True once a successor has taken the socket over.</summary>
    public bool HandedOver => _host.Services.GetRequiredService<AesmServerHostedService>().HandedOver;

    /// <summary>
    /// Prepares the socket path, binds, sets the socket mode and starts serving. Returns once connections are
    /// accepted.
    /// </summary>
    /// <exception cref="AddressInUseException">A live service already listens on the path.</exception>
    public static async Task<AesmDaemon> StartAsync(AesmDaemonOptions options, IQuotingBackend backend,
        Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(backend);
        options.SocketPath = Path.GetFullPath(options.SocketPath);

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout + TimeSpan.FromSeconds(5));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        if (configureLogging is not null)
        {
            configureLogging(builder.Logging);
        }
        else if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; });
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(backend);
        builder.Services.AddSingleton<AesmService>();
        builder.Services.AddSingleton<DaemonMetrics>();
        builder.Services.AddSingleton<AesmServerHostedService>();

        // Hosted services stop in reverse order: the metrics endpoint is registered first so that /healthz and
        // /readyz (503) keep answering while the server drains.
        if (options.MetricsListen is not null)
        {
            builder.Services.AddSingleton<MetricsEndpoint>();
            builder.Services.AddHostedService(services => services.GetRequiredService<MetricsEndpoint>());
        }

        builder.Services.AddHostedService(services => services.GetRequiredService<AesmServerHostedService>());

        var host = builder.Build();
        try
        {
            // Bound before the host starts, so that a busy metrics port is one clean exception for the caller, not a
            // host start failure (which the host logs with the whole stack trace before rethrowing it).
            if (options.MetricsListen is not null)
            {
                await host.Services.GetRequiredService<MetricsEndpoint>().BindAsync(cancellationToken).ConfigureAwait(false);
            }

            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Whatever started (the metrics endpoint, the socket) is stopped and released with the host.
            await DisposeHostAsync(host).ConfigureAwait(false);
            throw;
        }

        return new AesmDaemon(host, options, backend);
    }

    private static async ValueTask DisposeHostAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncHost)
        {
            await asyncHost.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            host.Dispose();
        }
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, SIGINT or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        _host.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops accepting, finishes requests in flight (up to the shutdown timeout), removes the socket.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _host.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
        foreach (var action in _onDisposed)
        {
            action();
        }

        _onDisposed.Clear();
    }

    /// <summary>Runs <paramref name="action"/> after the host is disposed (releases what the daemon was built over).</summary>
    internal void OnDisposed(Action action) => _onDisposed.Add(action);
}

/// <summary>
/// Runs <see cref="AesmSocketServer"/> for the lifetime of the host, and watches the public path: when a
/// successor renames its socket over it (a zero-downtime update, design.md §5), this daemon drains and exits
/// (or, with <see cref="AesmDaemonOptions.StayAfterHandover"/>, stays alive and not ready until SIGTERM).
/// </summary>
internal sealed class AesmServerHostedService(
    AesmDaemonOptions options,
    AesmService service,
    DaemonMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<AesmServerHostedService> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopWatching = new();
    private AesmSocketServer? _server;
    private Thread? _watch;
    private int _handedOver;
    private Quoting.BackendIdentity? _publishedIdentity;

    /// <summary>True while this daemon serves the public path (not starting, not draining, not handed over).</summary>
    public bool Ready { get; private set; }

    /// <summary>True once a successor has taken the socket over.</summary>
    public bool HandedOver => Volatile.Read(ref _handedOver) == 1;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var socketPath = options.SocketPath;
        if (options.TakeOverFromLiveHelper)
        {
            UnixSocketPath.EnsureDirectory(socketPath, options.SocketDirectoryMode);
            metrics.Handovers.WithLabels("in").Inc();
            Log.TookOver(logger, socketPath, options.PredecessorPid);
        }
        else if (UnixSocketPath.Prepare(socketPath, options.SocketDirectoryMode))
        {
            Log.RemovedStaleSocket(logger, socketPath);
        }

        _server = AesmSocketServer.Start(socketPath, service, options, metrics, logger);
        var identity = service.Backend.Identity;
        metrics.SetBackend(identity);
        _publishedIdentity = identity;
        metrics.Ready.Set(1);
        Ready = true;
        Log.Listening(logger, socketPath, identity.Mode, identity.QeSvn, identity.PceSvn);

        // A dedicated thread rather than a thread-pool timer: each tick of a timer wakes a pool worker, which then
        // spins in sched_yield before it sleeps again, and under load every such yield hands the CPU to another
        // thread (measured: about one yield per quote, BENCHMARKS.md). The pool stays idle while quotes are served.
        _watch = new Thread(WatchOwnership) { IsBackground = true, Name = "aesm-handover-watch" };
        _watch.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        StopWatching();
        await StopServerAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        StopWatching();
        _stopWatching.Dispose();
    }

    private void StopWatching()
    {
        if (!_stopWatching.IsCancellationRequested)
        {
            _stopWatching.Cancel();
        }

        if (_watch is { } watch && watch != Thread.CurrentThread)
        {
            watch.Join();
        }
    }

    private void WatchOwnership()
    {
        var interval = options.HandoverPollInterval < AesmDaemonOptions.MinHandoverPollInterval
            ? AesmDaemonOptions.MinHandoverPollInterval
            : options.HandoverPollInterval;
        while (!_stopWatching.Token.WaitHandle.WaitOne(interval))
        {
            CheckOwnership();
        }
    }

    private void CheckOwnership()
    {
        // The backend identity can change after start (a lazily initialised attestation key): keep the metric current.
        var identity = service.Backend.Identity;
        if (identity != _publishedIdentity)
        {
            _publishedIdentity = identity;
            metrics.SetBackend(identity);
        }

        var server = _server;
        if (server is null || server.OwnsPublicPath || Interlocked.Exchange(ref _handedOver, 1) == 1)
        {
            return;
        }

        // A successor renamed its socket over the path: stop being ready, serve what reached us, then go.
        metrics.Handovers.WithLabels("out").Inc();
        Log.HandedOver(logger, options.SocketPath, options.StayAfterHandover ? "staying until SIGTERM" : "exiting");
        _ = Task.Run(async () =>
        {
            await StopServerAsync().ConfigureAwait(false);
            if (!options.StayAfterHandover)
            {
                lifetime.StopApplication();
            }
        });
    }

    private async Task StopServerAsync()
    {
        var server = Interlocked.Exchange(ref _server, null);
        if (server is null)
        {
            return;
        }

        Ready = false;
        metrics.Ready.Set(0);
        Log.Stopping(logger);
        await server.StopAsync(options.ShutdownTimeout).ConfigureAwait(false);
        Log.Stopped(logger, server.AcceptedConnections, server.WaitedReads, server.AsyncReads);
        await server.DisposeAsync().ConfigureAwait(false);
    }
}
