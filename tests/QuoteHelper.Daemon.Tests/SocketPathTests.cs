using System.Net.Sockets;
using QuoteHelper.Quoting.Simulation;
using static QuoteHelper.Daemon.Tests.Wire;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// The socket file (aesm-protocol.md §1.1, checklist item 1): mode, directory creation, stale sockets replaced, live
/// sockets and other files never taken.
/// </summary>
public sealed class SocketPathTests
{
    private const string A1Response = "07000000aa010408001001";

    private const UnixFileMode Mode0666 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead |
        UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private const UnixFileMode Mode0660 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_DefaultOptions_SocketMode0666()
    {
        await using var host = await DaemonHost.StartAsync();

        Assert.Equal(Mode0666, File.GetUnixFileMode(host.SocketPath));
    }

    [Fact]
    public async Task StartAsync_SocketMode0660_Applied()
    {
        await using var host = await DaemonHost.StartAsync(o => o.SocketMode = Mode0660);

        Assert.Equal(Mode0660, File.GetUnixFileMode(host.SocketPath));
        Assert.Equal(A1Response, (await host.ExchangeAsync(GetSupportedAttKeyIdNumRequest())).Hex);
    }

    [Fact]
    public async Task StartAsync_SocketDirectoriesMissing_CreatedAndServed()
    {
        using var directory = new TempDirectory("qh-daemon-tests-");
        var socketPath = directory.Combine("var", "run", "aesmd", "aesm.socket");
        var logs = new LogCapture();

        await using var daemon = await SimulationDaemon.StartAsync(new AesmDaemonOptions { SocketPath = socketPath },
            directory.Combine("state"), new SimulatedPlatformOptions(), TimeProvider.System, logs.Configure, Ct);

        Assert.True(Directory.Exists(directory.Combine("var", "run", "aesmd")));
        Assert.Equal(A1Response, (await RawAesm.ExchangeAsync(socketPath, GetSupportedAttKeyIdNumRequest(), cancellationToken: Ct)).Hex);
    }

    [Fact]
    public async Task StartAsync_StaleSocketFile_ReplacedAndServed()
    {
        using var directory = new TempDirectory("qh-daemon-tests-");
        var socketPath = directory.Combine("run", "aesm.socket");
        Directory.CreateDirectory(directory.Combine("run"));
        CreateStaleSocket(socketPath);
        Assert.True(File.Exists(socketPath), "precondition: the stale socket file exists");
        Assert.Equal(RawOutcome.ConnectFailed, (await RawAesm.ExchangeAsync(socketPath, GetSupportedAttKeyIdNumRequest(), cancellationToken: Ct)).Outcome);
        var logs = new LogCapture();

        await using var daemon = await SimulationDaemon.StartAsync(new AesmDaemonOptions { SocketPath = socketPath },
            directory.Combine("state"), new SimulatedPlatformOptions(), TimeProvider.System, logs.Configure, Ct);

        Assert.Equal(A1Response, (await RawAesm.ExchangeAsync(socketPath, GetSupportedAttKeyIdNumRequest(), cancellationToken: Ct)).Hex);
        // Regression: SimulationDaemon's early check removed the stale file itself, so 1001 was never logged.
        Assert.True(logs.Contains(1001), "no RemovedStaleSocket (1001) log entry");
    }

