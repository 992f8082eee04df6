using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using QuoteHelper.Aesm.Protocol;
using QuoteHelper.Aesm.Protocol.Messages;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Daemon;

/// <summary>
/// The Unix-socket server: accept, read one length-prefixed request within the read deadline, answer, close
/// (aesm-protocol.md §1.3). Hostile lengths, garbage and unknown requests are closed without a reply, as Intel's
/// server does, and nothing is allocated for a claimed length above the cap.
/// </summary>
/// <remarks>
/// Why not Kestrel's connection handler (the house style's default): AESM opens one connection per request, and
/// Kestrel's per-connection machinery (pipes, features, timers, middleware) cost about four ECDSA signatures of CPU
/// per request on the benchmark machine (BENCHMARKS.md), against a budget of three for the whole quote. This
/// server reads the request that is usually already waiting in the socket with one non-blocking receive and only
/// falls back to an asynchronous, deadline-bound receive for slow clients, so a silent client costs a pending
/// operation, never a thread.
/// </remarks>
internal sealed class AesmSocketServer : IAsyncDisposable
{
    /// <summary>
    /// How long an accept thread waits for a new connection's first bytes before handing it to the asynchronous
    /// path. Short enough that a flood of silent connections only slows accepting, never stops it.
    /// </summary>
    private const int FastPathWaitMicroseconds = 200;

    private readonly Socket _listener;
    private readonly string _socketPath;
    private readonly FileIdentity? _identity;
    private readonly AesmService _service;
    private readonly DaemonMetrics _metrics;
    private readonly PeerPolicy _policy;
    private readonly AesmDaemonOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread[] _acceptThreads;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextConnectionId;
    private long _waitedReads;
    private long _asyncReads;
    private int _active;

    private AesmSocketServer(Socket listener, string socketPath, AesmService service, AesmDaemonOptions options,
        DaemonMetrics metrics, ILogger logger)
    {
        _listener = listener;
        _socketPath = socketPath;
        _identity = FileIdentity.Of(socketPath);
        _service = service;
        _metrics = metrics;
        _policy = new PeerPolicy(options);
        _options = options;
        _logger = logger;

        // Dedicated threads in a blocking accept(2): the kernel hands each connection to one waiting thread, which
        // serves it start to finish without epoll or thread-pool hops. One per core: more only added context
        // switches in the benchmark (BENCHMARKS.md).
        _acceptThreads = new Thread[Math.Max(2, Environment.ProcessorCount)];
        for (var i = 0; i < _acceptThreads.Length; i++)
        {
            _acceptThreads[i] = new Thread(AcceptLoop) { IsBackground = true, Name = $"aesm-accept-{i}" };
            _acceptThreads[i].Start();
        }
    }

    /// <summary>Connections accepted so far.</summary>
    public long AcceptedConnections => Interlocked.Read(ref _nextConnectionId);

    /// <summary>Requests whose first bytes had not arrived at accept time (the accept thread waited briefly).</summary>
    public long WaitedReads => Interlocked.Read(ref _waitedReads);

    /// <summary>Requests read on the asynchronous, deadline-bound path (slow or silent clients).</summary>
    public long AsyncReads => Interlocked.Read(ref _asyncReads);

