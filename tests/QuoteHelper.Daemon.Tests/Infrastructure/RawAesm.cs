using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using QuoteHelper.Aesm.Protocol;
using QuoteHelper.Aesm.Protocol.Messages;

namespace QuoteHelper.Daemon.Tests;

/// <summary>What a raw exchange ended with.</summary>
public enum RawOutcome
{
    /// <summary>Bytes came back, then the server closed the connection.</summary>
    Replied,

    /// <summary>The server closed (EOF or reset) without sending a single byte.</summary>
    ClosedWithoutReply,

    /// <summary>The connection was still open, with nothing (more) arriving, when the client's timeout expired.</summary>
    TimedOut,

    /// <summary>connect(2) failed (no socket file, or nobody listening).</summary>
    ConnectFailed,
}

/// <summary>The result of one raw exchange: everything the server sent before closing, and how long it took.</summary>
/// <param name="Outcome">How the exchange ended.</param>
/// <param name="Bytes">All bytes received, in order (length prefix included).</param>
/// <param name="Elapsed">From the end of sending to the close (or the timeout).</param>
public sealed record RawReply(RawOutcome Outcome, byte[] Bytes, TimeSpan Elapsed)
{
    /// <summary>Lower-case hex of <see cref="Bytes"/>, for exact comparisons with readable failure messages.</summary>
    public string Hex => Convert.ToHexStringLower(Bytes);

    /// <summary>
    /// Asserts the reply is exactly one frame (the prefix announces every byte after it, nothing more) and parses it.
    /// </summary>
    public Response Decode()
    {
        Assert.Equal(RawOutcome.Replied, Outcome);
        Assert.True(Bytes.Length > 4, $"reply of {Bytes.Length} bytes has no body");
        Assert.Equal((uint)(Bytes.Length - 4), BinaryPrimitives.ReadUInt32LittleEndian(Bytes));
        Assert.True(AesmFrame.TryParseResponse(new(Bytes.AsMemory(4)), out var response), "reply body is not an aesm.message.Response");
        return response;
    }
}

/// <summary>
/// Speaks bytes to the daemon's socket, like a client that knows nothing of protobuf: connect, send, read until the
/// server closes (one request per connection, aesm-protocol.md §1.3) or the timeout expires.
/// </summary>
public static class RawAesm
{
    /// <summary>The client's patience in tests where the server is expected to answer or close.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Connects, sends <paramref name="request"/> (possibly empty), and reads until close or timeout.</summary>
    public static async Task<RawReply> ExchangeAsync(string socketPath, ReadOnlyMemory<byte> request, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException)
        {
            return new RawReply(RawOutcome.ConnectFailed, [], TimeSpan.Zero);
        }

        await SendAsync(socket, request, cancellationToken);
        return await ReadToEndAsync(socket, Stopwatch.StartNew(), timeout ?? DefaultTimeout, cancellationToken);
    }

    /// <summary>Opens a connection and sends <paramref name="partial"/> (possibly nothing), leaving it open.</summary>
    public static async Task<Socket> ConnectAsync(string socketPath, ReadOnlyMemory<byte> partial = default, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            await SendAsync(socket, partial, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends bytes; a server that already closed (EPIPE / reset) is not an error here: the read tells.</summary>
    public static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (bytes.IsEmpty)
        {
            return;
        }

        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Reads until the server closes or nothing more arrives within <paramref name="timeout"/> in total.</summary>
    public static async Task<RawReply> ReadToEndAsync(Socket socket, Stopwatch started, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(started);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var outcome = RawOutcome.Replied;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = RawOutcome.TimedOut;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            // A close with our bytes still unread in the server's receive queue arrives as a reset: still a close.
        }

        var bytes = received.ToArray();
        if (outcome == RawOutcome.Replied && bytes.Length == 0)
        {
            outcome = RawOutcome.ClosedWithoutReply;
        }

        return new RawReply(outcome, bytes, started.Elapsed);
    }
}
