using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Client.Tests;

/// <summary>
/// The client against a scripted server on a real Unix socket: it must send exactly what Intel's client sends
/// (Appendix A), accept what Intel's client accepts, and map every transport outcome and server code the way
/// Intel's client does (aesm-protocol.md §8.3–§8.6) — without crashing where Intel's does.
/// </summary>
public sealed class AesmClientWireTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string SocketPath => _temp.Combine("aesm.socket");

    public void Dispose() => _temp.Dispose();

    private AesmClient Client(double timeoutSeconds = 5) =>
        new(new AesmClientOptions { SocketPath = SocketPath, Timeout = TimeSpan.FromSeconds(timeoutSeconds) });

    private ScriptedServer Server(byte[] reply) => new(SocketPath, _ => reply);

    [Fact]
    public async Task GetSupportedAttKeyIdNum_SendsIntelsBytesAndReadsTheReply()
    {
        using var server = Server(IntelWireBytes.A1Response);
        var reply = await Client().GetSupportedAttKeyIdNumAsync();
        Assert.Equal(IntelWireBytes.A1Request, Assert.Single(server.Requests));
        Assert.Equal(SgxStatus.Success, reply.Status);
        Assert.Equal(1u, reply.Value);
    }

    [Fact]
    public void GetSupportedAttKeyIds_SendsIntelsBytesAndReadsTheReply()
    {
        using var server = Server(IntelWireBytes.A2Response);
        var reply = Client().GetSupportedAttKeyIds(1);
        Assert.Equal(IntelWireBytes.A2Request, Assert.Single(server.Requests));
        Assert.Equal(AttestationAlgorithm.EcdsaP256, Assert.Single(reply.Value!).Algorithm);
    }

    [Fact]
    public async Task InitQuoteEx_SizeQuery_SendsIntelsBytesWithoutBufSize()
    {
        using var server = Server(IntelWireBytes.A3Response);
        var reply = await Client().InitQuoteExAsync(AttestationKeyId.DefaultEcdsaP256, wantPublicKeyId: false);
        Assert.Equal(IntelWireBytes.A3Request, Assert.Single(server.Requests));
        Assert.Equal(32ul, reply.Value!.PublicKeyIdSize);
        Assert.Null(reply.Value.PublicKeyId);
    }

    [Fact]
    public void InitQuoteEx_WithPublicKeyId_SendsIntelsBytes()
    {
        using var server = Server(IntelWireBytes.A4Response);
        var reply = Client().InitQuoteEx(AttestationKeyId.DefaultEcdsaP256, wantPublicKeyId: true);
        Assert.Equal(IntelWireBytes.A4Request, Assert.Single(server.Requests));
        Assert.Equal(0x44, reply.Value!.PublicKeyId![0]);
        Assert.Equal(new byte[512], reply.Value.TargetInfo);
    }

    [Fact]
    public async Task GetQuoteSizeEx_SendsIntelsBytes()
    {
        using var server = Server(IntelWireBytes.A5Response);
        var reply = await Client().GetQuoteSizeExAsync(AttestationKeyId.DefaultEcdsaP256);
        Assert.Equal(IntelWireBytes.A5Request, Assert.Single(server.Requests));
        Assert.Equal(4702u, reply.Value);
    }

    [Fact]
    public async Task GetQuoteEx_SendsIntelsBytes_AndRejectsABufferThatIsNoQuote()
    {
        using var server = Server(IntelWireBytes.A6Response);
        var reply = await Client().GetQuoteExAsync(IntelWireBytes.Report, AttestationKeyId.DefaultEcdsaP256, IntelWireBytes.QeReportInfoSent, 64);

        Assert.Equal(IntelWireBytes.A6Request, Assert.Single(server.Requests));

        // Documented difference (docs/client.md): Intel's client hands the raw 64-byte buffer back; ours trims it
        // with signature_data_len, and a buffer too short to hold a quote is SGX_ERROR_UNEXPECTED, not a quote.
        Assert.Equal(SgxStatus.ErrorUnexpected, reply.Status);
    }

    [Fact]
    public void Call_NoListener_IsServiceUnavailable()
    {
        Assert.Equal(SgxStatus.ErrorServiceUnavailable, Client().GetSupportedAttKeyIdNum().Status);
        File.WriteAllText(SocketPath, "not a socket");
        Assert.Equal(SgxStatus.ErrorServiceUnavailable, Client().GetSupportedAttKeyIdNum().Status);
    }

    [Fact]
    public async Task Call_NoSocketFile_ConnectFailureNamesThePathAndEnoent()
    {
        var reply = await Client().GetSupportedAttKeyIdNumAsync();
        var blocking = Client().GetSupportedAttKeyIdNum();

        foreach (var failure in new[] { reply.ConnectFailure!, blocking.ConnectFailure! })
        {
            Assert.Equal(SocketPath, failure.SocketPath);
            Assert.Equal(System.Net.Sockets.SocketError.AddressNotAvailable, failure.SocketError); // .NET's name for ENOENT here
            Assert.Equal("ENOENT", failure.ErrorName);
            Assert.True(failure.IsTransient);
            Assert.Equal($"no socket at {SocketPath} (ENOENT). Is the quote helper running and serving this path (it removes " +
                "the socket when it stops)? In a container, is the helper's /var/run/aesmd mounted?", failure.Description);
        }

        Assert.Equal(SocketPath, reply.SocketPath);
        var error = Assert.Throws<AesmCallException>(() => reply.GetValueOrThrow(QuoteExCall.GetSupportedAttKeyIdNum));
        Assert.Equal(SocketPath, error.SocketPath);
        Assert.Same(reply.ConnectFailure, error.ConnectFailure);
        Assert.Equal($"GetSupportedAttKeyIdNum failed with ErrorServiceUnavailable (0x4001): {reply.ConnectFailure!.Description} " +
            "See docs/errors.md §5.", error.Message);
    }

    [Fact]
    public void Call_NoSocketDirectory_SaysTheDirectoryIsMissingToo()
    {
        var path = _temp.Combine("aesmd", "aesm.socket");
        var failure = new AesmClient(new AesmClientOptions { SocketPath = path }).GetSupportedAttKeyIdNum().ConnectFailure!;

        Assert.Equal("ENOENT", failure.ErrorName);
        Assert.Equal($"no socket at {path} (ENOENT): its directory {_temp.Combine("aesmd")} does not exist either. Is the quote " +
            "helper's socket directory mounted here (/var/run/aesmd from the host in Kubernetes), and is the path right?", failure.Description);
    }

    [Fact]
    public void Call_StaleSocket_ConnectFailureIsEconnrefused()
    {
        StaleSocket.Create(SocketPath);

        var reply = Client().GetSupportedAttKeyIdNum();

        Assert.Equal(SgxStatus.ErrorServiceUnavailable, reply.Status);
        Assert.Null(reply.ServerError);
        Assert.Equal("ECONNREFUSED", reply.ConnectFailure!.ErrorName);
        Assert.True(reply.ConnectFailure.IsTransient);
        Assert.Equal($"nothing listens on {SocketPath} (ECONNREFUSED): a socket left by a helper that stopped or crashed, or " +
            "a file that is not a socket. Is the quote helper running? Starting it replaces a stale socket.", reply.ConnectFailure.Description);
    }

    [Fact]
    public void Call_ServerAnswered_HasNoConnectFailureAndNoPath()
    {
        using var server = Server(IntelWireBytes.A1Response);
        var reply = Client().GetSupportedAttKeyIdNum();
        Assert.True(reply.IsSuccess);
        Assert.Null(reply.ConnectFailure);
        Assert.Null(reply.SocketPath);
    }

    [Fact]
    public async Task Call_ClosedWithoutReply_IsUnexpected()
    {
        using var server = new ScriptedServer(SocketPath, _ => null);
        var reply = await Client().GetSupportedAttKeyIdNumAsync();
        Assert.Equal(SgxStatus.ErrorUnexpected, reply.Status);
        Assert.Equal(SgxStatus.ErrorUnexpected, Client().GetSupportedAttKeyIdNum().Status);

        // No reply: the failure names the socket, there was no connect failure.
        Assert.Null(reply.ConnectFailure);
        Assert.Equal($"GetSupportedAttKeyIdNum failed: ErrorUnexpected (0x0001) before any reply from {SocketPath}. See docs/errors.md.",
            Assert.Throws<AesmCallException>(() => reply.GetValueOrThrow(QuoteExCall.GetSupportedAttKeyIdNum)).Message);
    }

    [Fact]
    public async Task Call_NeverAnswered_IsServiceTimeout()
    {
        using var server = new ScriptedServer(SocketPath, _ => null, silent: true);
        Assert.Equal(SgxStatus.ErrorServiceTimeout, (await Client(0.3).GetSupportedAttKeyIdNumAsync()).Status);
        Assert.Equal(SgxStatus.ErrorServiceTimeout, Client(0.3).GetSupportedAttKeyIdNum().Status);
    }

    [Fact]
    public void BlockingCall_ReplyTrickledPastTheTimeout_IsServiceTimeout()
    {
        // Every byte arrives well inside the timeout, the body as a whole does not: the limit is per read (Intel's
        // readRaw: epoll wait plus an elapsed-time check), not per receive as SO_RCVTIMEO would make it.
        using var server = new ScriptedServer(SocketPath, _ => IntelWireBytes.A1Response, trickle: TimeSpan.FromMilliseconds(120));
        var started = TimeProvider.System.GetTimestamp();
        Assert.Equal(SgxStatus.ErrorServiceTimeout, Client(0.5).GetSupportedAttKeyIdNum().Status);
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void BlockingCall_ReplyInPiecesWithinTheTimeout_IsReadWhole()
    {
        using var server = new ScriptedServer(SocketPath, _ => IntelWireBytes.A1Response, trickle: TimeSpan.FromMilliseconds(20));
        var reply = Client(5).GetSupportedAttKeyIdNum();
        Assert.Equal(SgxStatus.Success, reply.Status);
        Assert.Equal(1u, reply.Value);
    }

    [Fact]
    public async Task Call_InfiniteTimeout_WaitsForTheReply()
    {
        using var server = new ScriptedServer(SocketPath, _ => IntelWireBytes.A1Response, trickle: TimeSpan.FromMilliseconds(20));
        var client = new AesmClient(new AesmClientOptions { SocketPath = SocketPath, Timeout = Timeout.InfiniteTimeSpan });

        Assert.Equal(1u, client.GetSupportedAttKeyIdNum().Value);
        Assert.Equal(1u, (await client.GetSupportedAttKeyIdNumAsync()).Value);
    }

    [Theory]
    [InlineData("07000000 8201 04 0800 1001")]           // right shape, wrong field (16 for 21): Intel's client segfaults
    [InlineData("00000000")]                             // empty body: Intel's client segfaults
    [InlineData("02000000 aa01")]                        // truncated protobuf
    [InlineData("05000000 aa01 02 1001")]                // no errorCode: proto2 default 1
    [InlineData("ffffffff")]                             // length above the client's cap
    public async Task Call_MalformedReply_IsUnexpectedNotACrash(string replyHex)
    {
        using var server = Server(Hex.FromHex(replyHex.Replace(" ", "", StringComparison.Ordinal)));
        Assert.Equal(SgxStatus.ErrorUnexpected, (await Client().GetSupportedAttKeyIdNumAsync()).Status);
    }

    [Fact]
    public async Task Call_ReplyWithExtraUnknownFields_IsAccepted()
    {
        using var server = Server(Hex.FromHex("0b000000aa0108080010017a021234"));
        var reply = await Client().GetSupportedAttKeyIdNumAsync();
        Assert.Equal(SgxStatus.Success, reply.Status);
        Assert.Equal(1u, reply.Value);
    }

    [Theory]
    [InlineData(47u, SgxStatus.ErrorMacMismatch)]
    [InlineData(45u, SgxStatus.ErrorMacMismatch)]
    [InlineData(42u, SgxStatus.ErrorAttKeyUninitialized)]
    [InlineData(38u, SgxStatus.ErrorUnsupportedAttKeyId)]
    [InlineData(30u, SgxStatus.ErrorServiceUnavailable)]
    [InlineData(29u, SgxStatus.ErrorOutOfEpc)]
    [InlineData(18u, SgxStatus.ErrorBusy)]
    [InlineData(3u, SgxStatus.ErrorInvalidParameter)]
    [InlineData(49u, SgxStatus.ErrorUnexpected)]
    [InlineData(12345u, SgxStatus.ErrorUnexpected)]
    public async Task GetQuoteEx_ServerCode_MapsLikeIntelsClient(uint code, SgxStatus expected)
    {
        var body = new Aesm.Protocol.Messages.Response { GetQuoteExRes = new() { ErrorCode = code } };
        using var server = Server(Aesm.Protocol.AesmFrame.Encode(body));

        var reply = await Client().GetQuoteExAsync(new byte[432], AttestationKeyId.DefaultEcdsaP256, null, 8192);

        Assert.Equal(expected, reply.Status);
        Assert.Equal((AesmError)code, reply.ServerError);
    }

    [Fact]
    public void GetQuoteEx_InvalidArguments_FailLocallyWithoutConnecting()
    {
        var client = Client();
        Assert.Equal(SgxStatus.ErrorInvalidParameter, client.GetQuoteEx(new byte[431], AttestationKeyId.DefaultEcdsaP256, null, 8192).Status);
        Assert.Equal(SgxStatus.ErrorInvalidParameter, client.GetQuoteEx(new byte[432], AttestationKeyId.DefaultEcdsaP256, null, 0).Status);
        Assert.Equal(SgxStatus.ErrorInvalidParameter, client.GetQuoteEx(new byte[432], AttestationKeyId.DefaultEcdsaP256, new byte[959], 8192).Status);
        Assert.Equal(SgxStatus.ErrorInvalidParameter, client.GetSupportedAttKeyIds(0).Status);
    }
}
