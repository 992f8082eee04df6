using System.Net;
using System.Net.Sockets;
using System.Text;
using QuoteHelper.Collateral.Caching;
using QuoteHelper.Collateral.Pcs;
using QuoteHelper.Collateral.Server;
using QuoteHelper.Collateral.Simulation;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Collateral.Tests;

/// <summary>The PCS client against the real PCCS server on loopback (random free port): every route and header.</summary>
public sealed class PccsServerTests(SimulatedPlatformFixture fixture) : IAsyncLifetime
{
    private static readonly Uri s_anyPort = new("http://127.0.0.1:0");
    private SimulatedPccsBackend _backend = null!;
    private PccsServer _server = null!;
    private PcsClient _client = null!;
    private readonly HttpClient _http = new();

    public async ValueTask InitializeAsync()
    {
        _backend = new SimulatedPccsBackend(fixture.StateDirectory, CollateralScenario.UpToDate, TimeProvider.System);
        _server = await PccsServer.StartAsync(_backend, s_anyPort);
        _client = new PcsClient(new PcsClientOptions { BaseAddress = _server.BaseAddress });
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private Task<HttpResponseMessage> GetAsync(string pathAndQuery) => _http.GetAsync(new Uri(_server.BaseAddress, pathAndQuery));

    [Fact]
    public async Task StartAsync_NonLoopbackOrNonHttp_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => PccsServer.StartAsync(_backend, new Uri("http://0.0.0.0:0")));
        await Assert.ThrowsAsync<ArgumentException>(() => PccsServer.StartAsync(_backend, new Uri("https://127.0.0.1:0")));
        Assert.Equal("127.0.0.1", _server.BaseAddress.Host);
        Assert.NotEqual(0, _server.BaseAddress.Port);
    }

    [Fact]
    public async Task StartAsync_AllowRemote_ListensOnEveryInterface_HostNamesStillRefused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => PccsServer.StartAsync(_backend, new Uri("http://0.0.0.0:0")));
        Assert.Equal("The collateral server listens on loopback only unless --allow-remote is given, not on '0.0.0.0'. (Parameter 'listen')", error.Message);
        error = await Assert.ThrowsAsync<ArgumentException>(() => PccsServer.StartAsync(_backend, new Uri("http://example.com:0"), allowRemote: true));
        Assert.Equal("--listen takes an IP address (or localhost), not 'example.com'. (Parameter 'listen')", error.Message);

        await using var remote = await PccsServer.StartAsync(_backend, new Uri("http://0.0.0.0:0"), allowRemote: true);

        Assert.Equal("0.0.0.0", remote.BaseAddress.Host);
        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{remote.BaseAddress.Port}/sgx/certification/v4/rootcacrl"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Tcb_V4_BodyByteExactWithTcbInfoIssuerChainUrlEncoded()
    {
        var expected = _backend.Current;
        using var response = await GetAsync($"sgx/certification/v4/tcb?fmspc={expected.Fmspc.ToLowerInvariant()}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(expected.TcbInfoBody, await response.Content.ReadAsByteArrayAsync());
        var raw = response.Headers.GetValues(PcsHeaders.TcbInfoIssuerChain).Single();
        Assert.StartsWith("-----BEGIN%20CERTIFICATE-----%0A", raw, StringComparison.Ordinal);
        Assert.Equal(expected.TcbSigningChain, Uri.UnescapeDataString(raw));
        Assert.False(response.Headers.Contains(PcsHeaders.SgxTcbInfoIssuerChain));
        Assert.True(response.Headers.Contains(PcsHeaders.RequestId));

        var document = await _client.GetTcbInfoAsync(expected.Fmspc);
        Assert.Equal(expected.TcbInfo, document.Inner);
        Assert.Equal(expected.TcbInfoSignature, document.Signature);
        Assert.Equal(expected.TcbSigningChain, document.IssuerChain);
    }

    [Fact]
    public async Task Tcb_V3_ServesTcbInfoV2UnderTheV3HeaderName()
    {
        var expected = _backend.Current;
        using var response = await GetAsync($"sgx/certification/v3/tcb?fmspc={expected.Fmspc}");
        Assert.Equal(expected.TcbInfoV2Body, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(expected.TcbSigningChain, Uri.UnescapeDataString(response.Headers.GetValues(PcsHeaders.SgxTcbInfoIssuerChain).Single()));

        using var v3 = new PcsClient(new PcsClientOptions { BaseAddress = new Uri(_server.BaseAddress, "sgx/certification/v3/") });
        Assert.Equal(PcsApiVersion.V3, v3.Options.Version);
        var document = await v3.GetTcbInfoAsync(expected.Fmspc);
        Assert.Equal(expected.TcbInfoV2, document.Inner);
    }

    [Fact]
    public async Task QeIdentity_BodyByteExactWithEnclaveIdentityChain()
    {
        var expected = _backend.Current;
        using var response = await GetAsync("sgx/certification/v4/qe/identity?update=standard");
        Assert.Equal(expected.QeIdentityBody, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(expected.TcbSigningChain, Uri.UnescapeDataString(response.Headers.GetValues(PcsHeaders.EnclaveIdentityIssuerChain).Single()));

        var document = await _client.GetQeIdentityAsync();
        Assert.Equal(expected.QeIdentity, document.Inner);
        Assert.Equal(expected.QeIdentitySignature, document.Signature);
    }

    [Theory]
    [InlineData("&encoding=der", "application/pkix-crl")]
    [InlineData("&encoding=pem", "application/x-pem-file")]
    [InlineData("", "application/x-pem-file")]
    public async Task PckCrl_DerAndPem_WithIssuerChain(string encoding, string contentType)
    {
        var expected = _backend.Current;
        using var response = await GetAsync($"sgx/certification/v4/pckcrl?ca=processor{encoding}");
        Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(expected.PckCrl, CrlEncoding.ToDer(body));
        if (encoding == "&encoding=der")
        {
            Assert.Equal(expected.PckCrl, body);
        }
        else
        {
            Assert.StartsWith("-----BEGIN X509 CRL-----", Encoding.ASCII.GetString(body), StringComparison.Ordinal);
        }

        Assert.Equal(expected.PckCaChain, Uri.UnescapeDataString(response.Headers.GetValues(PcsHeaders.PckCrlIssuerChain).Single()));
        var fetched = await _client.GetPckCrlAsync(PckCaType.Processor, encoding == "&encoding=der" ? PckCrlEncoding.Der : PckCrlEncoding.Pem);
        Assert.Equal(expected.PckCrl, fetched.Der);
        Assert.Equal(expected.PckCaChain, fetched.IssuerChain);
    }

    [Fact]
    public async Task RootCaCrl_IsHexOfDer_AndCrlUriIsDer()
    {
        var expected = _backend.Current;
        using var response = await GetAsync("sgx/certification/v4/rootcacrl");
        Assert.Equal(Convert.ToHexStringLower(expected.RootCaCrl), await response.Content.ReadAsStringAsync());
        Assert.Equal(expected.RootCaCrl, await _client.GetRootCaCrlAsync());

        var cdp = Uri.EscapeDataString("https://localhost:8081/sgx/certification/v4/rootcacrl");
        using var crl = await GetAsync($"sgx/certification/v4/crl?uri={cdp}");
        Assert.Equal(expected.RootCaCrl, await crl.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PckCert_KnownPlatform_PemWithIntelHeaders()
    {
        var expected = _backend.Current;
        var pceSvn = Convert.ToHexString([(byte)expected.PckPceSvn, (byte)(expected.PckPceSvn >> 8)]);
        var document = await _client.GetPckCertificateAsync(expected.QeId, Convert.ToHexString(expected.PckComponents), pceSvn, expected.PceId);

        Assert.Equal(expected.PckCertificatePem, document.CertificatePem);
        Assert.Equal(expected.PckCaChain, document.IssuerChain);
        Assert.Equal(expected.Tcbm, document.Tcbm);
        Assert.Equal(Convert.ToHexString(expected.PckComponents) + pceSvn, document.Tcbm);
        Assert.Equal(expected.Fmspc, document.Fmspc);
        Assert.Equal("processor", document.CaType);

        var unknown = await Assert.ThrowsAsync<PcsException>(() =>
            _client.GetPckCertificateAsync(new string('0', 32), Convert.ToHexString(expected.PckComponents), pceSvn, expected.PceId));
        Assert.Equal(404, unknown.StatusCode);
    }

    [Theory]
    [InlineData("sgx/certification/v4/tcb", 400)] // fmspc required
    [InlineData("sgx/certification/v4/tcb?fmspc=00A0671100", 400)] // 10 hex digits
    [InlineData("sgx/certification/v4/tcb?fmspc=00A06711000G", 400)]
    [InlineData("sgx/certification/v4/tcb?fmspc=00A067110000&update=early&tcbEvaluationDataNumber=17", 400)]
    [InlineData("sgx/certification/v4/tcb?fmspc=00906ED50000", 404)] // another platform
    [InlineData("sgx/certification/v4/pckcrl", 400)]
    [InlineData("sgx/certification/v4/pckcrl?ca=intel", 400)]
    [InlineData("sgx/certification/v4/pckcrl?ca=platform", 404)]
    [InlineData("sgx/certification/v4/pckcert?qeid=00&cpusvn=00&pcesvn=0000&pceid=0000", 400)]
    [InlineData("sgx/certification/v5/tcb?fmspc=00A067110000", 404)]
    [InlineData("sgx/certification/v4/nothing", 404)]
    [InlineData("tdx/certification/v4/pckcrl?ca=processor", 404)]
    [InlineData("tdx/certification/v4/qe/identity", 404)] // the simulated platform has no TD-QE
    [InlineData("sgx/certification/v4/tcb?fmspc=00A067110000&fmspc=00A067110000", 400)]
    public async Task BadOrUnknownRequests_GetPccsStatusCodes(string pathAndQuery, int status)
    {
        using var response = await GetAsync(pathAndQuery);
        Assert.Equal(status, (int)response.StatusCode);
    }

    [Fact]
    public async Task GetCollateralAsync_ForTheQuote_EqualsTheServedCollateralByteForByte()
    {
        var expected = _backend.Current.ToQuoteCollateral();
        var fetched = await _client.GetCollateralAsync(fixture.Quote);

        Assert.Equal(QuoteCollateralJson.Serialize(expected), QuoteCollateralJson.Serialize(fetched));
    }

    [Fact]
    public async Task GetCollateralAsync_NotAQuote_IsTypedUnsupportedQuote()
    {
        var e = await Assert.ThrowsAsync<PcsException>(() => _client.GetCollateralAsync(new byte[100]));
        Assert.Equal(PcsError.UnsupportedQuote, e.Reason);
    }

    [Fact]
    public async Task Client_OversizedResponse_IsTypedErrorNotBuffered()
    {
        // Content-Length above the cap: refused before reading.
        await using var big = await PccsServer.StartAsync(new FixedBackend(new PcsResponse(200, new byte[3 * 1024 * 1024], "application/json")), s_anyPort);
        using var client = new PcsClient(new PcsClientOptions { BaseAddress = big.BaseAddress, MaxResponseLength = 1024 * 1024 });
        var e = await Assert.ThrowsAsync<PcsException>(() => client.GetQeIdentityAsync());
        Assert.Equal(PcsError.ResponseTooLarge, e.Reason);
        Assert.Equal("/sgx/certification/v4/qe/identity", e.Route);

        // Chunked, no Content-Length: cut off while reading.
        using var chunked = new ChunkedServer(2 * 1024 * 1024);
        using var client2 = new PcsClient(new PcsClientOptions { BaseAddress = chunked.BaseAddress, MaxResponseLength = 64 * 1024 });
        var e2 = await Assert.ThrowsAsync<PcsException>(() => client2.GetTcbInfoAsync("00A067110000"));
        Assert.Equal(PcsError.ResponseTooLarge, e2.Reason);
    }

    [Fact]
    public async Task Client_Errors_AreTyped()
    {
        await using var failing = await PccsServer.StartAsync(new FixedBackend(PcsResponse.Text(503, "down")), s_anyPort);
        using var client = new PcsClient(new PcsClientOptions { BaseAddress = failing.BaseAddress });
        var status = await Assert.ThrowsAsync<PcsException>(() => client.GetQeIdentityAsync());
        Assert.Equal((PcsError.HttpStatus, 503), (status.Reason, status.StatusCode));
        Assert.True(status.IsUpstreamFailure);

        await using var noHeader = await PccsServer.StartAsync(new FixedBackend(new PcsResponse(200, _backend.Current.QeIdentityBody, "application/json")), s_anyPort);
        using var client2 = new PcsClient(new PcsClientOptions { BaseAddress = noHeader.BaseAddress });
        Assert.Equal(PcsError.MissingHeader, (await Assert.ThrowsAsync<PcsException>(() => client2.GetQeIdentityAsync())).Reason);

        await using var junk = await PccsServer.StartAsync(new FixedBackend(new PcsResponse(200, "{\"tcbInfo\":1}"u8.ToArray(), "application/json",
            new Dictionary<string, string> { [PcsHeaders.TcbInfoIssuerChain] = "x" })), s_anyPort);
        using var client3 = new PcsClient(new PcsClientOptions { BaseAddress = junk.BaseAddress });
        Assert.Equal(PcsError.MalformedResponse, (await Assert.ThrowsAsync<PcsException>(() => client3.GetTcbInfoAsync("00A067110000"))).Reason);

        var port = FreePort();
        using var closed = new PcsClient(new PcsClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}/") });
        var unreachable = await Assert.ThrowsAsync<PcsException>(() => closed.GetQeIdentityAsync());
        Assert.Equal(PcsError.Unreachable, unreachable.Reason);

        using var silent = new ChunkedServer(0, hang: true);
        using var slow = new PcsClient(new PcsClientOptions { BaseAddress = silent.BaseAddress, Timeout = TimeSpan.FromMilliseconds(300) });
        Assert.Equal(PcsError.Timeout, (await Assert.ThrowsAsync<PcsException>(() => slow.GetQeIdentityAsync())).Reason);
    }

    [Fact]
    public async Task Client_SgxTcbInfoIssuerChainOnV4_IsAcceptedToo()
    {
        var expected = _backend.Current;
        await using var v3Style = await PccsServer.StartAsync(new FixedBackend(new PcsResponse(200, expected.TcbInfoBody, "application/json",
            new Dictionary<string, string> { [PcsHeaders.SgxTcbInfoIssuerChain] = Uri.EscapeDataString(expected.TcbSigningChain) })), s_anyPort);
        using var client = new PcsClient(new PcsClientOptions { BaseAddress = v3Style.BaseAddress });
        Assert.Equal(expected.TcbSigningChain, (await client.GetTcbInfoAsync(expected.Fmspc)).IssuerChain);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A backend that answers every request with the same response.</summary>
internal sealed class FixedBackend(PcsResponse response) : IPccsBackend
{
    public int Requests;

    public ValueTask<PcsResponse> GetAsync(PcsRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Requests);
        return ValueTask.FromResult(response);
    }
}

/// <summary>
/// A raw HTTP/1.1 server on loopback that answers one connection at a time with a chunked body of a given length
/// (no Content-Length) — or, with <c>hang</c>, never answers.
/// </summary>
internal sealed class ChunkedServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ChunkedServer(int bodyLength, bool hang = false)
    {
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                using var socket = await _listener.AcceptSocketAsync(_stop.Token);
                var request = new byte[8192];
                await socket.ReceiveAsync(request, _stop.Token);
                if (hang)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"u8.ToArray());
                var chunk = new byte[16 * 1024];
                try
                {
                    for (var sent = 0; sent < bodyLength; sent += chunk.Length)
                    {
                        await socket.SendAsync(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
                        await socket.SendAsync(chunk);
                        await socket.SendAsync("\r\n"u8.ToArray());
                    }

                    await socket.SendAsync("0\r\n\r\n"u8.ToArray());
                }
                catch (SocketException)
                {
                    // the client stopped reading at its cap and closed
                }
            }
        });
    }

    public Uri BaseAddress { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
