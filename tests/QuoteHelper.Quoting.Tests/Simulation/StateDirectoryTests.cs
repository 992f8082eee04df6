using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using QuoteHelper.Quoting.Simulation;

namespace QuoteHelper.Quoting.Tests.Simulation;

/// <summary>
/// Issue 8: readers of a state directory take no lock and write nothing (a read-only mount works); a read-only file
/// system, a held lock, a file instead of a directory and a missing platform each give their own immediate error;
/// every simulated root has a name of its own; a state directory of the earlier version keeps its root.
/// </summary>
public sealed class StateDirectoryTests
{
    private static void Create(string directory) =>
        SimulatedPlatform.Open(directory, new SimulatedPlatformOptions(), TimeProvider.System).Dispose();

    [Fact]
    public void OpenExisting_ReadOnlyFileSystem_ReadsThePlatform()
    {
        using var mount = TmpfsMount.TryCreate();
        if (mount is null)
        {
            Assert.Skip(TmpfsMount.UnavailableReason!);
        }

        var directory = mount.Combine("state");
        string thumbprint;
        using (var created = SimulatedPlatform.Open(directory, new SimulatedPlatformOptions(), TimeProvider.System))
        {
            thumbprint = created.RootCertificate.Thumbprint;
        }

        mount.RemountReadOnly();
        var watch = Stopwatch.StartNew();

        using var platform = SimulatedPlatform.OpenExisting(directory);

        Assert.Equal(thumbprint, platform.RootCertificate.Thumbprint);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Open_ReadOnlyFileSystem_FailsAtOnceNamingEROFS()
    {
        using var mount = TmpfsMount.TryCreate();
        if (mount is null)
        {
            Assert.Skip(TmpfsMount.UnavailableReason!);
        }

        var directory = mount.Combine("state");
        Create(directory);
        mount.RemountReadOnly();
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<StateDirectoryException>(() =>
            SimulatedPlatform.Open(directory, new SimulatedPlatformOptions(), TimeProvider.System));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Equal(StateDirectoryError.ReadOnlyFileSystem, error.Error);
        Assert.Equal(directory, error.Directory);
        Assert.StartsWith($"The state directory {directory} is on a read-only file system (EROFS): creating or updating the simulated platform " +
            "needs it writable. Readers of the platform need no write access. (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingDirectoryOnReadOnlyFileSystem_FailsWithEROFS()
    {
        using var mount = TmpfsMount.TryCreate();
        if (mount is null)
        {
            Assert.Skip(TmpfsMount.UnavailableReason!);
        }

        mount.RemountReadOnly();
        var directory = mount.Combine("state");

        var error = Assert.Throws<StateDirectoryException>(() =>
            SimulatedPlatform.Open(directory, new SimulatedPlatformOptions(), TimeProvider.System));

        Assert.Equal(StateDirectoryError.ReadOnlyFileSystem, error.Error);
    }

    [Fact]
    public void LockHeldByAnotherProcess_WriterTimesOutWithContention_ReaderStillReads()
    {
        using var temp = new TempDirectory();
        Create(temp.Path);
        var lockFile = Path.Combine(temp.Path, PlatformStateStore.LockFileName);

        // flock(1) holds an exclusive lock on the lock file, as another helper in the middle of an update would.
        using var holder = Process.Start("flock", ["--exclusive", lockFile, "sleep", "30"]);
        try
        {
            WaitUntilLocked(lockFile);
            var watch = Stopwatch.StartNew();

            var error = Assert.Throws<TimeoutException>(() =>
                new PlatformStateStore(temp.Path).Update(current => current!, TimeSpan.FromMilliseconds(300)));

            // Lower bound with slack: the store's deadline clock (millisecond ticks) may start a moment before this watch.
            Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
            Assert.Equal($"The state directory {temp.Path} stayed locked by another process for 0.3 s (an exclusive flock on {lockFile}: " +
                "another helper creating or updating this platform, or a stuck process).", error.Message);

            using var reader = SimulatedPlatform.OpenExisting(temp.Path);
            Assert.StartsWith(SimulatedPki.RootCommonName, reader.RootCertificate.GetNameInfo(X509NameType.SimpleName, false), StringComparison.Ordinal);
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }
    }

    [Fact]
    public void StateLockTimeout_IsTenSeconds() => Assert.Equal(TimeSpan.FromSeconds(10), SimulatedPlatform.StateLockTimeout);

    [Fact]
    public void OpenAndOpenExisting_PathIsAFile_SayNotADirectory()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("state");
        File.WriteAllText(file, "not a directory");

        var writer = Assert.Throws<StateDirectoryException>(() => SimulatedPlatform.Open(file, new SimulatedPlatformOptions(), TimeProvider.System));
        var reader = Assert.Throws<StateDirectoryException>(() => SimulatedPlatform.OpenExisting(file));

        Assert.Equal(StateDirectoryError.NotADirectory, writer.Error);
        Assert.Equal($"The state directory {file} is a file, not a directory.", writer.Message);
        Assert.Equal(writer.Message, reader.Message);
    }

    [Fact]
    public void Open_ParentIsAFile_SaysWhichPathIsAFile()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("file");
        File.WriteAllText(file, "");
        var directory = Path.Combine(file, "state");

        var error = Assert.Throws<StateDirectoryException>(() => SimulatedPlatform.Open(directory, new SimulatedPlatformOptions(), TimeProvider.System));

        Assert.Equal(StateDirectoryError.NotADirectory, error.Error);
        Assert.Equal($"The state directory {directory} cannot exist: {file} is a file, not a directory.", error.Message);
    }

    [Fact]
    public void OpenExisting_MissingDirectory_FailsAndCreatesNothing()
    {
        using var temp = new TempDirectory();
        var directory = temp.Combine("typo");

        var error = Assert.Throws<StateDirectoryException>(() => SimulatedPlatform.OpenExisting(directory));

        Assert.Equal(StateDirectoryError.NoPlatform, error.Error);
        Assert.Equal($"The state directory {directory} does not exist, so it holds no simulated platform.", error.Message);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void OpenExisting_EmptyDirectory_FailsAndWritesNothing()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<StateDirectoryException>(() => SimulatedPlatform.OpenExisting(temp.Path));

        Assert.Equal(StateDirectoryError.NoPlatform, error.Error);
        Assert.Equal($"The state directory {temp.Path} holds no simulated platform (no platform.json).", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void NewPlatforms_RootNamesCarryTheirKeyId_AndDiffer()
    {
        using var temp = new TempDirectory();
        using var first = SimulatedPlatform.Open(temp.Combine("a"), new SimulatedPlatformOptions(), TimeProvider.System);
        using var second = SimulatedPlatform.Open(temp.Combine("b"), new SimulatedPlatformOptions(), TimeProvider.System);

        foreach (var platform in new[] { first, second })
        {
            var root = platform.RootCertificate;
            var keyId = Convert.ToHexStringLower(SHA256.HashData(root.PublicKey.ExportSubjectPublicKeyInfo()).AsSpan(0, 4));
            Assert.Equal($"Quote Helper Simulated SGX Root CA {keyId}", root.GetNameInfo(X509NameType.SimpleName, false));

            // The intermediates name their issuer, the root, with its id.
            Assert.Equal(root.SubjectName.RawData, platform.PckCaCertificate.IssuerName.RawData);
            Assert.Equal(root.SubjectName.RawData, platform.TcbSigningCertificate.IssuerName.RawData);
        }

        Assert.NotEqual(first.RootCertificate.Subject, second.RootCertificate.Subject);
    }

    [Fact]
    public void EarlierVersionsStateDirectory_LoadsWithItsUnnamedRoot_ForReadersAndTheHelper()
    {
        // platform.json written by the version before root names carried an id (format 1, same as today).
        using var temp = new TempDirectory();
        var fixture = Path.Combine(AppContext.BaseDirectory, "Simulation", "Fixtures", "platform-format1-unnamed-root.json");
        File.Copy(fixture, Path.Combine(temp.Path, PlatformStateStore.StateFileName));

        using (var reader = SimulatedPlatform.OpenExisting(temp.Path))
        {
            Assert.Equal("Quote Helper Simulated SGX Root CA", reader.RootCertificate.GetNameInfo(X509NameType.SimpleName, false));
        }

        string rootBefore = File.ReadAllText(fixture);
        using var helper = SimulatedPlatform.Open(temp.Path, new SimulatedPlatformOptions(), TimeProvider.System);
        Assert.Equal("Quote Helper Simulated SGX Root CA", helper.RootCertificate.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal(rootBefore, File.ReadAllText(helper.Store.StateFilePath)); // the helper did not rewrite it
    }

    private static void WaitUntilLocked(string lockFile)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var probe = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                return;
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException("flock(1) did not take the lock.");
    }
}
