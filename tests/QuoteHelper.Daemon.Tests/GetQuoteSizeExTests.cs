using System.Text;
using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>GetQuoteSizeEx (aesm-protocol.md §6.6), byte for byte over the real socket.</summary>
public sealed class GetQuoteSizeExTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private readonly DaemonHost _host = fixture.Host;

    [Fact]
    public async Task GetQuoteSizeEx_DefaultKeyId_1052PlusPemChainWithNul()
    {
        var reply = await _host.ExchangeAsync(GetQuoteSizeExRequest(DefaultKeyId));

        // PCK_CERT_CHAIN certification data: leaf, PCK CA, root as PEM, each followed by "\n", then one NUL (§6.6).
        var platform = _host.Platform;
        var chain = string.Concat(new[] { platform.PckCertificate, platform.PckCaCertificate, platform.RootCertificate }
            .Select(c => c.ExportCertificatePem() + "\n"));
        var expectedSize = (uint)(QuoteSizeWithoutCertData + Encoding.ASCII.GetByteCount(chain) + 1);
        Assert.Equal(ToHex(GetQuoteSizeExResponse(Success, expectedSize)), reply.Hex);
    }

    [Fact]
    public async Task GetQuoteSizeEx_Size_EqualsRealLengthOfQuote()
    {
        var sizeReply = await _host.ExchangeAsync(GetQuoteSizeExRequest(DefaultKeyId));
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(_host), _host.Platform.QeTargetInfo);
        var quoteReply = await _host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 8192));

        var size = sizeReply.Decode().GetQuoteSizeExRes.QuoteSize;
        Assert.Equal((int)size, QuoteSupport.RealLength(quoteReply.Decode().GetQuoteExRes.Quote.Span));
    }

    [Fact]
    public async Task GetQuoteSizeEx_ExtensionBytesModified_Accepted()
    {
        var reply = await _host.ExchangeAsync(GetQuoteSizeExRequest(DefaultKeyIdWithExtension(0x42)));

        Assert.Equal(Success, reply.Decode().GetQuoteSizeExRes.ErrorCode);
    }

    [Fact]
    public async Task GetQuoteSizeEx_KeyIdAbsent_ParameterErrorSizeZeroPresent()
    {
        var reply = await _host.ExchangeAsync(GetQuoteSizeExRequest(null));

        Assert.Equal("07000000820104080310" + "00", reply.Hex);
    }

    [Fact]
    public async Task GetQuoteSizeEx_KeyId255Bytes_ParameterErrorSizeZeroPresent()
    {
        var reply = await _host.ExchangeAsync(GetQuoteSizeExRequest(DefaultKeyId[..255]));

        Assert.Equal(ToHex(GetQuoteSizeExResponse(ParameterError, 0)), reply.Hex);
    }

    [Fact]
    public async Task GetQuoteSizeEx_UnknownBase_UnsupportedSizeZeroPresent()
    {
        var keyId = DefaultKeyId;
        keyId[54] = 2; // prod_id 2

        var reply = await _host.ExchangeAsync(GetQuoteSizeExRequest(keyId));

        Assert.Equal("07000000820104082610" + "00", reply.Hex);
    }
}
