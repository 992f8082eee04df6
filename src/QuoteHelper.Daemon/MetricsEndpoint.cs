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

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.MetricsListen!.ToString());
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
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        Log.MetricsListening(logger, string.Join(", ", app.Urls));
    }

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
