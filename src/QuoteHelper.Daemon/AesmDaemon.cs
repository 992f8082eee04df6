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
        builder.Services.AddHostedService<AesmServerHostedService>();

        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new AesmDaemon(host, options, backend);
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

/// <summary>Runs <see cref="AesmSocketServer"/> for the lifetime of the host.</summary>
internal sealed class AesmServerHostedService(AesmDaemonOptions options, AesmService service, ILogger<AesmServerHostedService> logger) : IHostedService
{
    private AesmSocketServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var socketPath = options.SocketPath;
        if (UnixSocketPath.Prepare(socketPath))
        {
            Log.RemovedStaleSocket(logger, socketPath);
        }

        _server = AesmSocketServer.Start(socketPath, service, options, logger);
        File.SetUnixFileMode(socketPath, options.SocketMode);
        var identity = service.Backend.Identity;
        Log.Listening(logger, socketPath, identity.Mode, identity.QeSvn, identity.PceSvn);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is null)
        {
            return;
        }

        Log.Stopping(logger);
        await _server.StopAsync(options.ShutdownTimeout).ConfigureAwait(false);
        Log.Stopped(logger, _server.AcceptedConnections, _server.WaitedReads, _server.AsyncReads);
        await _server.DisposeAsync().ConfigureAwait(false);
        _server = null;

        // The socket file was removed when the listener closed (AesmSocketServer.StopAsync), not here: after the
        // drain a successor may own the path.
    }
}
