using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace QuoteHelper.Daemon;

/// <summary>Which file a path names: device and inode, from lstat(2). Two paths name the same socket iff these match.</summary>
/// <param name="Device">st_dev.</param>
/// <param name="Inode">st_ino.</param>
internal readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    // struct stat on Linux x86-64 and aarch64 starts with dev_t st_dev (8 bytes) and ino_t st_ino (8 bytes); the
    // buffer is larger than either architecture's struct (144 and 128 bytes).
    private const int StatBufferSize = 256;

    /// <summary>The identity of what <paramref name="path"/> names now, or null when nothing does.</summary>
    public static unsafe FileIdentity? Of(string path)
    {
        var buffer = stackalloc byte[StatBufferSize];
        return NativeMethods.LStat(path, buffer) == 0
            ? new FileIdentity(*(ulong*)buffer, *(ulong*)(buffer + 8))
            : null;
    }
}

/// <summary>The process on the other end of a Unix socket (SO_PEERCRED), as the kernel recorded it at connect time.</summary>
/// <param name="Pid">Peer pid (0 when the peer is in another pid namespace).</param>
/// <param name="Uid">Peer uid.</param>
/// <param name="Gid">Peer gid.</param>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Reads SO_PEERCRED of a connected Unix socket; null when the kernel does not say.</summary>
    public static PeerCredentials? Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> ucred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        try
        {
            return socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) == 12
                ? new PeerCredentials(BitConverter.ToInt32(ucred), BitConverter.ToUInt32(ucred[4..]), BitConverter.ToUInt32(ucred[8..]))
                : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}

internal static unsafe partial class NativeMethods
{
    /// <summary>MSG_DONTWAIT: this receive alone is non-blocking, without switching the socket's mode.</summary>
    public const int MsgDontWait = 0x40;

    /// <summary>EINTR on Linux.</summary>
    public const int EIntr = 4;

    /// <summary>EAGAIN (= EWOULDBLOCK) on Linux.</summary>
    public const int EAgain = 11;

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(SafeHandle socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int LStat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Rename(string oldPath, string newPath);
}
