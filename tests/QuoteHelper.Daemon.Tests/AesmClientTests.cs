using QuoteHelper.Client;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// The project's own client against the real daemon (the rest of this project speaks raw bytes): the whole quote
/// flow through the blocking and the asynchronous API, and the client-side mapping of a server error.
/// </summary>
public sealed class AesmClientTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private readonly DaemonHost _host = fixture.Host;

    [Fact]
    public void GetQuoteEx_BlockingFlow_VerifiedQuote()
    {
        var client = new AesmClient(new AesmClientOptions { SocketPath = _host.SocketPath });
        var keyId = client.GetSupportedAttKeyIds(client.GetSupportedAttKeyIdNum().GetValueOrThrow(QuoteExCall.GetSupportedAttKeyIdNum))
            .GetValueOrThrow(QuoteExCall.GetSupportedAttKeyIds).Single();
        var init = client.InitQuoteEx(keyId, wantPublicKeyId: true).GetValueOrThrow(QuoteExCall.InitQuoteEx);
        var size = client.GetQuoteSizeEx(keyId).GetValueOrThrow(QuoteExCall.GetQuoteSizeEx);
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(_host), TargetInfo.Read(init.TargetInfo));

        var quote = client.GetQuoteEx(report, keyId, null, size).GetValueOrThrow(QuoteExCall.GetQuoteEx).Quote;

        Assert.Equal((int)size, quote.Length);
        var check = IndependentQuoteCheck.Verify(quote, _host.Root);
        Assert.Equal(Wire.ToHex(Wire.PublicKeyId(check.AttestationPublicKey)), Wire.ToHex(init.PublicKeyId));
    }

    [Fact]
    public async Task GetQuoteExAsync_AsyncFlow_VerifiedQuote()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = new AesmClient(new AesmClientOptions { SocketPath = _host.SocketPath });
        var keyId = (await client.SelectAttKeyIdAsync(null, ct)).GetValueOrThrow(QuoteExCall.SelectAttKeyId);
        var init = (await client.InitQuoteExAsync(keyId, wantPublicKeyId: true, ct)).GetValueOrThrow(QuoteExCall.InitQuoteEx);
        var size = (await client.GetQuoteSizeExAsync(keyId, ct)).GetValueOrThrow(QuoteExCall.GetQuoteSizeEx);
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(_host), TargetInfo.Read(init.TargetInfo));

        var quote = (await client.GetQuoteExAsync(report, keyId, null, size + 100, ct)).GetValueOrThrow(QuoteExCall.GetQuoteEx).Quote;

        IndependentQuoteCheck.Verify(quote, _host.Root);
    }

    [Fact]
    public async Task GetQuoteExAsync_ReportForAnotherTarget_MacMismatch()
    {
        var client = new AesmClient(new AesmClientOptions { SocketPath = _host.SocketPath });
        var app = QuoteSupport.AppEnclave(_host);

        var reply = await client.GetQuoteExAsync(QuoteSupport.Report(app, app.TargetInfo), AttestationKeyId.DefaultEcdsaP256, null, 8192,
            TestContext.Current.CancellationToken);

        // 47 on the wire → SGX_ERROR_MAC_MISMATCH in Intel's mapping (aesm-protocol.md §8.6).
        Assert.Equal(SgxStatus.ErrorMacMismatch, reply.Status);
        Assert.Equal(AesmError.InvalidReport, reply.ServerError);
    }
}
