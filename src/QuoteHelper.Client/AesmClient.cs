using System.Buffers;
using System.Buffers.Binary;
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
/// Thread-safe; calls may run concurrently.
/// </summary>
public sealed class AesmClient
{
    private readonly AesmClientOptions _options;

    /// <summary>Creates a client; <paramref name="options"/> default to Intel's path and timeout.</summary>
    public AesmClient(AesmClientOptions? options = null) => _options = options ?? new AesmClientOptions();

    /// <summary>The socket path this client connects to.</summary>
    public string SocketPath => _options.SocketPath;

    /// <summary><c>sgx_get_supported_att_key_id_num</c>: how many attestation key ids the service supports.</summary>
    public async Task<AesmReply<uint>> GetSupportedAttKeyIdNumAsync(CancellationToken cancellationToken = default)
    {
        var request = new Request { GetSupportedAttKeyIDNumReq = new() { Timeout = _options.RequestTimeoutField } };
        var (status, response) = await TransactAsync(request, cancellationToken).ConfigureAwait(false);
        var reply = response?.GetSupportedAttKeyIDNumRes;
        return Map(QuoteExCall.GetSupportedAttKeyIdNum, status, reply is null ? null : reply.ErrorCode, reply?.AttKeyIdNum ?? 0);
    }

