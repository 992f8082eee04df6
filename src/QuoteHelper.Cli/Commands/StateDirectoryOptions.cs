using System.CommandLine;
using QuoteHelper.Quoting.Simulation;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// How the verbs that read the simulated platform (<c>collateral --state-dir</c>, <c>pccs --state-dir</c>) open it:
/// as readers — no lock, no write, so a read-only mount works — and never creating a platform unless <c>--create</c>
/// says so, so that a mistyped path fails instead of making a new platform with a new root (issue 8). The daemon
/// is the writer: it creates the platform on first start.
/// </summary>
internal static class StateDirectoryOptions
{
    public static Option<bool> Create() => new("--create")
    {
        Description = "With --state-dir: create a new simulated platform when the directory holds none (without it, that is an error, exit 66).",
    };

    /// <summary>Loads the platform in <paramref name="directory"/>; creates it (as the daemon would) only when <paramref name="create"/>.</summary>
    public static SimulatedPlatform Open(string directory, bool create)
    {
        try
        {
            return SimulatedPlatform.OpenExisting(directory);
        }
        catch (StateDirectoryException e) when (e.Error == StateDirectoryError.NoPlatform)
        {
            if (create)
            {
                return SimulatedPlatform.Open(directory, new SimulatedPlatformOptions(), TimeProvider.System);
            }

            throw new CliNoInputException(
                $"{e.Message} Check the path; a helper (quote-helper daemon --state-dir) creates the platform on first start, or add --create to make one here.");
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a helper to create the platform in <paramref name="directory"/>
    /// (a collateral server started beside the helper may start first), then opens it as <see cref="Open"/> does.
    /// </summary>
    public static async Task<SimulatedPlatform> OpenAsync(string directory, bool create, TimeSpan timeout, string verb, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var said = false;
        while (true)
        {
            try
            {
                return Open(directory, create);
            }
            catch (CliNoInputException) when (Environment.TickCount64 < deadline)
            {
                if (!said)
                {
                    // One line, so that a log shows why a server beside a starting helper is not listening yet.
                    Console.Out.WriteLine($"quote-helper {verb}: waiting up to {timeout.TotalSeconds:0.###} s for a helper to create the platform in {Path.GetFullPath(directory)}");
                    Console.Out.Flush();
                    said = true;
                }

                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
