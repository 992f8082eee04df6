using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using QuoteHelper.Collateral.Caching;
using QuoteHelper.Sgx.Pck;
using QuoteHelper.Sgx.Quotes;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Collateral.Pcs;

/// <summary>
/// HTTP client for Intel's PCS and PCCS APIs v3 and v4 (dcap-quote.md §6): every route the verifier needs, both
/// issuer-chain header names, bodies kept byte for byte, a cap on every response, typed failures
/// (<see cref="PcsException"/>). With a <see cref="CollateralCache"/> it answers from the cache while an entry is
/// fresh and applies the cache's stale-serving policy when the service fails.
/// </summary>
public sealed class PcsClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly CollateralCache? _cache;
    private readonly Uri _base;

    /// <summary>Creates a client; <paramref name="handler"/> defaults to a <see cref="SocketsHttpHandler"/> owned by the client.</summary>
    public PcsClient(PcsClientOptions options, CollateralCache? cache = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (baseAddress, version) = Normalise(options.BaseAddress, options.Version);
        Options = new PcsClientOptions
        {
            BaseAddress = baseAddress,
            Version = version,
            MaxResponseLength = options.MaxResponseLength,
            Timeout = options.Timeout,
            ApiKey = options.ApiKey,
        };
        _base = baseAddress;
        _cache = cache;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxResponseHeadersLength = 64, // KiB; an issuer chain header is ~3 KiB
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        }, disposeHandler: handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan, // our own per-request timeout, to tell it apart from cancellation
        };
    }

    /// <summary>The options in effect (base address normalised).</summary>
    public PcsClientOptions Options { get; }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the response whatever its status, body byte for byte — through the
    /// cache when there is one: a fresh entry answers without a request; a 200 is stored; when the service fails
    /// (unreachable, timeout, 5xx) a stale entry the policy allows answers, marked <c>Warning: 110</c>.
    /// </summary>
    /// <exception cref="PcsException">Unreachable, Timeout or ResponseTooLarge (and no stale entry to serve).</exception>
    public async Task<PcsResponse> SendAsync(PcsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_cache is not null && _cache.TryGetFresh(request.CacheKey, out var fresh))
        {
            return fresh.Response;
        }

        PcsResponse response;
        try
        {
            response = await FetchAsync(new Uri(_base, request.PathAndQuery.TrimStart('/')), request.PathAndQuery, cancellationToken).ConfigureAwait(false);
        }
        catch (PcsException e) when (e.IsUpstreamFailure && _cache is not null && _cache.TryGetStale(request.CacheKey, out var stale))
        {
            return stale.AsStaleResponse();
        }

        if (response.StatusCode >= 500 && _cache is not null && _cache.TryGetStale(request.CacheKey, out var staleOn5xx))
        {
            return staleOn5xx.AsStaleResponse();
        }

        if (response.IsSuccess)
        {
            _cache?.Store(request.CacheKey, response);
        }

        return response;
    }

    /// <summary>Fetches the PCK CRL of <paramref name="ca"/> (<c>pckcrl</c>, header <c>SGX-PCK-CRL-Issuer-Chain</c>).</summary>
    /// <exception cref="PcsException">Any failure, including a non-200 answer, a missing chain or a body that is no CRL.</exception>
    public async Task<PckCrlDocument> GetPckCrlAsync(PckCaType ca, PckCrlEncoding encoding = PckCrlEncoding.Der, CancellationToken cancellationToken = default)
    {
        var request = PcsRequest.PckCrl(ca, encoding, Options.Version);
        var response = await SendOkAsync(request, cancellationToken).ConfigureAwait(false);
        var chain = RequireHeader(response, request, PcsHeaders.PckCrlIssuerChain);
        return new PckCrlDocument(response.Body, ToCrlDer(response.Body, request), chain);
    }

    /// <summary>Fetches TCB Info for <paramref name="fmspc"/> (v2 on API v3, v3 on API v4 and TDX).</summary>
    /// <exception cref="PcsException">Any failure, including a body without <c>tcbInfo</c> and a 64-byte signature.</exception>
    public async Task<SignedCollateralDocument> GetTcbInfoAsync(string fmspc, PcsTee tee = PcsTee.Sgx, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fmspc);
        var request = PcsRequest.TcbInfo(fmspc.ToUpperInvariant(), tee, tee == PcsTee.Tdx ? PcsApiVersion.V4 : Options.Version);
        var response = await SendOkAsync(request, cancellationToken).ConfigureAwait(false);

        // v4 names the header TCB-Info-Issuer-Chain, v3 SGX-TCB-Info-Issuer-Chain (dcap-quote.md §6.2); caches and
        // PCCS versions mix them up, so either is accepted on either version, the version's own name first.
        var (first, second) = request.Version == PcsApiVersion.V4
            ? (PcsHeaders.TcbInfoIssuerChain, PcsHeaders.SgxTcbInfoIssuerChain)
            : (PcsHeaders.SgxTcbInfoIssuerChain, PcsHeaders.TcbInfoIssuerChain);
        var chain = response.GetDecodedHeader(first) ?? RequireHeader(response, request, second, first);
        return SplitSigned(response.Body, "tcbInfo", chain, request);
    }

    /// <summary>Fetches the QE identity (<c>qe/identity</c>: id QE, or TD_QE on the TDX router).</summary>
    /// <exception cref="PcsException">Any failure.</exception>
    public async Task<SignedCollateralDocument> GetQeIdentityAsync(PcsTee tee = PcsTee.Sgx, CancellationToken cancellationToken = default)
    {
        var request = PcsRequest.QeIdentity(tee, tee == PcsTee.Tdx ? PcsApiVersion.V4 : Options.Version);
        var response = await SendOkAsync(request, cancellationToken).ConfigureAwait(false);
        var chain = RequireHeader(response, request, PcsHeaders.EnclaveIdentityIssuerChain);
        return SplitSigned(response.Body, "enclaveIdentity", chain, request);
    }

    /// <summary>
    /// Fetches the root CA CRL as DER: PCCS <c>rootcacrl</c> (hex of DER; DER and PEM are accepted too). When the
    /// service has no such route (Intel PCS answers 404) and <paramref name="root"/> is given, the CRL is fetched from
    /// the root certificate's CRL distribution point instead, with the same caps.
    /// </summary>
    /// <exception cref="PcsException">Any failure.</exception>
    public async Task<byte[]> GetRootCaCrlAsync(X509Certificate2? root = null, CancellationToken cancellationToken = default)
    {
        var request = PcsRequest.RootCaCrl(Options.Version);
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            return ToCrlDer(response.Body, request);
        }

        if (response.StatusCode == 404 && root is not null && CrlDistributionPoint(root) is { } cdp)
        {
            var fromCdp = await FetchAsync(cdp, cdp.ToString(), cancellationToken).ConfigureAwait(false);
            if (fromCdp.IsSuccess)
            {
                return ToCrlDer(fromCdp.Body, request);
            }

            throw StatusError(fromCdp, cdp.ToString());
        }

        throw StatusError(response, request.PathAndQuery);
    }

    /// <summary>Fetches a PCK certificate (<c>pckcert</c>) by QE_ID, CPUSVN, PCESVN and PCE-ID (hex, as the query carries them).</summary>
    /// <exception cref="PcsException">Any failure.</exception>
    public async Task<PckCertificateDocument> GetPckCertificateAsync(string qeId, string cpuSvn, string pceSvn, string pceId,
        string? encryptedPpid = null, CancellationToken cancellationToken = default)
    {
        var request = PcsRequest.PckCertificate(qeId, cpuSvn, pceSvn, pceId, encryptedPpid, Options.Version);
        var response = await SendOkAsync(request, cancellationToken).ConfigureAwait(false);
        var chain = RequireHeader(response, request, PcsHeaders.PckCertificateIssuerChain);
        var pem = Encoding.ASCII.GetString(response.Body);
        if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            throw new PcsException(PcsError.MalformedResponse, request.PathAndQuery, "pckcert: the body is not a PEM certificate.");
        }

        return new PckCertificateDocument(pem, chain, response.GetDecodedHeader(PcsHeaders.Tcbm),
            response.GetDecodedHeader(PcsHeaders.Fmspc), response.GetDecodedHeader(PcsHeaders.PckCertificateCaType));
    }

    /// <summary>
    /// Fetches everything a quote needs (dcap-quote.md §5.10): from the PCK certificate in its certification data
    /// (type 5) the FMSPC and the CA type (issuer CN with "Processor" or "Platform", dcap-quote.md §4.2), then the PCK
    /// CRL (DER), TCB Info, QE identity and the root CA CRL. The PCK chain is left in the quote.
    /// </summary>
    /// <exception cref="PcsException">UnsupportedQuote when the quote cannot be read or carries no PCK chain; any fetch failure.</exception>
    public async Task<QuoteCollateral> GetCollateralAsync(ReadOnlyMemory<byte> quote, CancellationToken cancellationToken = default)
    {
        var (fmspc, ca, root) = ReadQuote(quote.Span);
        using (root)
        {
            var pckCrl = GetPckCrlAsync(ca, PckCrlEncoding.Der, cancellationToken);
            var tcbInfo = GetTcbInfoAsync(fmspc, PcsTee.Sgx, cancellationToken);
            var qeIdentity = GetQeIdentityAsync(PcsTee.Sgx, cancellationToken);
            var rootCrl = GetRootCaCrlAsync(root, cancellationToken);
            await Task.WhenAll(pckCrl, tcbInfo, qeIdentity, rootCrl).ConfigureAwait(false);
            return new QuoteCollateral
            {
                PckCrlIssuerChain = (await pckCrl.ConfigureAwait(false)).IssuerChain,
                RootCaCrl = await rootCrl.ConfigureAwait(false),
                PckCrl = (await pckCrl.ConfigureAwait(false)).Der,
                TcbInfoIssuerChain = (await tcbInfo.ConfigureAwait(false)).IssuerChain,
                TcbInfo = (await tcbInfo.ConfigureAwait(false)).Inner,
                TcbInfoSignature = (await tcbInfo.ConfigureAwait(false)).Signature,
                QeIdentityIssuerChain = (await qeIdentity.ConfigureAwait(false)).IssuerChain,
                QeIdentity = (await qeIdentity.ConfigureAwait(false)).Inner,
                QeIdentitySignature = (await qeIdentity.ConfigureAwait(false)).Signature,
            };
        }
    }

    /// <summary>The PCK CA type named by a PCK certificate's issuer, as dcap-qvl decides it (dcap-quote.md §4.2).</summary>
    public static PckCaType CaTypeOf(X509Certificate2 pck)
    {
        ArgumentNullException.ThrowIfNull(pck);
        var issuer = pck.IssuerName.Name;
        return issuer.Contains("Platform", StringComparison.Ordinal) && !issuer.Contains("Processor", StringComparison.Ordinal)
            ? PckCaType.Platform
            : PckCaType.Processor;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static (string Fmspc, PckCaType Ca, X509Certificate2? Root) ReadQuote(ReadOnlySpan<byte> quote)
    {
        const string route = "(quote)";
        IReadOnlyList<byte[]> chain;
        try
        {
            var parsed = Quote.Parse(quote);
            if (parsed.SignatureData.CertificationData.Type != CertificationDataType.PckCertChain)
            {
                throw new PcsException(PcsError.UnsupportedQuote, route,
                    $"The quote carries certification data of type {(int)parsed.SignatureData.CertificationData.Type}, not the PCK chain (type 5).");
            }

            chain = parsed.SignatureData.CertificationData.GetPckCertChainDer();
        }
        catch (QuoteFormatException e)
        {
            throw new PcsException(PcsError.UnsupportedQuote, route, $"Not a readable v3 quote ({e.Reason}): {e.Message}", inner: e);
        }

        if (chain.Count == 0)
        {
            throw new PcsException(PcsError.UnsupportedQuote, route, "The quote's PCK chain is empty.");
        }

        try
        {
            using var pck = X509CertificateLoader.LoadCertificate(chain[0]);
            var extension = pck.Extensions[SgxPckExtension.Oid]
                ?? throw new PcsException(PcsError.UnsupportedQuote, route, "The PCK certificate has no SGX extension.");
            var fmspc = Convert.ToHexString(SgxPckExtension.Decode(extension.RawData).Fmspc);
            var root = chain.Count > 1 ? X509CertificateLoader.LoadCertificate(chain[^1]) : null;
            return (fmspc, CaTypeOf(pck), root);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or PckExtensionFormatException)
        {
            throw new PcsException(PcsError.UnsupportedQuote, route, $"The quote's PCK certificate cannot be read: {e.Message}", inner: e);
        }
    }

    private async Task<PcsResponse> SendOkAsync(PcsRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.IsSuccess ? response : throw StatusError(response, request.PathAndQuery);
    }

    private static PcsException StatusError(PcsResponse response, string route)
    {
        var detail = response.Body.Length is > 0 and <= 512 && response.ContentType?.StartsWith("text/", StringComparison.Ordinal) == true
            ? $": {Encoding.UTF8.GetString(response.Body)}"
            : ".";
        return new PcsException(PcsError.HttpStatus, route, $"{route} answered {response.StatusCode}{detail}", response.StatusCode);
    }

    private async Task<PcsResponse> FetchAsync(Uri url, string route, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.Timeout);
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        if (Options.ApiKey is { } key)
        {
            message.Headers.TryAddWithoutValidation("Ocp-Apim-Subscription-Key", key);
        }

        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await ReadCappedAsync(response.Content, route, timeout.Token).ConfigureAwait(false);
            return new PcsResponse((int)response.StatusCode, body, response.Content.Headers.ContentType?.ToString(), CollectHeaders(response));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PcsException(PcsError.Timeout, route, $"{route}: no answer within {Options.Timeout.TotalSeconds:0.#} s.", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new PcsException(PcsError.Unreachable, route, $"{route}: {e.Message}", inner: e);
        }
        catch (IOException e)
        {
            throw new PcsException(PcsError.Unreachable, route, $"{route}: {e.Message}", inner: e);
        }
    }

    private async Task<byte[]> ReadCappedAsync(HttpContent content, string route, CancellationToken cancellationToken)
    {
        var cap = Options.MaxResponseLength;
        if (content.Headers.ContentLength is { } announced && announced > cap)
        {
            throw TooLarge(route, $"announces {announced} bytes");
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > cap)
                {
                    throw TooLarge(route, "is longer");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }

        PcsException TooLarge(string r, string what) =>
            new(PcsError.ResponseTooLarge, r, $"{r}: the response {what} than the cap of {cap} bytes.");
    }

    private static Dictionary<string, string> CollectHeaders(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in PcsHeaders.Forwarded)
        {
            if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
            {
                headers[name] = string.Join(", ", values);
            }
        }

        if (response.Headers.CacheControl is { } cacheControl)
        {
            headers["Cache-Control"] = cacheControl.ToString();
        }

        return headers;
    }

    private static string RequireHeader(PcsResponse response, PcsRequest request, string name, string? alsoTried = null) =>
        response.GetDecodedHeader(name) ?? throw new PcsException(PcsError.MissingHeader, request.PathAndQuery,
            $"{request.PathAndQuery}: the response has no {(alsoTried is null ? name : $"{alsoTried} or {name}")} header.");

    private static byte[] ToCrlDer(byte[] body, PcsRequest request)
    {
        try
        {
            return CrlEncoding.ToDer(body);
        }
        catch (CollateralFormatException e)
        {
            throw new PcsException(PcsError.MalformedResponse, request.PathAndQuery, $"{request.PathAndQuery}: {e.Message}", inner: e);
        }
    }

    // dcap-quote.md §5.3: keep the inner value's bytes exactly as received; never re-serialise.
    internal static SignedCollateralDocument SplitSigned(byte[] body, string member, string chain, PcsRequest request)
    {
        try
        {
            var (inner, signature) = PcsCollateral.ReadSignedBody(body, member);
            return new SignedCollateralDocument(body, inner, signature, chain);
        }
        catch (CollateralFormatException e)
        {
            throw new PcsException(PcsError.MalformedResponse, request.PathAndQuery,
                $"{request.PathAndQuery}: not a signed '{member}' document ({e.Reason}): {e.Message}", inner: e);
        }
    }

    private static Uri? CrlDistributionPoint(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == "2.5.29.31")
            {
                var uri = FirstUri(extension.RawData);
                return uri is not null && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed : null;
            }
        }

        return null;
    }

    // CRLDistributionPoints (RFC 5280 §4.2.1.13): the first uniformResourceIdentifier [6] of the first point's fullName.
    private static string? FirstUri(byte[] extensionValue)
    {
        try
        {
            var points = new AsnReader(extensionValue, AsnEncodingRules.DER).ReadSequence();
            var point = points.ReadSequence();
            var name = point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            var fullName = name.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            while (fullName.HasData)
            {
                if (fullName.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 6)))
                {
                    return fullName.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6));
                }

                fullName.ReadEncodedValue();
            }
        }
        catch (AsnContentException)
        {
        }

        return null;
    }

    private static (Uri BaseAddress, PcsApiVersion Version) Normalise(Uri address, PcsApiVersion version)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The PCS/PCCS address must be an absolute http(s) URL, got '{address}'.", nameof(address));
        }

        var path = address.AbsolutePath.TrimEnd('/');
        foreach (var (suffix, v) in new[] { ("/certification/v3", PcsApiVersion.V3), ("/certification/v4", PcsApiVersion.V4) })
        {
            foreach (var tee in new[] { "/sgx", "/tdx" })
            {
                if (path.EndsWith(tee + suffix, StringComparison.OrdinalIgnoreCase))
                {
                    path = path[..^(tee + suffix).Length];
                    version = v;
                }
            }
        }

        var builder = new UriBuilder(address) { Path = path + "/", Query = "" };
        return (builder.Uri, version);
    }
}
