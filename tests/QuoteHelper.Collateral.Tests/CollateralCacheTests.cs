using Microsoft.Extensions.Time.Testing;
using QuoteHelper.Collateral.Caching;
using QuoteHelper.Collateral.Pcs;
using QuoteHelper.Collateral.Server;
using QuoteHelper.Collateral.Simulation;

namespace QuoteHelper.Collateral.Tests;

public sealed class CollateralCacheTests(SimulatedPlatformFixture fixture) : IDisposable
{
    private static readonly DateTimeOffset s_start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private readonly FakeTimeProvider _time = new(s_start);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private SimulatedCollateral Collateral() => SimulatedCollateral.Create(fixture.Platform, CollateralScenario.UpToDate, s_start);

    private static PcsResponse Ok(byte[] body, string? cacheControl = null) => new(200, body, PcsContentTypes.Json,
        cacheControl is null ? null : new Dictionary<string, string> { ["Cache-Control"] = cacheControl });

    [Fact]
    public void Store_TcbInfo_FreshUntilItsNextUpdateAndNeverAfter()
    {
        var collateral = Collateral();
        var cache = new CollateralCache(new CollateralCacheOptions { MaxAge = TimeSpan.FromDays(365) }, _time);
        var entry = cache.Store("k", Ok(collateral.TcbInfoBody))!;

        Assert.Equal(collateral.NextUpdate, entry.FreshUntil);
        _time.SetUtcNow(collateral.NextUpdate - TimeSpan.FromSeconds(1));
        Assert.True(cache.TryGetFresh("k", out _));
        _time.SetUtcNow(collateral.NextUpdate);
        Assert.False(cache.TryGetFresh("k", out _));
        Assert.False(cache.TryGetStale("k", out _)); // policy Never
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Store_Crls_FreshUntilTheCrlNextUpdate_InEveryEncoding()
    {
        var collateral = Collateral();
        var cache = new CollateralCache(new CollateralCacheOptions { MaxAge = TimeSpan.FromDays(400) }, _time);
        Assert.Equal(collateral.NextUpdate, cache.Store("der", Ok(collateral.PckCrl))!.FreshUntil);
        Assert.Equal(collateral.IssueDate + SimulatedCollateral.RootCrlValidity,
            cache.Store("hex", Ok(System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(collateral.RootCaCrl))))!.FreshUntil);
        var pem = System.Security.Cryptography.PemEncoding.WriteString("X509 CRL", collateral.PckCrl);
        Assert.Equal(collateral.NextUpdate, cache.Store("pem", Ok(System.Text.Encoding.ASCII.GetBytes(pem)))!.FreshUntil);
        Assert.Equal(collateral.NextUpdate, CollateralExpiry.FindNextUpdate(collateral.QeIdentityBody));
    }

    [Fact]
    public void Store_MaxAgeAndCacheControl_ShortenFreshness()
    {
        var body = Collateral().QeIdentityBody;
        var cache = new CollateralCache(new CollateralCacheOptions { MaxAge = TimeSpan.FromHours(2) }, _time);
        Assert.Equal(s_start + TimeSpan.FromHours(2), cache.Store("a", Ok(body))!.FreshUntil);
        Assert.Equal(s_start + TimeSpan.FromMinutes(10), cache.Store("b", Ok(body, "public, max-age=600"))!.FreshUntil);
        Assert.Null(cache.Store("c", Ok(body, "no-store")));
        Assert.Null(cache.Store("d", PcsResponse.Text(404, "No cache data for this platform.")));
    }