    /// <summary>Connections being served right now.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>
    /// Binds a temporary socket beside <paramref name="socketPath"/>, listens, sets its mode, then renames it over
    /// the public path in one atomic step (rename(2)): a client connecting at any moment finds either the previous
    /// socket (a helper being replaced, which keeps serving its backlog) or this one, never nothing.
    /// </summary>
    public static AesmSocketServer Start(string socketPath, AesmService service, AesmDaemonOptions options, DaemonMetrics metrics, ILogger logger)
    {
        var directory = Path.GetDirectoryName(socketPath)!;
        // Short, because a Unix socket path is limited to 107 bytes; hidden, because it only lives for a moment.
        var temporary = Path.Combine(directory, $".aesm.{Environment.ProcessId}.{Guid.NewGuid():N}"[..24]);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(temporary));
            listener.Listen(options.ListenBacklog);
            File.SetUnixFileMode(temporary, options.SocketMode);
            if (NativeMethods.Rename(temporary, socketPath) != 0)
            {
                throw new IOException($"rename({temporary}, {socketPath}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        catch
        {
            listener.Dispose();
            File.Delete(temporary);
            throw;
        }

        return new AesmSocketServer(listener, socketPath, service, options, metrics, logger);
    }

    /// <summary>True while the public path still names this server's socket (no successor renamed its own over it).</summary>
    public bool OwnsPublicPath => _identity is { } mine && FileIdentity.Of(_socketPath) == mine;

    /// <summary>
    /// Stops accepting (the listening socket is closed and the path removed), then waits for the connections being
    /// served to finish, at most <paramref name="timeout"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        // Take the name away first (only if it is still ours: after a handover it names the successor), so that
        // new clients go elsewhere or fail fast; then keep accepting until the backlog of clients that connected
        // before is empty, so that none of them is reset (zero failed requests across a handover).
        if (OwnsPublicPath)
        {
            File.Delete(_socketPath);
        }

        await DrainBacklogAsync().ConfigureAwait(false);
        _stopping.Cancel();

        // shutdown(2) wakes the threads blocked in accept(2); closing alone does not on Linux.
        try
        {
            _listener.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _listener.Dispose();

        // .NET unlinks the path it bound when the listener is disposed: that is the temporary name, renamed away at
        // start, so the public path (ours or a successor's) is never touched here.
        foreach (var thread in _acceptThreads)
        {
            thread.Join();
        }

        if (Volatile.Read(ref _active) > 0)
        {
            await _drained.Task.WaitAsync(timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        _stopping.Dispose();
    }

    // Waits until no connection has been pending in the listen backlog for three checks in a row.
    private async Task DrainBacklogAsync()
    {
        var quiet = 0;
        for (var i = 0; i < 500 && quiet < 3; i++)
        {
            bool pending;
            try
            {
                pending = _listener.Poll(0, SelectMode.SelectRead);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            quiet = pending ? 0 : quiet + 1;
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    private void AcceptLoop()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (Exception e) when (e is ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE and friends: keep serving the connections we have; try again shortly.
                Log.AcceptFailed(_logger, e.SocketErrorCode.ToString());
                Thread.Sleep(10);
                continue;
            }

            if (Interlocked.Increment(ref _active) > _options.MaxConnections)
            {
                Release();
                Log.ConnectionLimit(_logger, _options.MaxConnections);
                _metrics.Connection("refused_limit");
                Refuse(connection);
                continue;
            }

            // Not awaited: when the request is already there (the common case) ServeAsync completes synchronously on
            // this thread; when the client is slow it continues asynchronously (deadline-bound, on the thread pool)
            // and this thread goes back to accepting.
            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        var id = Interlocked.Increment(ref _nextConnectionId);
        byte[]? buffer = null;
        byte[]? rented = null;
        var admitted = false;

        // SO_PEERCRED costs a system call per connection: read up front only when the policy decides by peer,
        // otherwise only when a log line names the peer (failures, or debug logging).
        var peer = _policy.NeedsPeer ? PeerCredentials.Of(connection) : null;
        _metrics.InFlight.Inc();
        try
        {
            buffer = ArrayPool<byte>.Shared.Rent(4096);
            var (request, length, slow) = await ReadRequestAsync(connection, buffer, id).ConfigureAwait(false);
            buffer = request;
            if (length < 0)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            if (!AesmFrame.TryParseRequest(new ReadOnlySequence<byte>(request, AesmLimits.LengthPrefixSize, length), out var parsed))
            {
                peer ??= PeerCredentials.Of(connection);
                Log.Malformed(_logger, id, peer?.Pid, peer?.Uid, peer?.Gid);
                _metrics.Connection("malformed");
                return;
            }

            if (AesmDispatch.SelectRequest(parsed) is not { } requested)
            {
                peer ??= PeerCredentials.Of(connection);
                Log.UnknownRequest(_logger, id, peer?.Pid, peer?.Uid, peer?.Gid);
                _metrics.Connection("unknown_request");
                return;
            }

            Response? response;
            AesmRequestKind? kind = requested;
            var decision = _policy.Admit(peer);
            if (decision == PeerDecision.Allow)
            {
                admitted = true;
                response = _service.Handle(parsed, out kind, out rented);
            }
            else
            {
                // Answered in the request's own field, so every client (Intel's too) gets a clean error: 30 for a peer
                // that is not allowed, 18 (busy → SGX_ERROR_BUSY) for one over its limits.
                _metrics.PeerRejected(decision.ToString());
                Log.PeerRejected(_logger, id, decision.ToString(), requested.ToString(), peer?.Pid, peer?.Uid, peer?.Gid);
                response = AesmResponses.Error(requested, decision == PeerDecision.NotAllowed ? AesmError.ServiceUnavailable : AesmError.Busy);
            }

            if (response is null)
            {
                return;
            }

            var reply = AesmFrame.EncodePooled(response, out var replyLength);
            try
            {
                await SendAsync(connection, reply.AsMemory(0, replyLength), slow).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(reply);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var code = ErrorCodeOf(response, kind!.Value);
            _metrics.Answered(kind.Value, code, elapsed);
            _metrics.Connection("served");
            LogAnswer(kind.Value, code, elapsed, id, peer, connection);
        }
        catch (SocketException)
        {
            // The client went away; nothing to answer.
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception e)
        {
            // Nothing a client sends may take the daemon down; log it and close this connection only.
            Log.ConnectionFailed(_logger, id, e);
        }
        finally
        {
            if (admitted)
            {
                _policy.Release(peer);
            }

            _metrics.InFlight.Dec();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            connection.Dispose();
            Release();
        }
    }

    // Returns the buffer holding prefix + body (possibly re-rented larger) and the body length, or -1 to close
    // without a reply.
    private async Task<(byte[] Buffer, int Length, bool Slow)> ReadRequestAsync(Socket connection, byte[] buffer, long id)
    {
        var received = 0;
        var needed = AesmLimits.LengthPrefixSize;
        var bodyLength = -1;
        var waited = false;
        CancellationTokenSource? deadline = null;
        try
        {
            while (true)
            {
                // Fast path: the bytes are usually in the socket already. One receive with MSG_DONTWAIT takes them
                // without registering the socket with epoll, without the two fcntl calls a switch to non-blocking
                // mode costs, and without asking first how many there are (FIONREAD, one more system call).
                int read;
                if (deadline is null)
                {
                    read = ReceiveNow(connection, buffer.AsSpan(received), out var wouldBlock);
                    if (wouldBlock)
                    {
                        if (!waited && WaitBriefly(connection, ref waited))
                        {
                            continue;
                        }

                        Interlocked.Increment(ref _asyncReads);
                        deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                        deadline.CancelAfter(_options.ReadTimeout);
                        continue;
                    }

                    if (read < 0)
                    {
                        return (buffer, -1, false);
                    }
                }
                else
                {
                    try
                    {
                        read = await connection.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        if (!_stopping.IsCancellationRequested)
                        {
                            Log.ReadTimeout(_logger, id, _options.ReadTimeout);
                            _metrics.Connection("timeout");
                        }

                        return (buffer, -1, false);
                    }
                    catch (SocketException)
                    {
                        // The client went away mid-request. Returned, not thrown: after a larger rent above, the
                        // caller must release this buffer, not the one it passed in (already back in the pool).
                        return (buffer, -1, false);
                    }
                }

                if (read == 0)
                {
                    Log.EndedEarly(_logger, id);
                    _metrics.Connection("ended_early");
                    return (buffer, -1, false);
                }

                received += read;
                if (bodyLength < 0 && received >= AesmLimits.LengthPrefixSize)
                {
                    var claimed = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
                    if (claimed == 0 || claimed > AesmLimits.MaxRequestBodyLength)
                    {
                        // Decided on the 4 prefix bytes alone: nothing is allocated for the claimed length.
                        Log.HostileLength(_logger, id, claimed, AesmLimits.MaxRequestBodyLength);
                        _metrics.Connection("hostile_length");
                        return (buffer, -1, false);
                    }

                    bodyLength = (int)claimed;
                    needed = AesmLimits.LengthPrefixSize + bodyLength;
                    if (needed > buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(needed);
                        buffer.AsSpan(0, received).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                if (bodyLength >= 0 && received >= needed)
                {
                    // Extra bytes after the frame are ignored, as Intel's server does.
                    return (buffer, bodyLength, deadline is not null);
                }

                if (received == buffer.Length)
                {
                    // Only reachable before the prefix is complete, which a 4 KiB buffer always holds.
                    return (buffer, -1, false);
                }
            }
        }
        finally
        {
            deadline?.Dispose();
        }
    }

    // recv(2) with MSG_DONTWAIT: the bytes read, 0 at end of stream, -1 on an error; wouldBlock when nothing is there yet.
    private static unsafe int ReceiveNow(Socket connection, Span<byte> destination, out bool wouldBlock)
    {
        wouldBlock = false;
        fixed (byte* pointer = destination)
        {
            while (true)
            {
                var read = NativeMethods.Recv(connection.SafeHandle, pointer, (nuint)destination.Length, NativeMethods.MsgDontWait);
                if (read >= 0)
                {
                    return (int)read;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == NativeMethods.EIntr)
                {
                    continue;
                }

                wouldBlock = errno == NativeMethods.EAgain;
                return -1;
            }
        }
    }

    // A client that connected is usually writing its request this very moment: wait briefly here rather than pay
    // for the asynchronous path (epoll registration, thread-pool hop). True when data or end-of-stream is pending.
    private bool WaitBriefly(Socket connection, ref bool waited)
    {
        waited = true;
        Interlocked.Increment(ref _waitedReads);
        return connection.Poll(FastPathWaitMicroseconds, SelectMode.SelectRead);
    }

    private async ValueTask SendAsync(Socket connection, ReadOnlyMemory<byte> reply, bool slowClient)
    {
        if (!slowClient)
        {
            // A reply is at most MaxQuoteBufferSize plus about 1 KiB, far below the default AF_UNIX send buffer
            // (208 KiB), so this blocking send completes at once even if the client never reads.
            connection.Send(reply.Span, SocketFlags.None, out _);
            return;
        }

        // A client that was slow to send may be slow to read: bounded by the same deadline a request gets.
        using var deadline = new CancellationTokenSource(_options.ReadTimeout);
        try
        {
            await connection.SendAsync(reply, SocketFlags.None, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Best effort to read what the client already wrote before closing: Intel's client writes without
    // MSG_NOSIGNAL and would die of SIGPIPE writing to a closed peer (aesm-protocol.md §1.3).
    private static void Refuse(Socket connection)
    {
        // The fast path's non-blocking receive: until nothing is waiting, end of stream, or an error.
        Span<byte> discard = stackalloc byte[2048];
        while (ReceiveNow(connection, discard, out _) > 0)
        {
        }

        connection.Dispose();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _active) == 0 && _stopping.IsCancellationRequested)
        {
            _drained.TrySetResult();
        }
    }

    // Every response sub-message has errorCode as field 1 (aesm-protocol.md §2.5).
    // Typed reads for the six quote-ex calls (the hot path, no reflection or boxing); the descriptor for the rest.
    private static uint ErrorCodeOf(Response response, AesmRequestKind kind) => kind switch
    {
        AesmRequestKind.GetQuoteEx => response.GetQuoteExRes?.ErrorCode,
        AesmRequestKind.InitQuoteEx => response.InitQuoteExRes?.ErrorCode,
        AesmRequestKind.GetQuoteSizeEx => response.GetQuoteSizeExRes?.ErrorCode,
        AesmRequestKind.SelectAttKeyId => response.SelectAttKeyIDRes?.ErrorCode,
        AesmRequestKind.GetSupportedAttKeyIdNum => response.GetSupportedAttKeyIDNumRes?.ErrorCode,
        AesmRequestKind.GetSupportedAttKeyIds => response.GetSupportedAttKeyIDsRes?.ErrorCode,
        _ => AesmResponses.GetSubMessage(response, kind) is { } message ? message.Descriptor.FindFieldByNumber(1)?.Accessor.GetValue(message) as uint? : null,
    } ?? (uint)AesmError.UnexpectedError;

    private void LogAnswer(AesmRequestKind kind, uint code, TimeSpan elapsed, long id, PeerCredentials? peer, Socket connection)
    {
        if (code != (uint)AesmError.Success)
        {
            peer ??= PeerCredentials.Of(connection);
            Log.AnsweredError(_logger, kind.ToString(), code, ((AesmError)code).ToString(), id, peer?.Pid, peer?.Uid, peer?.Gid);
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            peer ??= PeerCredentials.Of(connection);
            Log.Answered(_logger, kind.ToString(), code, elapsed.TotalMilliseconds, id, peer?.Pid, peer?.Uid, peer?.Gid);
        }
    }
}
