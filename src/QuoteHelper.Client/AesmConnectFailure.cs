using System.Net.Sockets;

namespace QuoteHelper.Client;

/// <summary>
/// Why a call could not connect to the AESM socket (the call then has <c>SGX_ERROR_SERVICE_UNAVAILABLE</c> and no
/// reply, as with Intel's client): the path, the operating system's error, and what to check.
/// </summary>
public sealed class AesmConnectFailure
{
    internal AesmConnectFailure(string socketPath, SocketError socketError)
    {
        SocketPath = socketPath;
        SocketError = socketError;

        // .NET reports connect(2)'s ENOENT on a Unix socket path as AddressNotAvailable (EADDRNOTAVAIL cannot happen
        // for AF_UNIX), so that value means "no file at the path".
        (ErrorName, IsTransient) = socketError switch
        {
            SocketError.AddressNotAvailable => ("ENOENT", true),
            SocketError.ConnectionRefused => ("ECONNREFUSED", true),
            SocketError.AccessDenied => ("EACCES", false),
            _ => (socketError.ToString(), false),
        };
        Description = Describe(socketPath, socketError);
    }

    /// <summary>The socket path the client tried.</summary>
    public string SocketPath { get; }

    /// <summary>The error of <c>connect(2)</c>, as .NET reports it.</summary>
    public SocketError SocketError { get; }

    /// <summary>
    /// The error's name: <c>ENOENT</c> (no file at the path), <c>ECONNREFUSED</c> (nothing listens: a socket left by a
    /// helper that stopped or crashed, or a file that is not a socket), <c>EACCES</c> (permission denied), or the
    /// <see cref="System.Net.Sockets.SocketError"/> name of anything else.
    /// </summary>
    public string ErrorName { get; }

    /// <summary>
    /// True for <c>ENOENT</c> and <c>ECONNREFUSED</c>, which a helper being restarted clears within seconds;
    /// false for the rest (permission denied does not change by waiting).
    /// </summary>
    public bool IsTransient { get; }

    /// <summary>What happened, with the path and the error name, and what to check; one or more sentences.</summary>
    public string Description { get; }

    /// <inheritdoc />
    public override string ToString() => Description;

    private static string Describe(string path, SocketError error)
    {
        switch (error)
        {
            case SocketError.AddressNotAvailable:
                var directory = Path.GetDirectoryName(path);
                return directory is not null && !Directory.Exists(directory)
                    ? $"no socket at {path} (ENOENT): its directory {directory} does not exist either. Is the quote helper's " +
                      "socket directory mounted here (/var/run/aesmd from the host in Kubernetes), and is the path right?"
                    : $"no socket at {path} (ENOENT). Is the quote helper running and serving this path (it removes the " +
                      "socket when it stops)? In a container, is the helper's /var/run/aesmd mounted?";
            case SocketError.ConnectionRefused:
                return $"nothing listens on {path} (ECONNREFUSED): a socket left by a helper that stopped or crashed, or " +
                    "a file that is not a socket. Is the quote helper running? Starting it replaces a stale socket.";
            case SocketError.AccessDenied:
                return $"permission denied connecting to {path} (EACCES). The socket's mode (daemon --socket-mode, default " +
                    "0666) or its directory's (--socket-dir-mode) does not let this user in.";
            default:
                return $"cannot connect to {path} ({error}).";
        }
    }
}
