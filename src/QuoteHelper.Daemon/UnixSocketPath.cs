using System.Net.Sockets;

namespace QuoteHelper.Daemon;

/// <summary>
/// Preparing the socket path before binding (aesm-protocol.md §12 item 1): create the directory, and deal with a
/// file already at the path. A socket file left by a crashed helper makes the bind fail with "address in use", so
/// it is probed first: nobody answering (ECONNREFUSED) means stale, and it is removed; somebody answering means a
/// live service, which is never stolen.
/// </summary>
public static class UnixSocketPath
{
    private const UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Makes <paramref name="socketPath"/> bindable; returns true when a stale socket was removed.</summary>
    /// <exception cref="AddressInUseException">A live service answers on the path, or the path is not a socket.</exception>
    public static bool Prepare(string socketPath, UnixFileMode? directoryMode = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        EnsureDirectory(socketPath, directoryMode);

        // FileInfo.Exists is false for a directory: check it too, or a directory at the path reaches bind(2) and
        // fails there with a bare SocketException instead of AddressInUseException.
        var info = new FileInfo(socketPath);
        if (!info.Exists && info.LinkTarget is null && !Directory.Exists(socketPath))
        {
            return false;
        }

        EnsureNotTaken(socketPath);
        File.Delete(socketPath);
        return true;
    }

    /// <summary>
    /// Creates the socket's directory (mode <paramref name="directoryMode"/>, else 0755) or, when a mode is given,
    /// applies it to the existing directory.
    /// </summary>
    public static void EnsureDirectory(string socketPath, UnixFileMode? directoryMode)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(socketPath))!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, directoryMode ?? DirectoryMode);
        }
        else if (directoryMode is { } mode)
        {
            File.SetUnixFileMode(directory, mode);
        }
    }

    /// <summary>
    /// Throws when <paramref name="socketPath"/> is held by a live service or by something that is not a socket;
    /// changes nothing. Lets a starting helper refuse before it touches any state.
    /// </summary>
    /// <exception cref="AddressInUseException">The path is taken.</exception>
    public static void EnsureNotTaken(string socketPath)
    {
        var info = new FileInfo(socketPath);
        if (!info.Exists && info.LinkTarget is null && !Directory.Exists(socketPath))
        {
            return;
        }

        if (!IsSocket(socketPath))
        {
            throw new AddressInUseException($"{socketPath} exists and is not a socket; refusing to replace it.");
        }

        if (IsLive(socketPath))
        {
            throw new AddressInUseException($"Another service is listening on {socketPath}; refusing to take its socket.");
        }
    }

    /// <summary>True when something accepts connections on <paramref name="socketPath"/>.</summary>
    public static bool IsLive(string socketPath)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable
            or SocketError.AddressFamilyNotSupported)
        {
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            // We may not connect, but somebody owns it: treat it as live rather than delete another user's socket.
            return true;
        }
    }

    private static bool IsSocket(string path)
    {
        if (Directory.Exists(path))
        {
            return false;
        }

        // .NET exposes no file type; open(2) on a socket fails with ENXIO while a regular file opens.
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>The socket path is held by a live service or by a file that is not a socket.</summary>
public sealed class AddressInUseException : IOException
{
    internal AddressInUseException(string message) : base(message)
    {
    }
}
