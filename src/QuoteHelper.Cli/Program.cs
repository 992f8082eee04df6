using System.CommandLine;
using QuoteHelper.Cli.Commands;

var root = new RootCommand("quote-helper: out-of-proc Intel SGX quote generation (AESM-compatible), on hardware or a simulated platform.");
root.Subcommands.Add(DaemonCommand.Create());
root.Subcommands.Add(QuoteCommand.Create());
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(HealthCommand.Create());
root.Subcommands.Add(CollateralCommand.Create());
root.Subcommands.Add(PccsCommand.Create());

// Signals belong to the hosts: the daemon drains on SIGTERM through its own host lifetime, which a forced
// termination timeout would cut short.
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"quote-helper: {error.Message}").ConfigureAwait(false);
    }

    await Console.Error.WriteLineAsync("Run 'quote-helper --help' for usage.").ConfigureAwait(false);
    return CliErrors.Usage;
}

return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
