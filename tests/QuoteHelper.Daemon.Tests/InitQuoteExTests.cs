using QuoteHelper.Sgx;
using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>InitQuoteEx (aesm-protocol.md §6.5 and §6.1 key-id matching), byte for byte over the real socket.</summary>
public sealed class InitQuoteExTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private readonly DaemonHost _host = fixture.Host;

    private static readonly string s_sizeQueryResponse = ToHex(InitQuoteExSuccess(new byte[512], publicKeyId: null));

    [Theory]
    [InlineData(null)]
    [InlineData(0UL)]
    [InlineData(32UL)]
    [InlineData(64UL)]
    [InlineData(0x7fffdeadbeef0000UL)] // DCAP's uninitialised size_t (§9.3)
    [InlineData(ulong.MaxValue)]
    public async Task InitQuoteEx_SizeQuery_ZeroTargetInfoSize32NoPublicKeyId(ulong? bufSize)
    {
        var reply = await _host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, publicKeyId: false, bufSize));

        // Any buf_size is ignored; a pub_key_id here would make Intel's client write through NULL (§6.5).
        Assert.Equal(s_sizeQueryResponse, reply.Hex);
    }

    [Fact]
    public async Task InitQuoteEx_WithPublicKeyIdBufSize32_RealTargetInfoAndKeyId()
    {
        var reply = await _host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, publicKeyId: true, 32));

        var response = reply.Decode().InitQuoteExRes;
        var targetInfo = response.TargetInfo.ToByteArray();
        var publicKeyId = response.PubKeyId.ToByteArray();
        Assert.Equal(ToHex(InitQuoteExSuccess(targetInfo, publicKeyId)), reply.Hex); // field set and order exactly
        Assert.Equal(512, targetInfo.Length);
        Assert.NotEqual(-1, targetInfo.AsSpan().IndexOfAnyExcept((byte)0));
        Assert.Equal(ToHex(_host.Platform.QeTargetInfo.ToArray()), ToHex(targetInfo));
        Assert.Equal(ToHex(SimulatedPlatformQeMrEnclave()), ToHex(targetInfo.AsSpan(0, 32)));

        // pub_key_id = SHA256(attestation public key ‖ 00..1F), recomputed from the key inside a real quote (§5).
        var quote = await GetVerifiedQuoteAsync();
        Assert.Equal(ToHex(PublicKeyId(quote.AttestationPublicKey)), ToHex(publicKeyId));
    }

    [Fact]
    public async Task InitQuoteEx_CalledTwice_SameTargetInfoAndKeyId()
    {
        var first = await _host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, publicKeyId: true, 32));
        var second = await _host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, publicKeyId: true, 32));

        Assert.Equal(first.Hex, second.Hex);
    }

    [Theory]
    [InlineData(null, 0UL)]
    [InlineData(0UL, 0UL)]
    [InlineData(31UL, 31UL)]
    [InlineData(33UL, 33UL)]
    [InlineData(64UL, 64UL)]
    [InlineData(0x7fffdeadbeef0000UL, 0x7fffdeadbeef0000UL)]
    public async Task InitQuoteEx_WithPublicKeyIdBufSizeNot32_ParameterErrorSizeEchoed(ulong? bufSize, ulong echoed)
    {
        var reply = await _host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, publicKeyId: true, bufSize));

        // errorCode 3, pub_key_id_size = the request's buf_size (or 0), no target_info, no pub_key_id (§6.5).
        Assert.Equal(ToHex(InitQuoteExError(ParameterError, echoed)), reply.Hex);
    }

    [Fact]
    public async Task InitQuoteEx_PublicKeyIdFlagMissing_AppendixBBytes()
    {
        var reply = await _host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId, publicKeyId: null, 32));

        // Appendix B: b_pub_key_id missing → 1 with pub_key_id_size 0 (not the echoed buf_size: §6.5 first row).
        Assert.Equal("060000007a0408011800", reply.Hex);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task InitQuoteEx_KeyIdAbsent_ParameterError(bool publicKeyId)
    {
        var reply = await _host.ExchangeAsync(InitQuoteExRequest(null, publicKeyId, 32));

        Assert.Equal(ToHex(InitQuoteExError(ParameterError, 32)), reply.Hex);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(158)]
    [InlineData(255)]
    public async Task InitQuoteEx_KeyIdShorterThan256_ParameterError(int length)
    {
        var reply = await _host.ExchangeAsync(InitQuoteExRequest(DefaultKeyId[..length], publicKeyId: false, null));

        Assert.Equal(ToHex(InitQuoteExError(ParameterError, 0)), reply.Hex);
    }

    [Fact]
    public async Task InitQuoteEx_UnknownBase_AppendixBBytes()
    {
        var keyId = DefaultKeyId;
        keyId[154] = 0; // algorithm_id EPID

        var reply = await _host.ExchangeAsync(InitQuoteExRequest(keyId, publicKeyId: false, null));

        // Appendix B: InitQuoteEx → 38, no buf_size in the request → pub_key_id_size 0.
        Assert.Equal("060000007a0408261800", reply.Hex);
    }

    [Fact]
    public async Task InitQuoteEx_UnknownBaseWithBufSize_UnsupportedSizeEchoed()
    {
        var keyId = DefaultKeyId;
        keyId[6] ^= 0xFF; // another MRSIGNER

        var reply = await _host.ExchangeAsync(InitQuoteExRequest(keyId, publicKeyId: true, 32));

        Assert.Equal(ToHex(InitQuoteExError(UnsupportedAttKeyId, 32)), reply.Hex);
    }

    [Fact]
    public async Task InitQuoteEx_ExtensionBytesModified_Accepted()
    {
        var reply = await _host.ExchangeAsync(InitQuoteExRequest(DefaultKeyIdWithExtension(0xEE), publicKeyId: true, 32));

        var response = reply.Decode().InitQuoteExRes;
        Assert.Equal(Success, response.ErrorCode);
        Assert.Equal(ToHex(_host.Platform.QeTargetInfo.ToArray()), ToHex(response.TargetInfo.Span));
    }

    [Theory]
    [InlineData(257)]
    [InlineData(300)]
    [InlineData(1024)]
    public async Task InitQuoteEx_KeyIdLongerThan256_Accepted(int length)
    {
        byte[] keyId = [.. DefaultKeyId, .. Enumerable.Repeat((byte)0x99, length - 256)];

        var reply = await _host.ExchangeAsync(InitQuoteExRequest(keyId, publicKeyId: false, null));

        // §6.1: only shorter than 256 is rejected.
        Assert.Equal(s_sizeQueryResponse, reply.Hex);
    }

    private byte[] SimulatedPlatformQeMrEnclave() => Quoting.Simulation.SimulatedPlatform.QeMrEnclave(_host.Platform.QeSvn);

    private async Task<IndependentQuoteCheck.Result> GetVerifiedQuoteAsync()
    {
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(_host), _host.Platform.QeTargetInfo);
        var reply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 8192));
        var quote = reply.Decode().GetQuoteExRes.Quote.ToByteArray();
        return IndependentQuoteCheck.Verify(quote[..QuoteSupport.RealLength(quote)], _host.Root);
    }
}