    [Fact]
    public async Task StartAsync_LiveDaemonOnPath_AddressInUseAndFirstStillServes()
    {
        await using var host = await DaemonHost.StartAsync();
        var cpuFile = Sgx.Simulation.SimulatedCpu.PathBesideSocket(host.SocketPath);
        var cpuBefore = File.ReadAllBytes(cpuFile);

        // Another helper (its own state directory) must never take a live socket: only this state directory's
        // successor may (the handover, which serving.json authorises).
        using var otherState = new TempDirectory("qh-daemon-tests-");
        await Assert.ThrowsAsync<AddressInUseException>(() => SimulationDaemon.StartAsync(new AesmDaemonOptions { SocketPath = host.SocketPath },
            otherState.Path, new SimulatedPlatformOptions(), TimeProvider.System, new LogCapture().Configure, Ct));

        Assert.True(File.Exists(host.SocketPath));
        Assert.False(File.Exists(Path.Combine(otherState.Path, "platform.json"))); // refused before touching the state
        Assert.Equal(cpuBefore, File.ReadAllBytes(cpuFile));
        Assert.Equal(A1Response, (await host.ExchangeAsync(GetSupportedAttKeyIdNumRequest())).Hex);
        var report = QuoteSupport.Report(QuoteSupport.AppEnclave(host), host.Platform.QeTargetInfo);
        Assert.Equal(Success, (await host.ExchangeAsync(GetQuoteExRequest(report, DefaultKeyId, null, 8192))).Decode().GetQuoteExRes.ErrorCode);
    }

    [Fact]
    public async Task StartAsync_RegularFileOnPath_AddressInUseAndFileUntouched()
    {
        using var directory = new TempDirectory("qh-daemon-tests-");
        var socketPath = directory.Combine("run", "aesm.socket");
        Directory.CreateDirectory(directory.Combine("run"));
        byte[] content = [.. "not a socket\n"u8];
        File.WriteAllBytes(socketPath, content);
        var written = File.GetLastWriteTimeUtc(socketPath);

        await Assert.ThrowsAsync<AddressInUseException>(() => SimulationDaemon.StartAsync(new AesmDaemonOptions { SocketPath = socketPath },
            directory.Combine("state"), new SimulatedPlatformOptions(), TimeProvider.System, new LogCapture().Configure, Ct));

        Assert.Equal(content, File.ReadAllBytes(socketPath));
        Assert.Equal(written, File.GetLastWriteTimeUtc(socketPath));
    }

    [Fact]
    public async Task StartAsync_DirectoryOnPath_AddressInUseAndDirectoryKept()
    {
        // Regression: FileInfo.Exists is false for a directory, so it reached bind(2) and surfaced as a bare
        // SocketException instead of AddressInUseException.
        using var directory = new TempDirectory("qh-daemon-tests-");
        var socketPath = directory.Combine("run", "aesm.socket");
        Directory.CreateDirectory(Path.Combine(socketPath, "inside"));

        await Assert.ThrowsAsync<AddressInUseException>(() => SimulationDaemon.StartAsync(new AesmDaemonOptions { SocketPath = socketPath },
            directory.Combine("state"), new SimulatedPlatformOptions(), TimeProvider.System, new LogCapture().Configure, Ct));

        Assert.True(Directory.Exists(Path.Combine(socketPath, "inside")));
    }

    [Fact]
    public async Task StopAsync_Running_SocketFileRemoved()
    {
        await using var host = await DaemonHost.StartAsync();
        Assert.True(File.Exists(host.SocketPath));

        await host.Daemon.StopAsync(Ct);

        Assert.False(File.Exists(host.SocketPath));
        Assert.Equal(RawOutcome.ConnectFailed, (await host.ExchangeAsync(GetSupportedAttKeyIdNumRequest())).Outcome);
    }

    [Fact]
    public void SocketDispose_BoundListener_RuntimeUnlinksPath()
    {
        // A fact the daemon's stop sequence relies on (.NET on Linux): disposing a socket bound to a path removes the
        // path, at the moment the listener closes.
        using var directory = new TempDirectory("qh-daemon-tests-");
        var path = directory.Combine("probe.socket");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen();
        Assert.True(File.Exists(path));

        socket.Dispose();

        Assert.False(File.Exists(path));
    }

    // A socket file nobody listens on, as a crashed daemon leaves it: bound under another name and renamed into place,
    // so that closing the socket cannot unlink the path (whatever the runtime does on dispose).
    private static void CreateStaleSocket(string path)
    {
        var boundPath = path + ".bound";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(boundPath));
            socket.Listen();
            File.Move(boundPath, path);
        }
    }
}
