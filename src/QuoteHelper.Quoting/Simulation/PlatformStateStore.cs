using System.Text.Json;

namespace QuoteHelper.Quoting.Simulation;

/// <summary>
/// The state directory of the simulated platform: one <c>platform.json</c> (mode 0600) written atomically —
/// a temporary file in the same directory, flushed to disk, then renamed over the old one — so that a crash never
/// leaves a half-written state, and guarded by an exclusive lock file so that two helpers (an old and a new one
/// during a handover) never interleave a read-modify-write.
/// </summary>
public sealed class PlatformStateStore
{
    /// <summary>Name of the state file inside the directory.</summary>
    public const string StateFileName = "platform.json";

    /// <summary>Name of the lock file inside the directory.</summary>
    public const string LockFileName = "platform.lock";

    /// <summary>Largest state file accepted (a state file is about 6 KB; anything near this is not ours).</summary>
    public const int MaxStateFileLength = 1024 * 1024;

    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates a store for <paramref name="directory"/> (created with mode 0700 when missing).</summary>
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

    /// <summary>Reads the state, or null when the directory holds none yet.</summary>
    /// <exception cref="InvalidDataException">The state file is not a valid state.</exception>
    public PlatformState? Read()
    {
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

    private void Write(PlatformState state) =>
        AtomicFile.Write(StateFilePath, JsonSerializer.SerializeToUtf8Bytes(state, PlatformStateJsonContext.Default.PlatformState), PrivateFile);

    private void EnsureDirectory()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.CreateDirectory(Directory, PrivateDirectory);
        }
    }

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
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(20);
            }
            catch (IOException e)
            {
                throw new TimeoutException($"The state directory {Directory} stayed locked by another process for {timeout}.", e);
            }
        }
    }
}