    [Fact]
    public void Store_AlreadyExpiredDocument_IsNotStored()
    {
        var collateral = Collateral();
        _time.SetUtcNow(collateral.NextUpdate + TimeSpan.FromSeconds(1));
        var cache = new CollateralCache(new CollateralCacheOptions(), _time);
        Assert.Null(cache.Store("k", Ok(collateral.TcbInfoBody)));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void StalePolicy_OnUpstreamFailure_ServesOnlyWithinMaxStaleness()
    {
        var body = Collateral().TcbInfoBody;
        var cache = new CollateralCache(new CollateralCacheOptions
        {
            MaxAge = TimeSpan.FromHours(1),
            StaleServing = StaleServing.OnUpstreamFailure,
            MaxStaleness = TimeSpan.FromHours(6),
        }, _time);
        cache.Store("k", Ok(body));

        _time.Advance(TimeSpan.FromHours(3));
        Assert.False(cache.TryGetFresh("k", out _));
        Assert.True(cache.TryGetStale("k", out var stale));
        Assert.Equal("110 - \"Response is Stale\"", stale.AsStaleResponse().Headers[PcsHeaders.Warning]);
        Assert.Equal(body, stale.AsStaleResponse().Body);

        _time.Advance(TimeSpan.FromHours(4)); // 7 h after the fetch: 6 h past freshness
        Assert.False(cache.TryGetStale("k", out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Disk_EntriesSurviveANewInstance_AndExpireThere()
    {
        var collateral = Collateral();
        var options = new CollateralCacheOptions { Directory = _temp.Combine("cache"), MaxAge = TimeSpan.FromDays(60) };
        new CollateralCache(options, _time).Store("/sgx/certification/v4/qe/identity", Ok(collateral.QeIdentityBody, null).WithHeader(PcsHeaders.EnclaveIdentityIssuerChain, "chain%0A"));

        var second = new CollateralCache(options, _time);
        Assert.True(second.TryGetFresh("/sgx/certification/v4/qe/identity", out var entry));
        Assert.Equal(collateral.QeIdentityBody, entry.Response.Body);
        Assert.Equal("chain%0A", entry.Response.Headers[PcsHeaders.EnclaveIdentityIssuerChain]);
        Assert.Equal(PcsContentTypes.Json, entry.Response.ContentType);
        var mode = File.GetUnixFileMode(Directory.GetFiles(options.Directory!).Single());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);

        _time.SetUtcNow(collateral.NextUpdate);
        var third = new CollateralCache(options, _time);
        Assert.False(third.TryGetFresh("/sgx/certification/v4/qe/identity", out _));
        Assert.Equal(0, third.DiskCount);
    }

    [Fact]
    public void Disk_DamagedEntry_IsAMissAndRemoved()
    {
        var options = new CollateralCacheOptions { Directory = _temp.Combine("cache") };
        new CollateralCache(options, _time).Store("k", Ok(Collateral().TcbInfoBody));
        File.WriteAllText(Directory.GetFiles(options.Directory!).Single(), "{not json");
        var cache = new CollateralCache(options, _time);
        Assert.False(cache.TryGetFresh("k", out _));
        Assert.Equal(0, cache.DiskCount);
    }

    [Fact]
    public void Bounded_ManyKeys_NeverMoreThanMaxEntries()
    {
        var body = Collateral().TcbInfoBody;
        var options = new CollateralCacheOptions { Directory = _temp.Combine("cache"), MaxEntries = 3 };
        var cache = new CollateralCache(options, _time);
        for (var i = 0; i < 20; i++)
        {
            cache.Store($"/sgx/certification/v4/tcb?fmspc={i:X12}", Ok(body));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(3, cache.Count);
        Assert.Equal(3, cache.DiskCount);
        Assert.True(cache.TryGetFresh($"/sgx/certification/v4/tcb?fmspc={19:X12}", out _)); // the newest survive
    }

    [Fact]
    public async Task Proxy_InFrontOfASecondServer_ServesByteExactThenFromCacheThenStalePolicy()
    {
        var upstreamBackend = new SimulatedPccsBackend(fixture.StateDirectory, CollateralScenario.SWHardeningNeeded, TimeProvider.System);
        var upstream = await PccsServer.StartAsync(upstreamBackend, new Uri("http://127.0.0.1:0"));
        var expected = upstreamBackend.Current;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new CollateralCache(new CollateralCacheOptions
        {
            Directory = _temp.Combine("proxy-cache"),
            MaxAge = TimeSpan.FromHours(1),
            StaleServing = StaleServing.OnUpstreamFailure,
            MaxStaleness = TimeSpan.FromHours(2),
        }, time);
        using var upstreamClient = new PcsClient(new PcsClientOptions { BaseAddress = upstream.BaseAddress, Timeout = TimeSpan.FromSeconds(5) }, cache);
        await using var proxy = await PccsServer.StartAsync(new ProxyPccsBackend(upstreamClient), new Uri("http://127.0.0.1:0"));
        using var client = new PcsClient(new PcsClientOptions { BaseAddress = proxy.BaseAddress });

        try
        {
            var collateral = await client.GetCollateralAsync(fixture.Quote);
            Assert.Equal(expected.TcbInfo, collateral.TcbInfo);
            Assert.Equal(expected.QeIdentity, collateral.QeIdentity);
            Assert.Equal(expected.PckCrl, collateral.PckCrl);
            Assert.Equal(expected.RootCaCrl, collateral.RootCaCrl);
            Assert.Equal(expected.PckCaChain, collateral.PckCrlIssuerChain);
            Assert.Equal(4, cache.Count);
            var v3 = await client.SendAsync(PcsRequest.TcbInfo(expected.Fmspc, version: PcsApiVersion.V3));
            Assert.True(v3.Headers.ContainsKey(PcsHeaders.SgxTcbInfoIssuerChain));
            var unknown = await client.SendAsync(PcsRequest.TcbInfo("00906ED50000"));
            Assert.Equal(404, unknown.StatusCode); // upstream 4xx passed on, not cached
        }
        finally
        {
            await upstream.DisposeAsync(); // upstream gone from here on
        }

        var cached = await client.SendAsync(PcsRequest.QeIdentity());
        Assert.Equal(expected.QeIdentityBody, cached.Body);
        Assert.False(cached.Headers.ContainsKey(PcsHeaders.Warning));

        time.Advance(TimeSpan.FromMinutes(90)); // stale, upstream unreachable, within the 2 h window
        var stale = await client.SendAsync(PcsRequest.QeIdentity());
        Assert.Equal(200, stale.StatusCode);
        Assert.Equal(expected.QeIdentityBody, stale.Body);
        Assert.StartsWith("110", stale.Headers[PcsHeaders.Warning], StringComparison.Ordinal);

        time.Advance(TimeSpan.FromHours(2)); // past the window: 502 as Intel's PCCS answers
        var gone = await client.SendAsync(PcsRequest.QeIdentity());
        Assert.Equal(502, gone.StatusCode);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Proxy_StalePolicyNever_UpstreamDown_Is502()
    {
        var fixedBackend = new FixedBackend(new PcsResponse(200, Collateral().QeIdentityBody, PcsContentTypes.Json));
        var upstream = await PccsServer.StartAsync(fixedBackend, new Uri("http://127.0.0.1:0"));
        var time = new FakeTimeProvider(s_start);
        var cache = new CollateralCache(new CollateralCacheOptions { MaxAge = TimeSpan.FromMinutes(5) }, time);
        using var upstreamClient = new PcsClient(new PcsClientOptions { BaseAddress = upstream.BaseAddress }, cache);
        await using var proxy = await PccsServer.StartAsync(new ProxyPccsBackend(upstreamClient), new Uri("http://127.0.0.1:0"));
        using var client = new PcsClient(new PcsClientOptions { BaseAddress = proxy.BaseAddress });

        Assert.Equal(200, (await client.SendAsync(PcsRequest.QeIdentity())).StatusCode);
        Assert.Equal(200, (await client.SendAsync(PcsRequest.QeIdentity())).StatusCode);
        Assert.Equal(1, fixedBackend.Requests); // the second came from the cache
        await upstream.DisposeAsync();
        time.Advance(TimeSpan.FromMinutes(6));
        var response = await client.SendAsync(PcsRequest.QeIdentity());
        Assert.Equal(502, response.StatusCode);
        Assert.StartsWith(ProxyPccsBackend.UpstreamFailureMessage, System.Text.Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
    }
}
