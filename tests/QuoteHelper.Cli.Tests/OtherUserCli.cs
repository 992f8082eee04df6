namespace QuoteHelper.Cli.Tests;

/// <summary>
/// A copy of the CLI's build output that any uid can read and run, for tests that run the CLI as another user. The
/// build output itself may sit below a directory only its owner can enter (a clone inside `mktemp -d`, 0700, as CI's
/// fresh clone is), where another uid cannot even load the dll. Copied once per test class, removed with it.
/// </summary>
public sealed class OtherUserCli : IDisposable
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Traversable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("qh-cli-any-user-");

    public OtherUserCli()
    {
        Copy(new DirectoryInfo(AppContext.BaseDirectory), _directory);
    }

    /// <summary>The copied <c>quote-helper.dll</c>.</summary>
    public string Dll => Path.Combine(_directory.FullName, "quote-helper.dll");

    public void Dispose() => _directory.Delete(recursive: true);

    private static void Copy(DirectoryInfo source, DirectoryInfo target)
    {
        File.SetUnixFileMode(target.FullName, Traversable);
        foreach (var file in source.EnumerateFiles())
        {
            var copy = file.CopyTo(Path.Combine(target.FullName, file.Name));
            File.SetUnixFileMode(copy.FullName, Readable);
        }

        foreach (var directory in source.EnumerateDirectories())
        {
            Copy(directory, target.CreateSubdirectory(directory.Name));
        }
    }
}