    /// <summary><c>sgx_get_supported_att_key_ids</c>: the <paramref name="count"/> supported ids.</summary>
    public async Task<AesmReply<IReadOnlyList<AttestationKeyId>>> GetSupportedAttKeyIdsAsync(uint count, CancellationToken cancellationToken = default)
    {
        if (count == 0 || count > AttestationKeyIdList.MaxEntries)
        {
            return new(SgxStatus.ErrorInvalidParameter, null, null);
        }

        var bufSize = count * AttestationKeyId.Size;
        var request = new Request { GetSupportedAttKeyIDsReq = new() { BufSize = bufSize, Timeout = _options.RequestTimeoutField } };
        var (status, response) = await TransactAsync(request, cancellationToken).ConfigureAwait(false);
        var reply = response?.GetSupportedAttKeyIDsRes;
        if (status != SgxStatus.Success || reply is null)
        {
            return new(status == SgxStatus.Success ? SgxStatus.ErrorUnexpected : status, null, null);
        }

        if (reply.ErrorCode != 0)
        {
            return Map<IReadOnlyList<AttestationKeyId>>(QuoteExCall.GetSupportedAttKeyIds, status, reply.ErrorCode, null);
        }

        var ids = reply.AttKeyIds.Span;
        if (ids.Length > bufSize || ids.Length % AttestationKeyId.Size != 0)
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

    /// <summary><c>sgx_select_att_key_id</c>: picks a supported id from <paramref name="list"/> (an encoded list; null = any).</summary>
    public async Task<AesmReply<AttestationKeyId>> SelectAttKeyIdAsync(byte[]? list, CancellationToken cancellationToken = default)
    {
        var inner = new Request.Types.SelectAttKeyIDRequest { Timeout = _options.RequestTimeoutField };
        if (list is { Length: > 0 })
        {
            inner.AttKeyIdList = ByteString.CopyFrom(list);
        }

        var (status, response) = await TransactAsync(new Request { SelectAttKeyIDReq = inner }, cancellationToken).ConfigureAwait(false);
        var reply = response?.SelectAttKeyIDRes;
        if (status != SgxStatus.Success || reply is null || reply.ErrorCode != 0)
        {
            return Map<AttestationKeyId>(QuoteExCall.SelectAttKeyId, status, reply?.ErrorCode, null);
        }

        return reply.SelectedAttKeyId.Length == AttestationKeyId.Size
            ? new(SgxStatus.Success, AesmError.Success, AttestationKeyId.Read(reply.SelectedAttKeyId.Span))
            : new(SgxStatus.ErrorUnexpected, AesmError.Success, null);
    }

    /// <summary>
    /// <c>sgx_init_quote_ex</c>. With <paramref name="wantPublicKeyId"/> false it is the size query (no key is
    /// certified); with true the service certifies its attestation key and returns the QE target info and key id.
    /// </summary>
    public async Task<AesmReply<InitQuoteExResult>> InitQuoteExAsync(AttestationKeyId keyId, bool wantPublicKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var inner = new Request.Types.InitQuoteExRequest
        {
            AttKeyId = ByteString.CopyFrom(keyId.Bytes),
            BPubKeyId = wantPublicKeyId,
            Timeout = _options.RequestTimeoutField,
        };
        if (wantPublicKeyId)
        {
            inner.BufSize = 32;
        }

        var (status, response) = await TransactAsync(new Request { InitQuoteExReq = inner }, cancellationToken).ConfigureAwait(false);
        var reply = response?.InitQuoteExRes;
        if (status != SgxStatus.Success || reply is null || reply.ErrorCode != 0)
        {
            return Map<InitQuoteExResult>(QuoteExCall.InitQuoteEx, status, reply?.ErrorCode, null);
        }

        // Intel's client: target_info must fit 512 bytes; pub_key_id only when its length equals pub_key_id_size.
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

    /// <summary><c>sgx_get_quote_size_ex</c>.</summary>
    public async Task<AesmReply<uint>> GetQuoteSizeExAsync(AttestationKeyId keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var request = new Request
        {
            GetQuoteSizeExReq = new() { AttKeyId = ByteString.CopyFrom(keyId.Bytes), Timeout = _options.RequestTimeoutField },
        };
        var (status, response) = await TransactAsync(request, cancellationToken).ConfigureAwait(false);
        var reply = response?.GetQuoteSizeExRes;
        return Map(QuoteExCall.GetQuoteSizeEx, status, reply?.ErrorCode, reply?.QuoteSize ?? 0);
    }

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
        ReadOnlyMemory<byte>? qeReportInfo, uint bufferSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (report.Length != Report.Size || bufferSize == 0 || qeReportInfo is { Length: > 0 and not QeReportInfo.Size })
        {
            return new(SgxStatus.ErrorInvalidParameter, null, null);
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

        var (status, response) = await TransactAsync(new Request { GetQuoteExReq = inner }, cancellationToken).ConfigureAwait(false);
        var reply = response?.GetQuoteExRes;
        if (status != SgxStatus.Success || reply is null || reply.ErrorCode != 0)
        {
            return Map<GetQuoteExResult>(QuoteExCall.GetQuoteEx, status, reply?.ErrorCode, null);
        }

        var buffer = reply.Quote.Span;
        if (buffer.Length > bufferSize || !Quote.TryGetLength(buffer, out var length) ||
            (reply.HasQeReportInfo && reply.QeReportInfo.Length > QeReportInfo.Size))
        {
            return new(SgxStatus.ErrorUnexpected, AesmError.Success, null);
        }

        return new(SgxStatus.Success, AesmError.Success,
            new GetQuoteExResult(buffer[..length].ToArray(), reply.HasQeReportInfo ? reply.QeReportInfo.ToByteArray() : null));
    }

    private static AesmReply<T> Map<T>(QuoteExCall call, SgxStatus transport, uint? errorCode, T? value)
    {
        if (transport != SgxStatus.Success)
        {
            return new(transport, null, default);
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

    private async Task<(SgxStatus Status, Response? Response)> TransactAsync(Request request, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_options.SocketPath), deadline.Token).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return (SgxStatus.ErrorServiceUnavailable, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (SgxStatus.ErrorServiceTimeout, null);
        }

        byte[]? rented = null;
        try
        {
            var frame = AesmFrame.Encode(request);
            await socket.SendAsync(frame, SocketFlags.None, deadline.Token).ConfigureAwait(false);

            var prefix = new byte[AesmLimits.LengthPrefixSize];
            if (!await ReceiveExactlyAsync(socket, prefix, deadline.Token).ConfigureAwait(false))
            {
                return (SgxStatus.ErrorUnexpected, null);
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
            if (length == 0 || length > AesmLimits.MaxResponseBodyLength)
            {
                return (SgxStatus.ErrorUnexpected, null);
            }

            rented = ArrayPool<byte>.Shared.Rent((int)length);
            var body = rented.AsMemory(0, (int)length);
            if (!await ReceiveExactlyAsync(socket, body, deadline.Token).ConfigureAwait(false))
            {
                return (SgxStatus.ErrorUnexpected, null);
            }

            return AesmFrame.TryParseResponse(new ReadOnlySequence<byte>(body), out var response)
                ? (SgxStatus.Success, response)
                : (SgxStatus.ErrorUnexpected, null);
        }
        catch (SocketException)
        {
            return (SgxStatus.ErrorUnexpected, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (SgxStatus.ErrorServiceTimeout, null);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
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
