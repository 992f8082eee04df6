namespace QuoteHelper.Quoting.Simulation;

/// <summary>Why a state directory cannot be used (<see cref="StateDirectoryException.Error"/>).</summary>
public enum StateDirectoryError
{
    /// <summary>The path (or one of its parents) is a regular file, not a directory.</summary>
    NotADirectory,

    /// <summary>A reader found no <c>platform.json</c>: the directory does not exist, is empty, or holds no platform.</summary>
    NoPlatform,

    /// <summary>A writer (creating or updating the platform) found the directory on a read-only file system (EROFS).</summary>
    ReadOnlyFileSystem,
}

/// <summary>
/// A state directory that cannot be used, with the reason as <see cref="Error"/> so that callers can switch on it
/// (the CLI maps <see cref="StateDirectoryError.NoPlatform"/> to exit code 66, the others to 78). A lock held by
/// another process is not this exception but a <see cref="TimeoutException"/>: it is a temporary condition.
/// </summary>
public sealed class StateDirectoryException : IOException
{
    internal StateDirectoryException(StateDirectoryError error, string directory, string message)
        : base(message)
    {
        Error = error;
        Directory = directory;
    }

    /// <summary>Why the directory cannot be used.</summary>
    public StateDirectoryError Error { get; }

    /// <summary>Absolute path of the state directory.</summary>
    public string Directory { get; }
}
