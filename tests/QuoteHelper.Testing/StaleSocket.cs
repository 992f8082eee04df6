using System.Net.Sockets;

namespace QuoteHelper.Testing;

/// <summary>A socket file that nobody listens on: what a helper killed with SIGKILL leaves behind (ECONNREFUSED).</summary>
public static class StaleSocket
{
    /// <summary>Creates the socket file at <paramref name="path"/> (its directory must exist).</summary>
    public static void Create(string path)
    {
        // .NET unlinks the path a socket was bound to when it is disposed: bind elsewhere, rename the file into place,
        // then close the socket, which leaves the renamed file with no listener.
        var bound = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, $".stale.{Guid.NewGuid():N}"[..16]);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(bound));
        File.Move(bound, path);
    }
}
