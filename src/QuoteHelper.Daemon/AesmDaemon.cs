using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QuoteHelper.Quoting;

namespace QuoteHelper.Daemon;

/// <summary>
/// Builds and runs the daemon: Kestrel's Unix-socket transport with <see cref="AesmConnectionHandler"/> as a raw
/// connection handler (house-style habit 15), systemd integration, and the socket-path preparation. Thin: every
/// protocol decision is in <see cref="AesmService"/>.
/// </summary>
public sealed class AesmDaemon : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<Action> _onDisposed = [];

    private AesmDaemon(WebApplication app, AesmDaemonOptions options, IQuotingBackend backend)
    {
        _app = app;
        Options = options;
        Backend = backend;
    }

    /// <summary>The options the daemon runs with.</summary>
    public AesmDaemonOptions Options { get; }

    /// <summary>The quoting backend.</summary>
    public IQuotingBackend Backend { get; }

    /// <summary>The host's services (for tests and the CLI).</summary>
    public IServiceProvider Services => _app.Services;

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
        var socketPath = Path.GetFullPath(options.SocketPath);
        var removedStale = UnixSocketPath.Prepare(socketPath);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Host.UseSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.Logging.ClearProviders();
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

        builder.Services.AddSingleton(backend);
        builder.Services.AddSingleton<AesmService>();
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
            kestrel.ListenUnixSocket(socketPath, listen => listen.UseConnectionHandler<AesmConnectionHandler>());
        });

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("QuoteHelper.Daemon");
        if (removedStale)
        {
            Log.RemovedStaleSocket(logger, socketPath);
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(socketPath, options.SocketMode);
        var identity = backend.Identity;
        Log.Listening(logger, socketPath, identity.Mode, identity.QeSvn, identity.PceSvn);
        app.Lifetime.ApplicationStopping.Register(() => Log.Stopping(logger));
        return new AesmDaemon(app, options, backend);
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, SIGINT or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops accepting, finishes requests in flight (up to the shutdown timeout), removes the socket.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        foreach (var action in _onDisposed)
        {
            action();
        }

        _onDisposed.Clear();
    }

    /// <summary>Runs <paramref name="action"/> after the host is disposed (releases what the daemon was built over).</summary>
    internal void OnDisposed(Action action) => _onDisposed.Add(action);
}
