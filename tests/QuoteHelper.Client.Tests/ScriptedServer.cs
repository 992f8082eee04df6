using System.Buffers.Binary;
using System.Net.Sockets;

namespace QuoteHelper.Client.Tests;

/// <summary>
/// A real Unix-socket server that records the request frame of each connection and answers with a script:
/// the given reply bytes (all at once, or one byte at a time with a pause between), nothing (close), or silence.
/// Lets client tests see the exact bytes on the wire.
/// </summary>
internal sealed class ScriptedServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Thread _thread;
    private readonly Func<byte[], byte[]?> _reply;
    private readonly bool _silent;
    private readonly TimeSpan? _trickle;
    private readonly List<Socket> _held = [];

    public ScriptedServer(string socketPath, Func<byte[], byte[]?> reply, bool silent = false, TimeSpan? trickle = null)
    {
        _reply = reply;
        _silent = silent;
        _trickle = trickle;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(16);
        _thread = new Thread(Run) { IsBackground = true };
        _thread.Start();
    }

    public List<byte[]> Requests { get; } = [];

    private void Run()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var prefix = new byte[4];
            connection.Receive(prefix, SocketFlags.None);
            var body = new byte[BinaryPrimitives.ReadUInt32LittleEndian(prefix)];
            var read = 0;
            while (read < body.Length)
            {
                read += connection.Receive(body.AsSpan(read));
            }

            byte[] frame = [.. prefix, .. body];
            lock (Requests)
            {
                Requests.Add(frame);
            }

            if (_silent)
            {
                _held.Add(connection);
                continue;
            }

            if (_reply(frame) is { } reply)
            {
                Send(connection, reply);
            }

            connection.Dispose();
        }
    }

    private void Send(Socket connection, byte[] reply)
    {
        if (_trickle is not { } pause)
        {
            connection.Send(reply);
            return;
        }

        try
        {
            foreach (var b in reply)
            {
                connection.Send([b]);
                Thread.Sleep(pause);
            }
        }
        catch (SocketException)
        {
            // The client gave up (timed out) and closed.
        }
    }

    public void Dispose()
    {
        try
        {
            _listener.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _listener.Dispose();
        _thread.Join();
        foreach (var socket in _held)
        {
            socket.Dispose();
        }
    }
}
