using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace QuoteHelper.Daemon;

/// <summary>
/// Metrics and health over HTTP on <see cref="AesmDaemonOptions.MetricsListen"/>: <c>/metrics</c> (Prometheus
/// text), <c>/healthz</c> (200 while the process runs, draining included: this endpoint stops after the server), <c>/readyz</c> (200 only while it
/// serves the public socket path; 503 while starting, draining or after a handover). A small Kestrel app of its own,
/// so the AESM socket path never goes through HTTP machinery.
/// </summary>
internal sealed class MetricsEndpoint(AesmDaemonOptions options, DaemonMetrics metrics, AesmServerHostedService server,
    ILogger<MetricsEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>
    /// Binds the address and starts serving. Called before the host starts (<see cref="AesmDaemon.StartAsync"/>), so that
    /// an address that cannot be bound is the caller's clean error rather than a host start failure, which the host
    /// would log with its stack trace.
    /// </summary>
    /// <exception cref="MetricsListenException">The address cannot be bound (in use, not local, not permitted).</exception>
    public async Task BindAsync(CancellationToken cancellationToken)
    {
        var url = options.MetricsListen!;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url.ToString());
        var app = builder.Build();
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => server.Ready
            ? Results.Text("ready\n")
            : Results.Text(server.HandedOver ? "handed over\n" : "not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // Kestrel wraps some bind errors (EADDRINUSE: IOException "Failed to bind to address …") and not others
            // (EADDRNOTAVAIL: the bare SocketException).
            await app.DisposeAsync().ConfigureAwait(false);
            throw MetricsListenException.From(url, e);
        }

        _app = app;
        Log.MetricsListening(logger, string.Join(", ", app.Urls));
    }

    public Task StartAsync(CancellationToken cancellationToken) =>
        _app is null ? BindAsync(cancellationToken) : Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// The metrics and health address (<see cref="AesmDaemonOptions.MetricsListen"/>) cannot be bound: another process
/// has the port (EADDRINUSE), the address is not local (EADDRNOTAVAIL), or the port needs privileges (EACCES).
/// </summary>
public sealed class MetricsListenException : IOException
{
    private MetricsListenException(string message, Uri address, SocketError socketError, Exception inner) : base(message, inner)
    {
        Address = address;
        SocketError = socketError;
    }

    /// <summary>The address that could not be bound.</summary>
    public Uri Address { get; }

    /// <summary>The bind error (<see cref="SocketError.SocketError"/> when the cause was not a socket error).</summary>
    public SocketError SocketError { get; }

    internal static MetricsListenException From(Uri address, Exception bindFailure)
    {
        var socketError = SocketError.SocketError;
        for (Exception? e = bindFailure; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                socketError = socket.SocketErrorCode;
                break;
            }
        }

        var reason = socketError switch
        {
            SocketError.AddressAlreadyInUse => "address already in use (EADDRINUSE): another process listens on this port",
            SocketError.AddressNotAvailable => "no such local address (EADDRNOTAVAIL)",
            SocketError.AccessDenied => "permission denied (EACCES): ports below 1024 need privileges",
            _ => bindFailure.Message,
        };
        return new MetricsListenException($"cannot serve metrics and health on {address}: {reason}.", address, socketError, bindFailure);
    }
}
