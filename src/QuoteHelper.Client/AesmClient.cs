using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Google.Protobuf;
using QuoteHelper.Aesm.Protocol;
using QuoteHelper.Aesm.Protocol.Messages;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Client;

/// <summary>
/// A client for the six quote-ex calls of an AESM service, wire-compatible with Intel's <c>libsgx_quote_ex</c>:
/// one connection per call (AESM serves one request per connection, aesm-protocol.md §1.3), the same requests, and
/// the same mapping of transport failures and server codes to <c>sgx_status_t</c> (§8.4, §8.6). Unlike Intel's
/// client it never crashes on a malformed reply: a missing or wrong response field is SGX_ERROR_UNEXPECTED.
/// Every call exists in an asynchronous form and, like Intel's C API, a blocking one (cheaper per call: no
/// event-loop round trip). Thread-safe; calls may run concurrently.
/// </summary>
public sealed class AesmClient
{
    private readonly AesmClientOptions _options;

    /// <summary>Creates a client; <paramref name="options"/> default to Intel's path and timeout.</summary>
    public AesmClient(AesmClientOptions? options = null) => _options = options ?? new AesmClientOptions();

    /// <summary>The socket path this client connects to.</summary>
    public string SocketPath => _options.SocketPath;

    /// <summary><c>sgx_get_supported_att_key_id_num</c>: how many attestation key ids the service supports.</summary>
    public async Task<AesmReply<uint>> GetSupportedAttKeyIdNumAsync(CancellationToken cancellationToken = default) =>
        ReadSupportedAttKeyIdNum(await TransactAsync(BuildGetSupportedAttKeyIdNum(), cancellationToken).ConfigureAwait(false));

    /// <summary>Blocking <see cref="GetSupportedAttKeyIdNumAsync"/>.</summary>
    public AesmReply<uint> GetSupportedAttKeyIdNum() => ReadSupportedAttKeyIdNum(Transact(BuildGetSupportedAttKeyIdNum()));

    /// <summary><c>sgx_get_supported_att_key_ids</c>: the <paramref name="count"/> supported ids.</summary>
    public async Task<AesmReply<IReadOnlyList<AttestationKeyId>>> GetSupportedAttKeyIdsAsync(uint count, CancellationToken cancellationToken = default) =>
        count is 0 or > AttestationKeyIdList.MaxEntries
            ? new(SgxStatus.ErrorInvalidParameter, null, null)
            : ReadSupportedAttKeyIds(await TransactAsync(BuildGetSupportedAttKeyIds(count), cancellationToken).ConfigureAwait(false), count);

    /// <summary>Blocking <see cref="GetSupportedAttKeyIdsAsync"/>.</summary>
    public AesmReply<IReadOnlyList<AttestationKeyId>> GetSupportedAttKeyIds(uint count) =>
        count is 0 or > AttestationKeyIdList.MaxEntries
            ? new(SgxStatus.ErrorInvalidParameter, null, null)
            : ReadSupportedAttKeyIds(Transact(BuildGetSupportedAttKeyIds(count)), count);

    /// <summary><c>sgx_select_att_key_id</c>: picks a supported id from <paramref name="list"/> (an encoded list; null = any).</summary>
    public async Task<AesmReply<AttestationKeyId>> SelectAttKeyIdAsync(byte[]? list, CancellationToken cancellationToken = default) =>
        ReadSelectAttKeyId(await TransactAsync(BuildSelectAttKeyId(list), cancellationToken).ConfigureAwait(false));

    /// <summary>Blocking <see cref="SelectAttKeyIdAsync"/>.</summary>
    public AesmReply<AttestationKeyId> SelectAttKeyId(byte[]? list) => ReadSelectAttKeyId(Transact(BuildSelectAttKeyId(list)));

    /// <summary>
    /// <c>sgx_init_quote_ex</c>. With <paramref name="wantPublicKeyId"/> false it is the size query (no key is
    /// certified); with true the service certifies its attestation key and returns the QE target info and key id.
    /// </summary>
    public async Task<AesmReply<InitQuoteExResult>> InitQuoteExAsync(AttestationKeyId keyId, bool wantPublicKeyId, CancellationToken cancellationToken = default) =>
        ReadInitQuoteEx(await TransactAsync(BuildInitQuoteEx(keyId, wantPublicKeyId), cancellationToken).ConfigureAwait(false), wantPublicKeyId);

