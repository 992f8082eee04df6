using System.CommandLine;
using QuoteHelper.Cli.Commands;

var root = new RootCommand("quote-helper: out-of-proc Intel SGX quote generation (AESM-compatible), on hardware or a simulated platform.");
root.Subcommands.Add(DaemonCommand.Create());
root.Subcommands.Add(QuoteCommand.Create());
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(BenchCommand.Create());

// Signals belong to the hosts: the daemon drains on SIGTERM through its own host lifetime, which a forced
// termination timeout would cut short.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
