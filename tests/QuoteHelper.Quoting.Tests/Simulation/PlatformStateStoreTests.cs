using QuoteHelper.Quoting.Simulation;

namespace QuoteHelper.Quoting.Tests.Simulation;

public sealed class PlatformStateStoreTests
{
    [Fact]
    public void Open_NewDirectory_CreatesPrivateDirectoryAndFile()
    {
        using var temp = new TempDirectory();
        var stateDirectory = temp.Combine("a", "state");

        using var platform = SimulatedPlatform.Open(stateDirectory, new SimulatedPlatformOptions(), TimeProvider.System);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(stateDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(stateDirectory, PlatformStateStore.StateFileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(stateDirectory, PlatformStateStore.LockFileName)));

        // The atomic write leaves no temporary file behind.
        Assert.Equal(
            [PlatformStateStore.StateFileName, PlatformStateStore.LockFileName],
            Directory.GetFiles(stateDirectory).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Open_Twice_ReadsTheSamePlatform()
    {
        using var temp = new TempDirectory();
        string first;
        using (var platform = SimulatedPlatform.Open(temp.Path, new SimulatedPlatformOptions(), TimeProvider.System))
        {
            first = File.ReadAllText(platform.Store.StateFilePath);
        }

        using var again = SimulatedPlatform.Open(temp.Path, new SimulatedPlatformOptions(), TimeProvider.System);

        Assert.Equal(first, File.ReadAllText(again.Store.StateFilePath));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"format\":2}")]
    [InlineData("[1,2,3]")]
    public void Read_CorruptStateFile_ThrowsInvalidData(string content)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, PlatformStateStore.StateFileName), content);

        var error = Assert.Throws<InvalidDataException>(() => new PlatformStateStore(temp.Path).Read());
        Assert.Contains(PlatformStateStore.StateFileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_StateFileAboveCap_ThrowsInvalidDataWithoutReadingIt()
    {
        using var temp = new TempDirectory();
        using (var stream = File.Create(Path.Combine(temp.Path, PlatformStateStore.StateFileName)))
        {
            stream.SetLength(PlatformStateStore.MaxStateFileLength + 1);
        }

        Assert.Throws<InvalidDataException>(() => new PlatformStateStore(temp.Path).Read());
    }

    [Fact]
    public void Update_LockHeldByAnotherHandle_TimesOut()
    {
        using var temp = new TempDirectory();
        SimulatedPlatform.Open(temp.Path, new SimulatedPlatformOptions(), TimeProvider.System).Dispose();
        var store = new PlatformStateStore(temp.Path);

        using var held = new FileStream(Path.Combine(temp.Path, PlatformStateStore.LockFileName), FileMode.Open, FileAccess.ReadWrite, FileShare.None);

        Assert.Throws<TimeoutException>(() => store.Update(current => current!, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void Update_ConcurrentOpeners_AgreeOnOnePlatform()
    {
        using var temp = new TempDirectory();
        var roots = new string[4];

        Parallel.For(0, roots.Length, i =>
        {
            using var platform = SimulatedPlatform.Open(temp.Path, new SimulatedPlatformOptions(), TimeProvider.System);
            roots[i] = platform.RootCertificate.Thumbprint;
        });

        Assert.Single(roots.Distinct());
    }
}