    /// <summary>Blocking <see cref="InitQuoteExAsync"/>.</summary>
    public AesmReply<InitQuoteExResult> InitQuoteEx(AttestationKeyId keyId, bool wantPublicKeyId) =>
        ReadInitQuoteEx(Transact(BuildInitQuoteEx(keyId, wantPublicKeyId)), wantPublicKeyId);

    /// <summary><c>sgx_get_quote_size_ex</c>.</summary>
    public async Task<AesmReply<uint>> GetQuoteSizeExAsync(AttestationKeyId keyId, CancellationToken cancellationToken = default) =>
        ReadQuoteSizeEx(await TransactAsync(BuildGetQuoteSizeEx(keyId), cancellationToken).ConfigureAwait(false));

    /// <summary>Blocking <see cref="GetQuoteSizeExAsync"/>.</summary>
    public AesmReply<uint> GetQuoteSizeEx(AttestationKeyId keyId) => ReadQuoteSizeEx(Transact(BuildGetQuoteSizeEx(keyId)));

    /// <summary>
    /// <c>sgx_get_quote_ex</c>: a quote for the 432-byte <paramref name="report"/>. The service returns a
    /// <paramref name="bufferSize"/>-byte buffer; the result is trimmed to the quote's real length.
    /// </summary>
    /// <param name="report">The application's report, made for the QE target info.</param>
    /// <param name="keyId">The attestation key id.</param>
    /// <param name="qeReportInfo">Optional 960-byte <c>sgx_qe_report_info_t</c> (nonce and app target info); null or empty sends none.</param>
    /// <param name="bufferSize">Quote buffer size, at least the size from GetQuoteSizeEx.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<AesmReply<GetQuoteExResult>> GetQuoteExAsync(ReadOnlyMemory<byte> report, AttestationKeyId keyId,
        ReadOnlyMemory<byte>? qeReportInfo, uint bufferSize, CancellationToken cancellationToken = default) =>
        BuildGetQuoteEx(report, keyId, qeReportInfo, bufferSize) is { } request
            ? ReadGetQuoteEx(await TransactAsync(request, cancellationToken).ConfigureAwait(false), bufferSize)
            : new(SgxStatus.ErrorInvalidParameter, null, null);

    /// <summary>Blocking <see cref="GetQuoteExAsync"/>.</summary>
    public AesmReply<GetQuoteExResult> GetQuoteEx(ReadOnlyMemory<byte> report, AttestationKeyId keyId,
        ReadOnlyMemory<byte>? qeReportInfo, uint bufferSize) =>
        BuildGetQuoteEx(report, keyId, qeReportInfo, bufferSize) is { } request
            ? ReadGetQuoteEx(Transact(request), bufferSize)
            : new(SgxStatus.ErrorInvalidParameter, null, null);

    // Requests, as Intel's client builds them (aesm-protocol.md §8.2).

    private Request BuildGetSupportedAttKeyIdNum() =>
        new() { GetSupportedAttKeyIDNumReq = new() { Timeout = _options.RequestTimeoutField } };

    private Request BuildGetSupportedAttKeyIds(uint count) =>
        new() { GetSupportedAttKeyIDsReq = new() { BufSize = count * AttestationKeyId.Size, Timeout = _options.RequestTimeoutField } };

    private Request BuildSelectAttKeyId(byte[]? list)
    {
        var inner = new Request.Types.SelectAttKeyIDRequest { Timeout = _options.RequestTimeoutField };
        if (list is { Length: > 0 })
        {
            inner.AttKeyIdList = ByteString.CopyFrom(list);
        }

        return new Request { SelectAttKeyIDReq = inner };
    }

    private Request BuildInitQuoteEx(AttestationKeyId keyId, bool wantPublicKeyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var inner = new Request.Types.InitQuoteExRequest
        {
            AttKeyId = ByteString.CopyFrom(keyId.Bytes),
            BPubKeyId = wantPublicKeyId,
            Timeout = _options.RequestTimeoutField,
        };

        // Intel's client omits buf_size when the caller's size is 0 (the size query).
        if (wantPublicKeyId)
        {
            inner.BufSize = 32;
        }

        return new Request { InitQuoteExReq = inner };
    }

    private Request BuildGetQuoteSizeEx(AttestationKeyId keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        return new() { GetQuoteSizeExReq = new() { AttKeyId = ByteString.CopyFrom(keyId.Bytes), Timeout = _options.RequestTimeoutField } };
    }

    private Request? BuildGetQuoteEx(ReadOnlyMemory<byte> report, AttestationKeyId keyId, ReadOnlyMemory<byte>? qeReportInfo, uint bufferSize)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (report.Length != Report.Size || bufferSize == 0 || qeReportInfo is { Length: > 0 and not QeReportInfo.Size })
        {
            return null;
        }

        var inner = new Request.Types.GetQuoteExRequest
        {
            Report = UnsafeByteOperations.UnsafeWrap(report),
            AttKeyId = ByteString.CopyFrom(keyId.Bytes),
            BufSize = bufferSize,
            Timeout = _options.RequestTimeoutField,
        };
        if (qeReportInfo is { Length: > 0 } info)
        {
            inner.QeReportInfo = UnsafeByteOperations.UnsafeWrap(info);
        }

        return new Request { GetQuoteExReq = inner };
    }

    // Replies, with the checks Intel's client makes before copying (§8.2).

    private static AesmReply<uint> ReadSupportedAttKeyIdNum(Exchange exchange)
    {
        var reply = exchange.Response?.GetSupportedAttKeyIDNumRes;
        return Map(QuoteExCall.GetSupportedAttKeyIdNum, exchange, reply?.ErrorCode, reply?.AttKeyIdNum ?? 0);
    }

    private static AesmReply<IReadOnlyList<AttestationKeyId>> ReadSupportedAttKeyIds(Exchange exchange, uint count)
    {
        var reply = exchange.Response?.GetSupportedAttKeyIDsRes;
        if (exchange.Status != SgxStatus.Success || reply is null || reply.ErrorCode != 0)
        {
            return Map<IReadOnlyList<AttestationKeyId>>(QuoteExCall.GetSupportedAttKeyIds, exchange, reply?.ErrorCode, null);
        }

        var ids = reply.AttKeyIds.Span;
        if (ids.Length > count * AttestationKeyId.Size || ids.Length % AttestationKeyId.Size != 0)
        {
            return new(SgxStatus.ErrorUnexpected, AesmError.Success, null);
        }

        var list = new List<AttestationKeyId>();
        for (var offset = 0; offset < ids.Length; offset += AttestationKeyId.Size)
        {
            list.Add(AttestationKeyId.Read(ids.Slice(offset, AttestationKeyId.Size)));
        }

        return new(SgxStatus.Success, AesmError.Success, list);
    }

    private static AesmReply<AttestationKeyId> ReadSelectAttKeyId(Exchange exchange)
    {
        var reply = exchange.Response?.SelectAttKeyIDRes;
        if (exchange.Status != SgxStatus.Success || reply is null || reply.ErrorCode != 0)
        {
            return Map<AttestationKeyId>(QuoteExCall.SelectAttKeyId, exchange, reply?.ErrorCode, null);
        }

        return reply.SelectedAttKeyId.Length == AttestationKeyId.Size
            ? new(SgxStatus.Success, AesmError.Success, AttestationKeyId.Read(reply.SelectedAttKeyId.Span))
            : new(SgxStatus.ErrorUnexpected, AesmError.Success, null);
    }

    private static AesmReply<InitQuoteExResult> ReadInitQuoteEx(Exchange exchange, bool wantPublicKeyId)
    {
        var reply = exchange.Response?.InitQuoteExRes;
        if (exchange.Status != SgxStatus.Success || reply is null || reply.ErrorCode != 0)
        {
            return Map<InitQuoteExResult>(QuoteExCall.InitQuoteEx, exchange, reply?.ErrorCode, null);
        }

        // target_info must fit 512 bytes; pub_key_id only when its length equals pub_key_id_size.
        if (reply.TargetInfo.Length > TargetInfo.Size ||
            (reply.HasPubKeyId && (ulong)reply.PubKeyId.Length != reply.PubKeyIdSize) ||
            (wantPublicKeyId && reply.PubKeyId.Length != 32))
        {
            return new(SgxStatus.ErrorUnexpected, AesmError.Success, null);
        }

        var target = new byte[TargetInfo.Size];
        reply.TargetInfo.Span.CopyTo(target);
        return new(SgxStatus.Success, AesmError.Success,
            new InitQuoteExResult(target, reply.PubKeyIdSize, reply.HasPubKeyId ? reply.PubKeyId.ToByteArray() : null));
    }

    private static AesmReply<uint> ReadQuoteSizeEx(Exchange exchange)
    {
        var reply = exchange.Response?.GetQuoteSizeExRes;
        return Map(QuoteExCall.GetQuoteSizeEx, exchange, reply?.ErrorCode, reply?.QuoteSize ?? 0);
    }

    private static AesmReply<GetQuoteExResult> ReadGetQuoteEx(Exchange exchange, uint bufferSize)
    {
        var reply = exchange.Response?.GetQuoteExRes;
        if (exchange.Status != SgxStatus.Success || reply is null || reply.ErrorCode != 0)
        {
            return Map<GetQuoteExResult>(QuoteExCall.GetQuoteEx, exchange, reply?.ErrorCode, null);
        }

        // The service returns the whole buf_size buffer; the real length comes from signature_data_len (§6.7).
        var buffer = reply.Quote.Span;
        if (buffer.Length > bufferSize || !Quote.TryGetLength(buffer, out var length) ||
            (reply.HasQeReportInfo && reply.QeReportInfo.Length > QeReportInfo.Size))
        {
            return new(SgxStatus.ErrorUnexpected, AesmError.Success, null);
        }

        return new(SgxStatus.Success, AesmError.Success,
            new GetQuoteExResult(buffer[..length].ToArray(), reply.HasQeReportInfo ? reply.QeReportInfo.ToByteArray() : null));
    }

    private static AesmReply<T> Map<T>(QuoteExCall call, Exchange exchange, uint? errorCode, T? value)
    {
        if (exchange.Status != SgxStatus.Success)
        {
            return new(exchange.Status, null, default) { ConnectFailure = exchange.ConnectFailure, SocketPath = exchange.SocketPath };
        }

        if (errorCode is not { } code)
        {
            // A reply without the expected field: Intel's client would crash (§8.3); we report UNEXPECTED.
            return new(SgxStatus.ErrorUnexpected, null, default);
        }

        var error = (AesmError)code;
        var status = ErrorMapping.ToSgxStatus(error, call);
        return new(status, error, status == SgxStatus.Success ? value : default);
    }

    // Transport: connect, one frame out, one frame in, close (§1.3); failures mapped as in §8.4.

    // Socket.Poll takes at most int.MaxValue microseconds; a longer timeout is waited for in steps.
    private static readonly TimeSpan MaxPollWait = TimeSpan.FromMinutes(30);

    private readonly record struct Exchange(SgxStatus Status, Response? Response, AesmConnectFailure? ConnectFailure = null)
    {
        /// <summary>The socket path, on an exchange that got no reply (the caller's error message names it).</summary>
        public string? SocketPath { get; init; }
    }

    private Exchange Transact(Request request) => WithPath(TransactOnce(request));

    private async Task<Exchange> TransactAsync(Request request, CancellationToken cancellationToken) =>
        WithPath(await TransactOnceAsync(request, cancellationToken).ConfigureAwait(false));

    private Exchange WithPath(Exchange exchange) =>
        exchange.Status == SgxStatus.Success ? exchange : exchange with { SocketPath = _options.SocketPath };

    // Intel's client maps every connect failure to SERVICE_UNAVAILABLE (§8.4); the reason is kept for the caller.
    private Exchange CannotConnect(SocketException e) =>
        new(SgxStatus.ErrorServiceUnavailable, null, new AesmConnectFailure(_options.SocketPath, e.SocketErrorCode));

    private Exchange TransactOnce(Request request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.SendTimeout = (int)Math.Min(int.MaxValue, _options.Timeout.TotalMilliseconds);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(_options.SocketPath));
        }
        catch (SocketException e)
        {
            return CannotConnect(e);
        }

        byte[]? frame = null;
        byte[]? body = null;
        try
        {
            frame = AesmFrame.EncodePooled(request, out var frameLength);
            socket.Send(frame.AsSpan(0, frameLength));
            Span<byte> prefix = stackalloc byte[AesmLimits.LengthPrefixSize];
            if (!ReceiveExactly(socket, prefix, _options.Timeout))
            {
                return new(SgxStatus.ErrorUnexpected, null);
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
            if (length == 0 || length > AesmLimits.MaxResponseBodyLength)
            {
                return new(SgxStatus.ErrorUnexpected, null);
            }

            body = ArrayPool<byte>.Shared.Rent((int)length);
            return ReceiveExactly(socket, body.AsSpan(0, (int)length), _options.Timeout) ? Parse(body, (int)length) : new(SgxStatus.ErrorUnexpected, null);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            return new(SgxStatus.ErrorServiceTimeout, null);
        }
        catch (SocketException)
        {
            return new(SgxStatus.ErrorUnexpected, null);
        }
        finally
        {
            Return(frame);
            Return(body);
        }
    }

    private async Task<Exchange> TransactOnceAsync(Request request, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_options.SocketPath), deadline.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return CannotConnect(e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(SgxStatus.ErrorServiceTimeout, null);
        }

        byte[]? frame = null;
        byte[]? body = null;
        try
        {
            frame = AesmFrame.EncodePooled(request, out var frameLength);
            await socket.SendAsync(frame.AsMemory(0, frameLength), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            var prefix = new byte[AesmLimits.LengthPrefixSize];
            if (!await ReceiveExactlyAsync(socket, prefix, deadline.Token).ConfigureAwait(false))
            {
                return new(SgxStatus.ErrorUnexpected, null);
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
            if (length == 0 || length > AesmLimits.MaxResponseBodyLength)
            {
                return new(SgxStatus.ErrorUnexpected, null);
            }

            body = ArrayPool<byte>.Shared.Rent((int)length);
            return await ReceiveExactlyAsync(socket, body.AsMemory(0, (int)length), deadline.Token).ConfigureAwait(false)
                ? Parse(body, (int)length)
                : new(SgxStatus.ErrorUnexpected, null);
        }
        catch (SocketException)
        {
            return new(SgxStatus.ErrorUnexpected, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(SgxStatus.ErrorServiceTimeout, null);
        }
        finally
        {
            Return(frame);
            Return(body);
        }
    }

    private static Exchange Parse(byte[] body, int length) =>
        AesmFrame.TryParseResponse(new ReadOnlySequence<byte>(body, 0, length), out var response)
            ? new(SgxStatus.Success, response)
            : new(SgxStatus.ErrorUnexpected, null);

    private static void Return(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Waits for readability, then reads what is there, until the buffer is full or the timeout (one per call, so
    // the prefix and the body each get their own, as Intel's readRaw) runs out. Like Intel's client (epoll wait plus
    // an elapsed-time check, aesm-protocol.md §1.4) and unlike a blocking receive with SO_RCVTIMEO: a server that
    // trickles bytes cannot stretch the wait, and a reader waiting in poll(2) is not woken when the server consumes
    // the request (the kernel signals write space to a blocked receiver too), which spares both sides a wake-up
    // per request (BENCHMARKS.md).
    private static bool ReceiveExactly(Socket socket, Span<byte> buffer, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var unlimited = timeout == Timeout.InfiniteTimeSpan;
        while (!buffer.IsEmpty)
        {
            var remaining = unlimited ? MaxPollWait : timeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new SocketException((int)SocketError.TimedOut);
            }

            if (!socket.Poll(remaining < MaxPollWait ? remaining : MaxPollWait, SelectMode.SelectRead))
            {
                continue;
            }

            var read = socket.Receive(buffer);
            if (read == 0)
            {
                return false;
            }

            buffer = buffer[read..];
        }

        return true;
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            buffer = buffer[read..];
        }

        return true;
    }
}
