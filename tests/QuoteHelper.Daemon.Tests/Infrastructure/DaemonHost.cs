using System.Security.Cryptography.X509Certificates;
using QuoteHelper.Client;
using QuoteHelper.Quoting.Simulation;

namespace QuoteHelper.Daemon.Tests;

/// <summary>
/// A real daemon on the simulated platform in its own temporary directory: socket at <c>&lt;tmp&gt;/run/aesm.socket</c>
/// (the <c>run</c> directory does not exist before the start), state in <c>&lt;tmp&gt;/state</c>, logs captured in
/// memory. Disposing stops the daemon and deletes the directory, so nothing is left behind.
/// </summary>
public sealed class DaemonHost : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly Action<AesmDaemonOptions>? _configure;
    private SimulatedPlatformOptions _platformOptions;
    private AesmDaemon? _daemon;

    private DaemonHost(TempDirectory directory, Action<AesmDaemonOptions>? configure, SimulatedPlatformOptions platformOptions)
    {
        _directory = directory;
        _configure = configure;
        _platformOptions = platformOptions;
    }

    /// <summary>The temporary directory holding socket and state.</summary>
    public TempDirectory Directory => _directory;

    /// <summary>&lt;tmp&gt;/run/aesm.socket.</summary>
    public string SocketPath => _directory.Combine("run", "aesm.socket");

    /// <summary>&lt;tmp&gt;/state.</summary>
    public string StateDirectory => _directory.Combine("state");

    /// <summary>The running daemon.</summary>
    public AesmDaemon Daemon => _daemon ?? throw new InvalidOperationException("The daemon is not running.");

    /// <summary>Everything the daemon logged (Information and above), across restarts.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The simulated platform behind the running daemon.</summary>
    public SimulatedPlatform Platform => ((SimulatedQuotingEnclave)Daemon.Backend).Platform;

    /// <summary>The platform's root CA: the trust anchor for <see cref="IndependentQuoteCheck"/>.</summary>
    public X509Certificate2 Root => Platform.RootCertificate;

    /// <summary>Starts a daemon; <paramref name="configure"/> adjusts the options of every (re)start.</summary>
    public static async Task<DaemonHost> StartAsync(Action<AesmDaemonOptions>? configure = null, SimulatedPlatformOptions? platformOptions = null)
    {
        var host = new DaemonHost(new TempDirectory("qh-daemon-tests-"), configure, platformOptions ?? new SimulatedPlatformOptions());
        try
        {
            host._daemon = await host.StartDaemonAsync(host._platformOptions);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The options a start uses: short timeouts suited to tests (read deadline 3 s, shutdown 5 s), then the
    /// configuration the host was created with.
    /// </summary>
    public AesmDaemonOptions CreateOptions()
    {
        var options = new AesmDaemonOptions
        {
            SocketPath = SocketPath,
            ReadTimeout = TimeSpan.FromSeconds(3),
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        };
        _configure?.Invoke(options);
        return options;
    }

    /// <summary>Starts one more daemon over this host's socket path and state (for "address in use" tests).</summary>
    public Task<AesmDaemon> StartDaemonAsync(SimulatedPlatformOptions platformOptions) =>
        SimulationDaemon.StartAsync(CreateOptions(), StateDirectory, platformOptions, TimeProvider.System, Logs.Configure,
            TestContext.Current.CancellationToken);

    /// <summary>Stops the daemon (socket removed) and starts a new one on the same socket path and state directory.</summary>
    public async Task RestartAsync(SimulatedPlatformOptions? platformOptions = null)
    {
        await StopAsync();
        _platformOptions = platformOptions ?? _platformOptions;
        _daemon = await StartDaemonAsync(_platformOptions);
    }

    /// <summary>Stops and disposes the running daemon.</summary>
    public async Task StopAsync()
    {
        if (_daemon is { } daemon)
        {
            _daemon = null;
            await daemon.DisposeAsync();
        }
    }

    /// <summary>One raw exchange with the daemon.</summary>
    public Task<RawReply> ExchangeAsync(byte[] request, TimeSpan? timeout = null) =>
        RawAesm.ExchangeAsync(SocketPath, request, timeout, TestContext.Current.CancellationToken);

    /// <summary>A simulated application enclave on this platform's CPU (read from the file the daemon publishes).</summary>
    public SimulatedEnclave Enclave() => SimulatedEnclave.ForSocket(SocketPath);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _directory.Dispose();
    }
}

/// <summary>One daemon shared by the tests of a class that do not change its state (xunit class fixture).</summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    private DaemonHost? _host;

    /// <summary>The shared daemon.</summary>
    public DaemonHost Host => _host ?? throw new InvalidOperationException("Not initialized.");

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => _host = await DaemonHost.StartAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
