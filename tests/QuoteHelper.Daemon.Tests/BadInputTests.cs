using System.Net.Sockets;
using static QuoteHelper.Daemon.Tests.Proto;
using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// Hostile and malformed input on the wire (aesm-protocol.md §1.3, §3): what is closed without a reply, what is
/// answered with 1 or 30, and that the daemon keeps serving. One daemon (read deadline 3 s) for the whole class.
/// </summary>
public sealed class BadInputTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    /// <summary>"At once": far below the fixture's 3 s read deadline, generous for a loaded 2-core machine.</summary>
    private static readonly TimeSpan s_atOnce = TimeSpan.FromSeconds(1);

    private const string A1Response = "07000000aa010408001001";

    private readonly DaemonHost _host = fixture.Host;

    [Theory]
    [InlineData("00000000")]                       // zero length: an empty Request (§3 rule 4)
    [InlineData("00000000 aa0103489875")]           // zero length followed by a real request
    [InlineData("01000100 aa0103489875")]           // 65537: one above the 64 KiB cap
    [InlineData("00000080 aa0103489875")]           // 0x80000000: negative if read as a signed int
    [InlineData("ffffffff aa0103489875")]           // 0xFFFFFFFF: Intel's server would allocate 4 GiB
    public async Task Exchange_LengthPrefixZeroOrAboveCap_ClosedAtOnceWithoutReply(string frameHex)
    {
        var reply = await _host.ExchangeAsync(Hex.FromHex(frameHex));

        Assert.Equal(RawOutcome.ClosedWithoutReply, reply.Outcome);
        Assert.True(reply.Elapsed < s_atOnce, $"closed after {reply.Elapsed}, not at once");
    }

    [Fact]
    public async Task Exchange_LengthPrefixExactlyCap_Answered()
    {
        // A 65536-byte body: GetSupportedAttKeyIDNum plus one unknown field as padding (unknown fields are ignored,
        // §2.1). The cap is inclusive.
        var request = Sub(GetSupportedAttKeyIdNum, Varint(9, IntelTimeout));
        var padding = Bytes(1000, new byte[65536 - request.Length - 5]); // tag 2 bytes + length 3 bytes
        var frame = Frame(request, padding);
        Assert.Equal(4 + 65536, frame.Length);

        var reply = await _host.ExchangeAsync(frame);

        Assert.Equal(A1Response, reply.Hex);
    }

    [Theory]
    [InlineData("")]                 // connect, send nothing, half-close
    [InlineData("06")]               // half a length prefix
    [InlineData("060000")]           // three prefix bytes
    [InlineData("06000000")]         // prefix only
    [InlineData("06000000 aa0103")]  // half the body
    public async Task Exchange_IncompleteFrameThenHalfClose_ClosedAtOnceWithoutReply(string partialHex)
    {
        using var socket = await RawAesm.ConnectAsync(_host.SocketPath, Hex.FromHex(partialHex), TestContext.Current.CancellationToken);
        socket.Shutdown(SocketShutdown.Send);

        var reply = await RawAesm.ReadToEndAsync(socket, System.Diagnostics.Stopwatch.StartNew(), RawAesm.DefaultTimeout,
            TestContext.Current.CancellationToken);

        Assert.Equal(RawOutcome.ClosedWithoutReply, reply.Outcome);
        Assert.True(reply.Elapsed < s_atOnce, $"closed after {reply.Elapsed}, not at once");
    }

    [Theory]
    [InlineData("ffffff")]           // varint tag that never ends
    [InlineData("0a")]               // tag without a length
    [InlineData("aa01ff")]           // length varint cut off
    [InlineData("aa0105 4898")]      // sub-message longer than the body
    [InlineData("0f")]               // wire type 7 does not exist
    [InlineData("00")]               // field number 0 is invalid
    [InlineData("7a03 0a0500 1801")] // nested bytes field overruns the sub-message
    public async Task Exchange_BodyNotARequest_ClosedWithoutReply(string bodyHex)
    {
        var reply = await _host.ExchangeAsync(Frame(Hex.FromHex(bodyHex)));

        Assert.Equal(RawOutcome.ClosedWithoutReply, reply.Outcome);
        Assert.True(reply.Elapsed < s_atOnce, $"closed after {reply.Elapsed}");
    }

    [Fact]
    public async Task Exchange_MalformedOrFailed_LogNamesThePeer()
    {
        // With no peer policy the server reads SO_PEERCRED only when a log line needs it: those lines must still
        // name the peer (this test process), not print empty fields.
        var peer = $"pid {Environment.ProcessId} uid ";

        await _host.ExchangeAsync(Frame(Hex.FromHex("ffffff")));
        var shortKeyId = await _host.ExchangeAsync(GetQuoteSizeExRequest(new byte[255]));

        Assert.Equal(RawOutcome.Replied, shortKeyId.Outcome);
        Assert.Contains(_host.Logs.Entries, e => e.EventId == 2002 && e.Message.Contains(peer, StringComparison.Ordinal));
        Assert.Contains(_host.Logs.Entries, e => e.EventId == 2006 && e.Message.Contains(peer, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2a00")]             // field 5: historic PSE CreateSession, not in the schema
    [InlineData("4a00")]             // field 9
    [InlineData("a20100")]           // field 20: exists only in Response
    [InlineData("ba0100")]           // field 23: beyond the schema
    [InlineData("980601")]           // field 99, varint
    [InlineData("0801")]             // field 1 with the wrong wire type (varint instead of a message)
    [InlineData("4a00 a20100 980601")]
    public async Task Exchange_OnlyUnknownFields_ClosedWithoutReply(string bodyHex)
    {
        var reply = await _host.ExchangeAsync(Frame(Hex.FromHex(bodyHex)));

        // §3 rule 4: no known sub-message → no reply at all (never an empty body or another field, §8.3).
        Assert.Equal(RawOutcome.ClosedWithoutReply, reply.Outcome);
    }

    [Theory]
    [InlineData("7a00", "060000007a0408011800")]                                     // InitQuoteEx without b_pub_key_id (Appendix B)
    [InlineData("7a03 489875", "060000007a0408011800")]                               // … with only a timeout
    [InlineData("7a02 2020", "060000007a0408011800")]                                // … with buf_size 32: size 0, not echoed (§6.5)
    [InlineData("b20100", "05000000b201020801")]                                     // GetSupportedAttKeyIDs without buf_size
    [InlineData("b20103 489875", "05000000b201020801")]                              // … with a timeout
    [InlineData("8a0100", "050000008a01020801")]                                     // GetQuoteEx without report and buf_size
    [InlineData("8a0102 2040", "050000008a01020801")]                                // … without report
    public async Task Exchange_RequiredFieldMissing_UnexpectedErrorInSameField(string bodyHex, string expected)
    {
        var reply = await _host.ExchangeAsync(Frame(Hex.FromHex(bodyHex)));

        Assert.Equal(expected, reply.Hex);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(18)]
    public async Task Exchange_LegacyRequest_ServiceUnavailableInOwnField(int field)
    {
        // An empty sub-message: legacy kinds are answered 30 even when their required fields are missing (§3 rule 6).
        var reply = await _host.ExchangeAsync(Frame(Sub(field)));

        Assert.Equal(ToHex(ErrorOnly(field, ServiceUnavailable)), reply.Hex);
    }

    [Fact]
    public async Task Exchange_LegacyInitQuoteWithTimeout_AppendixBBytes()
    {
        var reply = await _host.ExchangeAsync(Frame(Sub(1, Varint(9, IntelTimeout))));

        Assert.Equal("040000000a02081e", reply.Hex);
    }

    [Fact]
    public async Task Exchange_LegacyGetQuoteComplete_ServiceUnavailable()
    {
        var getQuote = Sub(2, Bytes(1, new byte[432]), Varint(2, 1), Bytes(3, new byte[16]), Varint(6, 2048), Varint(9, IntelTimeout));

        var reply = await _host.ExchangeAsync(Frame(getQuote));

        Assert.Equal("040000001202081e", reply.Hex);
    }

    [Fact]
    public async Task Exchange_Fields22And21_21AnsweredFirstInIntelOrder()
    {
        // Two sub-messages: the first present in Intel's order (…, 19, 21, 22) wins, not the first in the bytes (§3 rule 3).
        var reply = await _host.ExchangeAsync(Frame(Sub(22, Varint(1, 256)), Sub(21)));

        Assert.Equal(A1Response, reply.Hex);
    }

    [Fact]
    public async Task Exchange_QuoteExAndLegacyLaunchToken_LegacyAnsweredFirstInIntelOrder()
    {
        // SGX 2.26 order starts with 3 (launch token), then 1, 2, …: 3 wins over 21.
        var reply = await _host.ExchangeAsync(Frame(Sub(21), Sub(3)));

        Assert.Equal(ToHex(ErrorOnly(3, ServiceUnavailable)), reply.Hex);
    }

    [Fact]
    public async Task Exchange_UnknownFieldsAroundRequest_Ignored()
    {
        var reply = await _host.ExchangeAsync(Frame(Varint(99, 7), Sub(21, Varint(9, IntelTimeout), Bytes(77, [1, 2, 3])), Bytes(1000, [9])));

        Assert.Equal(A1Response, reply.Hex);
    }

    [Fact]
    public async Task Exchange_BytesAfterFrame_IgnoredOneReply()
    {
        // Extra bytes after the first frame are ignored (§1.3), even when they are a second request.
        byte[] bytes = [.. GetSupportedAttKeyIdNumRequest(), .. GetSupportedAttKeyIdsRequest(256), 0xff, 0xff];

        var reply = await _host.ExchangeAsync(bytes);

        Assert.Equal(A1Response, reply.Hex);
    }

    [Fact]
    public async Task Exchange_FrameInSmallPieces_Answered()
    {
        // A slow client: the frame arrives in 7-byte pieces, the first of them splitting the length prefix.
        var frame = InitQuoteExRequest(DefaultKeyId, false, null);
        using var socket = await RawAesm.ConnectAsync(_host.SocketPath, cancellationToken: TestContext.Current.CancellationToken);
        foreach (var piece in frame.Chunk(7))
        {
            await RawAesm.SendAsync(socket, piece, TestContext.Current.CancellationToken);
            await Task.Delay(2, TestContext.Current.CancellationToken);
        }

        var reply = await RawAesm.ReadToEndAsync(socket, System.Diagnostics.Stopwatch.StartNew(), RawAesm.DefaultTimeout,
            TestContext.Current.CancellationToken);

        Assert.Equal(ToHex(InitQuoteExSuccess(new byte[512], null)), reply.Hex);
    }

    [Fact]
    public async Task Exchange_300ConcurrentConnections_EachServedOrClosedCleanly()
    {
        var request = GetSupportedAttKeyIdNumRequest();

        var replies = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => Task.Run(() => _host.ExchangeAsync(request))));

        // Each one is either the exact answer or refused cleanly: never a partial frame, never left hanging.
        Assert.All(replies, r => Assert.True(
            r.Hex == A1Response || r.Outcome is RawOutcome.ClosedWithoutReply or RawOutcome.ConnectFailed,
            $"{r.Outcome}: {r.Hex}"));
        Assert.Contains(replies, r => r.Hex == A1Response);
        Assert.Equal(A1Response, (await _host.ExchangeAsync(request)).Hex);
    }
}
