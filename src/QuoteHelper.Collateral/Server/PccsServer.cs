using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QuoteHelper.Collateral.Pcs;

namespace QuoteHelper.Collateral.Server;

/// <summary>
/// A PCCS-compatible collateral server on plain HTTP, loopback unless asked otherwise (docs/collateral.md, "PCCS
/// server"): the routes of Intel's PCCS under <c>/sgx/certification/v3</c>, <c>/sgx/certification/v4</c> and <c>/tdx/certification/v4</c>
/// (<c>pckcrl</c>, <c>tcb</c>, <c>qe/identity</c>, <c>qve/identity</c>, <c>rootcacrl</c>, <c>crl</c>,
/// <c>pckcert</c>), parameters validated as PCCS does (400), answers from an <see cref="IPccsBackend"/> with Intel's
/// headers. Anything that speaks the PCCS API can fetch from it, including dcap-qvl's <c>getCollateral</c>.
/// </summary>
public sealed class PccsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PccsServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The address it listens on, e.g. <c>http://127.0.0.1:8081/</c> (the actual port when 0 was asked for).</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Starts serving <paramref name="backend"/> on <paramref name="listen"/>, an <c>http://</c> URL on a loopback
    /// address (127.0.0.1, [::1] or localhost); port 0 picks a free port.
    /// </summary>
    /// <exception cref="ArgumentException">Not an http URL on a loopback address.</exception>
    /// <exception cref="IOException">The port is taken.</exception>
    public static Task<PccsServer> StartAsync(IPccsBackend backend, Uri listen, Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default) =>
        StartAsync(backend, listen, allowRemote: false, configureLogging, cancellationToken);

    /// <summary>
    /// Starts serving <paramref name="backend"/> on <paramref name="listen"/>, an <c>http://</c> URL on an IP address;
    /// a non-loopback address (such as <c>0.0.0.0</c>, every interface) only when <paramref name="allowRemote"/> is
    /// true. Plain HTTP without authentication: collateral is public and signed, so other hosts can read it but not
    /// forge it (docs/collateral.md, "PCCS server").
    /// </summary>
    /// <exception cref="ArgumentException">Not an http URL on an IP address (or localhost), or not loopback without <paramref name="allowRemote"/>.</exception>
    /// <exception cref="IOException">The port is taken.</exception>
    public static async Task<PccsServer> StartAsync(IPccsBackend backend, Uri listen, bool allowRemote, Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var endpoint = ListenEndpoint(listen, allowRemote);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(endpoint);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestLineSize = 16 * 1024; // a pckcert query with encrypted_ppid is ~1.2 KB
            kestrel.Limits.MaxRequestBodySize = 0;
        });
        var app = builder.Build();
        app.MapGet("/{tee}/certification/{version}/{**route}", (HttpContext context, string tee, string version, string route) =>
            HandleAsync(backend, context, tee, version, route));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PccsServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled, then stops.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static IPEndPoint ListenEndpoint(Uri listen, bool allowRemote)
    {
        ArgumentNullException.ThrowIfNull(listen);
        if (!listen.IsAbsoluteUri || listen.Scheme != Uri.UriSchemeHttp || listen.AbsolutePath != "/")
        {
            throw new ArgumentException($"--listen must be http://127.0.0.1:PORT (plain HTTP on loopback), got '{listen}'.", nameof(listen));
        }

        var address = listen.Host switch
        {
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(listen.Host.Trim('[', ']'), out var ip) => ip,
            _ => throw new ArgumentException($"--listen takes an IP address (or localhost), not '{listen.Host}'.", nameof(listen)),
        };
        if (!IPAddress.IsLoopback(address) && !allowRemote)
        {
            throw new ArgumentException(
                $"The collateral server listens on loopback only unless --allow-remote is given, not on '{listen.Host}'.", nameof(listen));
        }

        return new IPEndPoint(address, listen.Port);
    }

    private static async Task HandleAsync(IPccsBackend backend, HttpContext context, string tee, string version, string route)
    {
        var query = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in context.Request.Query)
        {
            foreach (var value in values)
            {
                query.Add(new(name, value ?? ""));
            }
        }

        PcsResponse response;
        if (!PcsRequest.TryCreate(tee, version, route, query, out var request, out var error, out var notFound))
        {
            response = PcsResponse.Text(notFound ? 404 : 400, error!);
        }
        else
        {
            try
            {
                response = await backend.GetAsync(request!, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The server answers 500 for any backend failure instead of dropping the connection.
            catch (Exception e)
#pragma warning restore CA1031
            {
                response = PcsResponse.Text(500, $"Internal error: {e.GetType().Name}: {e.Message}");
            }
        }

        context.Response.StatusCode = response.StatusCode;
        if (response.ContentType is { } contentType)
        {
            context.Response.ContentType = contentType;
        }

        foreach (var (name, value) in response.Headers)
        {
            if (!name.Equals("Cache-Control", StringComparison.OrdinalIgnoreCase) || response.IsSuccess)
            {
                context.Response.Headers[name] = value;
            }
        }

        if (!response.Headers.ContainsKey(PcsHeaders.RequestId))
        {
            context.Response.Headers[PcsHeaders.RequestId] = context.TraceIdentifier;
        }

        context.Response.ContentLength = response.Body.Length;
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
