using System.Text.Json;

namespace QuoteHelper.Quoting.Simulation;

/// <summary>
/// The state directory of the simulated platform: one <c>platform.json</c> (mode 0600) written atomically —
/// a temporary file in the same directory, flushed to disk, then renamed over the old one — so that a crash never
/// leaves a half-written state, and guarded by an exclusive lock file so that two helpers (an old and a new one
/// during a handover) never interleave a read-modify-write. Readers (<see cref="Read"/>, <see cref="ReadExisting"/>)
/// take no lock and write nothing: the rename makes every read see one whole state, so a reader works on a read-only
/// mount of the directory (the collateral server beside the helper, <c>quote-helper collateral</c>).
/// </summary>
public sealed class PlatformStateStore
{
    /// <summary>Name of the state file inside the directory.</summary>
    public const string StateFileName = "platform.json";

    /// <summary>Name of the lock file inside the directory.</summary>
    public const string LockFileName = "platform.lock";

    /// <summary>Largest state file accepted (a state file is about 6 KB; anything near this is not ours).</summary>
    public const int MaxStateFileLength = 1024 * 1024;

    // Linux errno values, as .NET puts them in IOException.HResult for errors it has no own exception type for.
    private const int EWouldBlock = 11;
    private const int EReadOnlyFileSystem = 30;

    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates a store for <paramref name="directory"/> (a writer creates it with mode 0700 when missing).</summary>
    public PlatformStateStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>Absolute path of the state directory.</summary>
    public string Directory { get; }

    /// <summary>Absolute path of <c>platform.json</c>.</summary>
    public string StateFilePath => Path.Combine(Directory, StateFileName);

    /// <summary>
    /// Runs <paramref name="update"/> under the directory lock: it receives the current state (null on first start)
    /// and returns the state to persist (the same instance to leave the file untouched).
    /// </summary>
    /// <exception cref="InvalidDataException">The state file exists but is not a valid state.</exception>
    /// <exception cref="StateDirectoryException">The path is a file, or on a read-only file system.</exception>
    /// <exception cref="TimeoutException">Another process held the lock for longer than <paramref name="lockTimeout"/>.</exception>
    public PlatformState Update(Func<PlatformState?, PlatformState> update, TimeSpan lockTimeout)
    {
        ArgumentNullException.ThrowIfNull(update);
        EnsureDirectory();
        using var lockHandle = AcquireLock(lockTimeout);
        var current = Read();
        var next = update(current);
        if (!ReferenceEquals(current, next))
        {
            Write(next);
        }

        return next;
    }

    /// <summary>Reads the state, or null when the directory holds none yet. Takes no lock and writes nothing.</summary>
    /// <exception cref="InvalidDataException">The state file is not a valid state.</exception>
    /// <exception cref="StateDirectoryException">The path is a file, not a directory.</exception>
    public PlatformState? Read()
    {
        ThrowIfNotADirectory();
        var path = StateFilePath;
        if (!File.Exists(path))
        {
            return null;
        }

        var info = new FileInfo(path);
        if (info.Length > MaxStateFileLength)
        {
            throw new InvalidDataException($"{path} is {info.Length} bytes, more than the {MaxStateFileLength} a state file can be.");
        }

        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllBytes(path), PlatformStateJsonContext.Default.PlatformState)
                ?? throw new InvalidDataException($"{path} is empty.");
            if (state.Format != PlatformState.CurrentFormat)
            {
                throw new InvalidDataException($"{path} has format {state.Format}; this helper reads format {PlatformState.CurrentFormat}.");
            }

            return state;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid platform state: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads the state a helper created before: what a reader of the platform uses, so that a mistyped path never
    /// makes a new platform. Takes no lock and writes nothing.
    /// </summary>
    /// <exception cref="StateDirectoryException">No platform there (<see cref="StateDirectoryError.NoPlatform"/>), or the path is a file.</exception>
    /// <exception cref="InvalidDataException">The state file is not a valid state.</exception>
    public PlatformState ReadExisting() =>
        Read() ?? throw new StateDirectoryException(StateDirectoryError.NoPlatform, Directory, System.IO.Directory.Exists(Directory)
            ? $"The state directory {Directory} holds no simulated platform (no {StateFileName})."
            : $"The state directory {Directory} does not exist, so it holds no simulated platform.");

    private void Write(PlatformState state) =>
        AtomicFile.Write(StateFilePath, JsonSerializer.SerializeToUtf8Bytes(state, PlatformStateJsonContext.Default.PlatformState), PrivateFile);

    private void EnsureDirectory()
    {
        ThrowIfNotADirectory();
        if (!System.IO.Directory.Exists(Directory))
        {
            try
            {
                System.IO.Directory.CreateDirectory(Directory, PrivateDirectory);
            }
            catch (IOException e) when (e.HResult == EReadOnlyFileSystem)
            {
                throw ReadOnly(e);
            }
        }
    }

    // A regular file at the path (or at a parent) would otherwise surface as .NET's "The file ... already exists".
    private void ThrowIfNotADirectory()
    {
        for (var path = Directory; path is not null; path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                throw new StateDirectoryException(StateDirectoryError.NotADirectory, Directory, path == Directory
                    ? $"The state directory {Directory} is a file, not a directory."
                    : $"The state directory {Directory} cannot exist: {path} is a file, not a directory.");
            }

            if (System.IO.Directory.Exists(path))
            {
                return;
            }
        }
    }

    private StateDirectoryException ReadOnly(IOException e) =>
        new(StateDirectoryError.ReadOnlyFileSystem, Directory,
            $"The state directory {Directory} is on a read-only file system (EROFS): creating or updating the simulated platform " +
            $"needs it writable. Readers of the platform need no write access. ({e.Message})");

    private FileStream AcquireLock(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var path = Path.Combine(Directory, LockFileName);
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix; it is released when the handle
                // closes, also when the process dies, so a crashed helper never leaves the directory locked.
                return new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate,
                    Access = FileAccess.ReadWrite,
                    Share = FileShare.None,
                    UnixCreateMode = PrivateFile,
                });
            }
            catch (IOException e) when (e.HResult == EReadOnlyFileSystem)
            {
                // Not contention: waiting would not help (issue 8: a read-only mount used to wait 30 s for "the lock").
                throw ReadOnly(e);
            }
            catch (IOException e) when (e.HResult == EWouldBlock && Environment.TickCount64 < deadline)
            {
                Thread.Sleep(20);
            }
            catch (IOException e) when (e.HResult == EWouldBlock)
            {
                throw new TimeoutException($"The state directory {Directory} stayed locked by another process for {timeout.TotalSeconds:0.###} s " +
                    $"(an exclusive flock on {path}: another helper creating or updating this platform, or a stuck process).", e);
            }
        }
    }
}
