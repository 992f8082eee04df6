using Microsoft.Extensions.Logging;
using QuoteHelper.Client;
using QuoteHelper.Daemon;
using QuoteHelper.Quoting.Simulation;

namespace QuoteHelper.Collateral.Tests;

/// <summary>
/// One simulated platform for the whole assembly: a state directory, a quote made through the real daemon
/// (SimulationDaemon in-process on a temporary socket, QuoteProvider + SimulatedEnclave) and the platform opened for
/// collateral generation. The daemon is stopped once the quote exists: nothing is left running.
/// </summary>
public sealed class SimulatedPlatformFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("qh-collateral-");

    public string StateDirectory => _temp.Combine("state");

    public byte[] Quote { get; private set; } = [];

    public SimulatedPlatform Platform { get; private set; } = null!;

    public byte[] RootDer => Platform.RootCertificate.RawData;

    public async ValueTask InitializeAsync()
    {
        var socket = _temp.Combine("run", "aesm.socket");
        await using (var daemon = await SimulationDaemon.StartAsync(new AesmDaemonOptions { SocketPath = socket }, StateDirectory,
                         new SimulatedPlatformOptions(), TimeProvider.System, logging => logging.ClearProviders()))
        {
            using var provider = new QuoteProvider(new AesmClient(new AesmClientOptions { SocketPath = socket }));
            var enclave = SimulatedEnclave.ForSocket(socket);
            Quote = await provider.GetQuoteAsync(target => enclave.CreateReport(target, "collateral tests"u8));
        }

        Platform = SimulatedPlatform.Open(StateDirectory, new SimulatedPlatformOptions(), TimeProvider.System);
    }

    public ValueTask DisposeAsync()
    {
        Platform?.Dispose();
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
